package desk_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stillroom/stillroom/internal/browsertest"
	"github.com/stillroom/stillroom/internal/servertest"
)

// Tests that what an editor typed survives: a failed save before
// publishing, publishing and unpublishing, a change by someone else, a
// taken slug, and leaving the page.

// editSetup starts a server with an editor (lan@example.com) and returns
// the server, the admin's token and a browser signed in as the editor.
func editSetup(t *testing.T, lang string) (*servertest.Server, string, *browsertest.Browser) {
	t.Helper()
	srv := servertest.Start(t, servertest.Options{Admin: "admin@example.com"})
	admin := srv.Login(t, "admin@example.com", servertest.Password)
	srv.CreateUser(t, admin, "lan@example.com", "Trần Thị Lan", "EDITOR")
	b := browsertest.Start(t, browsertest.Options{Allow: []string{srv.URL}, Lang: lang, Width: 1280, Height: 1000})
	if lang == "vi-VN" {
		signIn(b, srv, "Email", "Mật khẩu", "Đăng nhập", "lan@example.com")
	} else {
		signIn(b, srv, "Email", "Password", "Sign in", "lan@example.com")
	}
	return srv, admin, b
}

func createArticle(t *testing.T, srv *servertest.Server, token, title string) (id, slug string) {
	t.Helper()
	var d struct{ CreateArticle struct{ ID, Slug string } }
	srv.GraphQL(t, token, `mutation($t: String!) { createArticle(input: {title: $t}) { id slug } }`, map[string]any{"t": title}).Decode(t, &d)
	return d.CreateArticle.ID, d.CreateArticle.Slug
}

type storedArticle struct {
	Status, Slug string
	Version      int
	Blocks       []struct {
		Typename string `json:"__typename"`
		Text     string
	}
}

func articleByID(t *testing.T, srv *servertest.Server, token, id string) storedArticle {
	t.Helper()
	var d struct{ Article storedArticle }
	srv.GraphQL(t, token, `query($id: ID!) { article(id: $id) { status slug version blocks { __typename ... on ParagraphBlock { text } } } }`,
		map[string]any{"id": id}).Decode(t, &d)
	return d.Article
}

// value is the value of the form field named name (by its label).
func value(b *browsertest.Browser, name string) string {
	return browsertest.Eval[string](b, fmt.Sprintf(`(() => {
		const l = [...document.querySelectorAll('label')].find((l) => l.textContent.trim() === %s);
		const el = l && (l.control || document.getElementById(l.htmlFor));
		return el ? el.value : '<no field>';
	})()`, jsString(name)))
}

// TestPublishKeepsUnsavedText: Publish now with an article that cannot be
// saved (an image block without photos) publishes nothing, says why and
// keeps the new paragraph; Unpublish keeps what was typed since the last
// save.
func TestPublishKeepsUnsavedText(t *testing.T) {
	srv, admin, b := editSetup(t, "en-US")
	id, _ := createArticle(t, srv, admin, "Phố đi bộ Nguyễn Huệ đón Tết")
	b.Navigate(srv.URL + "/desk/articles/" + id)
	b.WaitFor("textbox", "Title")

	// An image block left empty (the picker closed without a photo), then
	// a paragraph.
	b.Click("button", "Add photos")
	b.Click("button", "Cancel")
	b.Click("button", "Add paragraph")
	const para = "Đường hoa Nguyễn Huệ mở cửa đón khách từ chiều 28 Tết."
	b.Fill("Paragraph 2", para)
	b.Click("button", "Publish now")
	b.WaitText("Not saved:")
	if got := value(b, "Paragraph 2"); got != para {
		t.Errorf("after the refused publish the paragraph holds %q, want %q", got, para)
	}
	b.WaitText("Unsaved changes")
	if a := articleByID(t, srv, admin, id); a.Status != "DRAFT" || len(a.Blocks) != 0 {
		t.Errorf("after a failed save, Publish now stored %+v; want the draft unchanged", a)
	}
	b.Screenshot("publish-refused-text-kept")

	// Without the empty block it saves and publishes, paragraph and all.
	b.Click("button", "Remove block 1")
	b.Click("button", "Publish now")
	waitArticle(t, srv, admin, id, func(a storedArticle) bool {
		return a.Status == "PUBLISHED" && len(a.Blocks) == 1 && a.Blocks[0].Text == para
	})
	b.WaitTrue("saved and published", `document.querySelector('button[type=submit]').disabled`)

	// A second paragraph typed, then Unpublish: the article goes back to
	// draft and the new paragraph stays, still unsaved.
	b.Click("button", "Add paragraph")
	const second = "Năm nay có 12 tiểu cảnh rồng."
	b.Fill("Paragraph 2", second)
	b.Click("button", "Unpublish")
	waitArticle(t, srv, admin, id, func(a storedArticle) bool { return a.Status == "DRAFT" })
	b.WaitGone("button", "Unpublish")
	if got := value(b, "Paragraph 2"); got != second {
		t.Errorf("after Unpublish the new paragraph holds %q, want %q", got, second)
	}
	b.WaitText("Unsaved changes")
	b.Screenshot("unpublished-text-kept")
	// And it saves on top of the unpublished version.
	b.Click("button", "Save article")
	waitArticle(t, srv, admin, id, func(a storedArticle) bool {
		return a.Status == "DRAFT" && len(a.Blocks) == 2 && a.Blocks[1].Text == second
	})
}

// TestTypingDuringASaveIsKept: what is typed while a save is on its way
// stays in the editor (and unsaved) when the saved article comes back.
func TestTypingDuringASaveIsKept(t *testing.T) {
	srv, admin, b := editSetup(t, "en-US")
	id, _ := createArticle(t, srv, admin, "Lễ hội đường sách Tết")
	b.Navigate(srv.URL + "/desk/articles/" + id)
	b.Click("button", "Add paragraph")
	const sent, typed = "Đường sách mở cửa đến mùng 6 Tết.", "Đường sách mở cửa đến mùng 7 Tết, kéo dài thêm một ngày."
	b.Fill("Paragraph 1", sent)
	// The save is held back 4 s on its way, long enough to type.
	browsertest.Eval[bool](b, `(() => {
		const send = window.fetch;
		window.fetch = async (url, init) => {
			if (typeof init?.body === 'string' && init.body.includes('DeskSaveArticle')) await new Promise((r) => setTimeout(r, 4000));
			return send(url, init);
		};
		return true;
	})()`)
	b.Click("button", "Save article")
	b.Fill("Paragraph 1", typed)
	waitArticle(t, srv, admin, id, func(a storedArticle) bool { return len(a.Blocks) == 1 && a.Blocks[0].Text == sent })
	b.WaitTrue("the save came back", `!document.querySelector('button[type=submit]').textContent.includes('Saving')`)
	if got := value(b, "Paragraph 1"); got != typed {
		t.Errorf("after the save came back the paragraph holds %q, want what was typed meanwhile, %q", got, typed)
	}
	b.WaitText("Unsaved changes")
	b.Screenshot("typed-during-save-kept")
	b.Click("button", "Save article")
	waitArticle(t, srv, admin, id, func(a storedArticle) bool { return len(a.Blocks) == 1 && a.Blocks[0].Text == typed })
}

func waitArticle(t *testing.T, srv *servertest.Server, token, id string, ok func(storedArticle) bool) {
	t.Helper()
	var a storedArticle
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if a = articleByID(t, srv, token, id); ok(a) {
			return
		}
	}
	t.Fatalf("article is %+v", a)
}

// TestGalleryDetailsSurviveAChangeElsewhere: while an editor types a
// gallery's description, someone else changes its title and description.
// The new title shows in the form, the typed description stays (with a
// notice), and saving keeps both.
func TestGalleryDetailsSurviveAChangeElsewhere(t *testing.T) {
	srv, admin, b := editSetup(t, "vi-VN")
	var g struct{ CreateGallery struct{ ID string } }
	srv.GraphQL(t, admin, `mutation { createGallery(input: {title: "Phố đi bộ Nguyễn Huệ"}) { id } }`, nil).Decode(t, &g)
	gid := g.CreateGallery.ID
	b.Navigate(srv.URL + "/desk/galleries/" + gid)
	const typed = "Ảnh đêm giao thừa ở phố đi bộ, do nhóm phóng viên ảnh thực hiện."
	b.Fill("Mô tả", typed)

	const theirTitle = "Phố đi bộ Nguyễn Huệ đêm giao thừa"
	srv.GraphQL(t, admin, `mutation($id: ID!, $t: String!) { updateGallery(id: $id, input: {title: $t, description: "Bản của người khác"}) { id } }`,
		map[string]any{"id": gid, "t": theirTitle}).Decode(t, &struct{}{})
	b.WaitFor("heading", theirTitle) // the change arrived
	if got := value(b, "Mô tả"); got != typed {
		t.Errorf("the description being typed became %q, want %q", got, typed)
	}
	if got := value(b, "Tiêu đề"); got != theirTitle {
		t.Errorf("the title field (not edited) holds %q, want theirs %q", got, theirTitle)
	}
	b.WaitText("Có người khác vừa sửa tên hoặc mô tả bộ ảnh")
	b.Screenshot("gallery-details-kept")
	b.AssertAccessible("gallery with kept details")

	b.Click("button", "Lưu thông tin")
	var got struct {
		Gallery struct{ Title, Description string }
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		srv.GraphQL(t, admin, `query($id: ID!) { gallery(id: $id) { title description } }`, map[string]any{"id": gid}).Decode(t, &got)
		if got.Gallery.Description == typed {
			break
		}
	}
	if got.Gallery.Title != theirTitle || got.Gallery.Description != typed {
		t.Errorf("saved gallery: %+v", got.Gallery)
	}
}

// TestTakenSlugIsSaidByTheSlugField: a slug another article has is said
// by the slug field, in both languages, not as someone else's save; another
// slug then saves.
func TestTakenSlugIsSaidByTheSlugField(t *testing.T) {
	for _, l := range []struct{ lang, slug, save, taken, conflict, keepMine string }{
		{"en-US", "Address (slug)", "Save article", "Another article already has this address.", "Someone else saved this article", "Save mine over theirs"},
		{"vi-VN", "Địa chỉ (slug)", "Lưu bài viết", "Một bài viết khác đã dùng địa chỉ này.", "Có người khác đã lưu bài này", "Lưu bản của tôi"},
	} {
		t.Run(l.lang, func(t *testing.T) {
			srv, admin, b := editSetup(t, l.lang)
			_, taken := createArticle(t, srv, admin, "Ban chỉ đạo phong trào Dân vận khéo")
			id, own := createArticle(t, srv, admin, "Toạ đàm Dân vận khéo")
			b.Navigate(srv.URL + "/desk/articles/" + id)
			b.Fill(l.slug, taken)
			b.Click("button", l.save)
			b.WaitText(l.taken)
			if n := b.Count("button", l.keepMine); n != 0 {
				t.Errorf("a taken slug offers %q (%d)", l.keepMine, n)
			}
			if browsertest.Eval[bool](b, fmt.Sprintf(`document.body.innerText.includes(%s)`, jsString(l.conflict))) {
				t.Errorf("a taken slug is told as someone else's save")
			}
			desc := browsertest.Eval[string](b, `(() => {
				const el = document.getElementById('a-slug');
				return el.getAttribute('aria-invalid') + ' ' + el.getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id).textContent).join(' ');
			})()`)
			if want := "true " + l.taken; len(desc) < len(want) || desc[:len(want)] != want {
				t.Errorf("slug field: %q, want it invalid and described by %q", desc, l.taken)
			}
			b.Screenshot("slug-taken")
			b.AssertAccessible("slug taken")
			if a := articleByID(t, srv, admin, id); a.Slug != own {
				t.Errorf("slug stored: %q, want %q", a.Slug, own)
			}

			b.Fill(l.slug, taken+"-toa-dam")
			b.Click("button", l.save)
			waitArticle(t, srv, admin, id, func(a storedArticle) bool { return a.Slug == taken+"-toa-dam" })
			b.WaitTrue("the slug message gone", `document.getElementById('a-slug').getAttribute('aria-invalid') === null`)
		})
	}
}

// dialogs answers the page's JavaScript dialogs (confirm, beforeunload)
// and records them.
type dialogs struct {
	mu     sync.Mutex
	accept bool
	seen   []page.EventJavascriptDialogOpening
}

func answerDialogs(t *testing.T, b *browsertest.Browser) *dialogs {
	d := &dialogs{}
	err := chromedp.Listen(b.Ctx, func(ev any) {
		var e page.EventJavascriptDialogOpening
		switch v := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			e = *v
		case page.EventJavascriptDialogOpening:
			e = v
		default:
			return
		}
		d.mu.Lock()
		d.seen = append(d.seen, e)
		accept := d.accept
		d.mu.Unlock()
		// Commands may not run inside a listener.
		go chromedp.Do(b.Ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
			return err
		}))
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (d *dialogs) answer(accept bool) {
	d.mu.Lock()
	d.accept = accept
	d.mu.Unlock()
}

// wait takes the dialogs seen once there are n (or after 20 s, the
// browser harness's own wait: a busy machine can take seconds to show
// one, and a wait for a dialog that comes ends when it does).
func (d *dialogs) wait(t *testing.T, n int) []page.EventJavascriptDialogOpening {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		d.mu.Lock()
		k := len(d.seen)
		d.mu.Unlock()
		if k >= n {
			break
		}
	}
	return d.take()
}

func (d *dialogs) take() []page.EventJavascriptDialogOpening {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.seen
	d.seen = nil
	return s
}

// TestLeavingWithUnsavedEditsAsks: with unsaved text, a link or Back asks
// first (in the desk's language); staying keeps the page and the text,
// leaving leaves; closing or reloading the page gets the browser's warning.
func TestLeavingWithUnsavedEditsAsks(t *testing.T) {
	srv, admin, b := editSetup(t, "vi-VN")
	d := answerDialogs(t, b)
	id, _ := createArticle(t, srv, admin, "Chợ hoa Tết bến Bình Đông")
	b.Navigate(srv.URL + "/desk/articles/" + id)
	b.Click("button", "Thêm đoạn văn")
	const para = "Ghe hoa từ miền Tây cập bến từ rằm tháng Chạp."
	b.Fill("Đoạn 1", para)

	// Stay.
	d.answer(false)
	b.Click("link", "Bài viết")
	seen := d.wait(t, 1)
	if len(seen) != 1 || seen[0].Type != page.DialogTypeConfirm || seen[0].Message != "Trang này còn thay đổi chưa lưu. Rời trang và bỏ các thay đổi đó?" {
		t.Fatalf("dialogs on leaving with unsaved text: %+v", seen)
	}
	if got := value(b, "Đoạn 1"); got != para || !browsertest.Eval[bool](b, `location.pathname.startsWith('/desk/articles/')`) {
		t.Errorf("after choosing to stay: at %s with %q", browsertest.Eval[string](b, `location.pathname`), got)
	}
	b.Screenshot("stayed")

	// Reloading asks too (the browser's own dialog).
	d.answer(false)
	ctx, cancel := context.WithTimeout(b.Ctx, 5*time.Second)
	_ = chromedp.Do(ctx, chromedp.Reload())
	cancel()
	if seen := d.wait(t, 1); len(seen) != 1 || seen[0].Type != page.DialogTypeBeforeunload {
		t.Errorf("dialogs on reload with unsaved text: %+v", seen)
	}

	// Leave.
	d.answer(true)
	b.Click("link", "Bài viết")
	b.WaitFor("textbox", "Tiêu đề bài mới")
	if seen := d.wait(t, 1); len(seen) != 1 {
		t.Errorf("dialogs on leaving: %+v", seen)
	}

	// With nothing unsaved nothing asks.
	b.Navigate(srv.URL + "/desk/articles/" + id)
	b.WaitFor("textbox", "Tiêu đề")
	b.Click("link", "Bài viết")
	b.WaitFor("textbox", "Tiêu đề bài mới")
	if seen := d.take(); len(seen) != 0 {
		t.Errorf("dialogs with nothing unsaved: %+v", seen)
	}

	// A gallery's details, reached by links, and Back: staying keeps the
	// page (and its address) and the text.
	srv.GraphQL(t, admin, `mutation { createGallery(input: {title: "Chợ hoa Bình Đông"}) { id } }`, nil).Decode(t, &struct{}{})
	b.Click("link", "Bộ ảnh")
	b.Click("link", "Chợ hoa Bình Đông")
	const desc = "Ảnh của nhóm phóng viên ảnh, sáng 27 Tết."
	b.Fill("Mô tả", desc)
	gallery := browsertest.Eval[string](b, `location.pathname`)
	d.answer(false)
	browsertest.Eval[bool](b, `(history.back(), true)`)
	if seen := d.wait(t, 1); len(seen) != 1 || seen[0].Type != page.DialogTypeConfirm {
		t.Errorf("dialogs on Back with unsaved details: %+v", seen)
	}
	b.WaitTrue("the gallery's address is back", fmt.Sprintf(`location.pathname === %s`, jsString(gallery)))
	if got := value(b, "Mô tả"); got != desc {
		t.Errorf("after Back refused the description holds %q, want %q", got, desc)
	}
	b.Screenshot("back-refused")
}

// TestGalleryPublishSavesTypedDetails: Publish now with details typed and
// not saved saves them first, so the published gallery has them; when
// they cannot be saved (an empty title) nothing is published, the desk
// says why in its language (by the title field, focused) and the typed
// text stays.
func TestGalleryPublishSavesTypedDetails(t *testing.T) {
	srv, admin, b := editSetup(t, "vi-VN")
	var g struct{ CreateGallery struct{ ID string } }
	srv.GraphQL(t, admin, `mutation { createGallery(input: {title: "Đường hoa Nguyễn Huệ"}) { id } }`, nil).Decode(t, &g)
	gid := g.CreateGallery.ID
	type stored struct{ Title, Description, Status string }
	read := func() stored {
		var d struct{ Gallery stored }
		srv.GraphQL(t, admin, `query($id: ID!) { gallery(id: $id) { title description status } }`, map[string]any{"id": gid}).Decode(t, &d)
		return d.Gallery
	}
	b.Navigate(srv.URL + "/desk/galleries/" + gid)
	const desc = "Đường hoa Nguyễn Huệ Tết Bính Ngọ, ảnh của nhóm phóng viên ảnh."

	// The title emptied: the details cannot be saved, nothing is published.
	b.Fill("Mô tả", desc)
	b.Fill("Tiêu đề", "")
	b.Click("button", "Xuất bản ngay")
	b.WaitText("Chưa xuất bản: chưa lưu được thông tin. Bộ ảnh cần có tiêu đề.")
	if got := browsertest.Eval[string](b, `document.activeElement.id + ' ' + document.activeElement.getAttribute('aria-invalid') + ' ' + document.getElementById(document.activeElement.getAttribute('aria-describedby'))?.textContent`); got != "g-title true Bộ ảnh cần có tiêu đề." {
		t.Errorf("the focused field: %q, want the title, invalid, described by its message", got)
	}
	if got := read(); got.Status != "DRAFT" || got.Description != "" {
		t.Errorf("after a refused save Publish stored %+v; want the draft unchanged", got)
	}
	if got := value(b, "Mô tả"); got != desc {
		t.Errorf("after the refused publish the description holds %q, want %q", got, desc)
	}
	b.Screenshot("publish-details-refused")
	b.AssertAccessible("gallery publish refused")

	// A title again: Publish saves both, then publishes.
	const title = "Đường hoa Nguyễn Huệ Tết Bính Ngọ"
	b.Fill("Tiêu đề", title)
	b.Click("button", "Xuất bản ngay")
	b.WaitText("Đã xuất bản.")
	if got := read(); got != (stored{title, desc, "PUBLISHED"}) {
		t.Errorf("published gallery: %+v, want the typed title and description", got)
	}
	if got := value(b, "Mô tả"); got != desc {
		t.Errorf("after publishing the description holds %q, want %q", got, desc)
	}
	b.Screenshot("published-with-details")
}

// TestDownloadKeepsUnsavedEdits: Download original with a caption typed
// and not saved saves the original as a file without leaving the page: no
// leave-page warning, the typed caption stays, the file is the upload.
func TestDownloadKeepsUnsavedEdits(t *testing.T) {
	srv, admin, b := editSetup(t, "vi-VN")
	d := answerDialogs(t, b)
	data := photo(t, 960, 540, 7)
	const name = "Sequence 01.00_00_04_21.Still120.jpg"
	id := upload(t, srv, admin, name, data)
	dir := t.TempDir()
	b.Do("allow downloads", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		events := true
		_, err := cdp.Call(ctx, tg, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir, EventsEnabled: &events})
		return err
	}))
	b.Navigate(srv.URL + "/desk/assets/" + id)
	const caption = "Đường hoa Nguyễn Huệ lúc 6 giờ sáng mùng 1 Tết."
	b.Fill("Chú thích", caption)
	d.answer(false)
	b.Click("button", "Tải ảnh gốc")

	var got []byte
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if got, _ = os.ReadFile(filepath.Join(dir, name)); bytes.Equal(got, data) {
			break
		}
	}
	if !bytes.Equal(got, data) {
		entries, _ := os.ReadDir(dir)
		t.Errorf("downloaded %s: %d bytes (want the %d uploaded); the folder holds %v", name, len(got), len(data), entries)
	}
	if seen := d.take(); len(seen) != 0 {
		t.Errorf("dialogs on download: %+v", seen)
	}
	if got := value(b, "Chú thích"); got != caption {
		t.Errorf("after the download the caption holds %q, want %q", got, caption)
	}
	if p := browsertest.Eval[string](b, `location.pathname`); p != "/desk/assets/"+id {
		t.Errorf("after the download the page is %s", p)
	}
	b.WaitFor("button", "Bỏ thay đổi") // still unsaved
	b.Screenshot("downloaded-edits-kept")
}

// TestDeleteWithUnseenChangesIsRefused: an editor with unsaved text does
// not take in another editor's save (the page says so); Delete then sends
// the version the editor saw, so the server refuses it (CONFLICT) and the
// desk says why in its language: nobody deletes work they have not seen.
func TestDeleteWithUnseenChangesIsRefused(t *testing.T) {
	srv, admin, b := editSetup(t, "vi-VN")
	d := answerDialogs(t, b)
	d.answer(true)
	id, _ := createArticle(t, srv, admin, "Đường sách Tết Bính Ngọ")
	b.Navigate(srv.URL + "/desk/articles/" + id)
	b.Click("button", "Thêm đoạn văn")
	b.Fill("Đoạn 1", "Hơn 100 gian hàng sách.")

	// Another editor saves meanwhile.
	srv.GraphQL(t, admin, `mutation($id: ID!) { updateArticle(id: $id, input: {summary: "Bản tóm tắt của người khác"}) { version } }`,
		map[string]any{"id": id}).Decode(t, &struct{}{})
	b.WaitText("Có người khác đã sửa bài này")

	b.Click("button", "Xóa bài viết")
	if seen := d.wait(t, 1); len(seen) != 1 || seen[0].Type != page.DialogTypeConfirm {
		t.Fatalf("dialogs on Delete: %+v", seen)
	}
	b.WaitText("Chưa xóa: có người khác đã lưu bài này")
	if a := articleByID(t, srv, admin, id); a.Version != 2 {
		t.Fatalf("after the refused delete the article is %+v; want it kept at version 2", a)
	}
	if got := value(b, "Đoạn 1"); got != "Hơn 100 gian hàng sách." {
		t.Errorf("after the refused delete the paragraph holds %q", got)
	}
	b.Screenshot("delete-refused")
}
