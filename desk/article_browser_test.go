package desk_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stillroom/stillroom/internal/browsertest"
	"github.com/stillroom/stillroom/internal/servertest"
)

// The seed article's title and its first three paragraphs, as an editor
// pastes them from the portal's page.
const (
	seedTitle    = "Ban chỉ đạo phong trào Thi đua “Dân vận khéo” thành phố tổ chức toạ đàm"
	seedSection  = "Tin tức - Sự kiện"
	seedPasted   = "Sáng ngày 12/8/2022, Ban chỉ đạo phong trào thi đua “Dân vận khéo” thành phố tổ chức Toạ đàm: Đổi mới, nâng cao chất lượng, hiệu quả phong trào thi đua “Dân vận khéo” trên địa bàn TP năm 2022.\n\nVề dự có đồng chí Nguyễn Đức Toàn – Uỷ viên BTV tỉnh uỷ - Bí thư thành uỷ - Chủ tịch HĐND thành phố.\n\nXác định “Dân vận khéo\" là một trong những yếu tố quan trọng trong phát triển kinh tế, xoá đói giảm nghèo, xây dựng NTM, đô thị văn minh."
	seedGallery  = "Toạ đàm Dân vận khéo"
	pairOneLeft  = "Sequence 01.00_00_39_06.Still124.jpg"
	pairOneRight = "Sequence 01.00_00_39_23.Still132.jpg"
	pairTwoLeft  = "Sequence 01.00_00_35_09.Still131.jpg"
	pairTwoRight = "Sequence 01.00_00_13_02.Still122.jpg"
)

type articleLabels struct {
	lang, email, password, signIn, articles, newTitle, create, section, addParagraph, paragraph1, paragraph3, addPhotos,
	selectName, add2, addGallery, save, preview, previewTitle, publishAt, schedule, scheduled, scheduledFor, block, photos, gallery,
	status, statusScheduled, order, titleDesc, date, time, dateLayout, timeLayout string
}

var articleEnglish = articleLabels{
	lang: "en-US", email: "Email", password: "Password", signIn: "Sign in", articles: "Articles",
	newTitle: "New article title", create: "Create article", section: "Section", addParagraph: "Add paragraph",
	paragraph1: "Paragraph 1", paragraph3: "Paragraph 3", addPhotos: "Add photos", selectName: "Select %s", add2: "Add 2 photos",
	addGallery: "Add gallery", save: "Save article", preview: "Preview", previewTitle: "Preview: as readers will see it",
	publishAt: "Publish at (time zone %s)", schedule: "Schedule", scheduled: "Scheduled", scheduledFor: "Scheduled for",
	block: "Block %d: %s", photos: "Photos", gallery: "Gallery",
	status: "Status", statusScheduled: "Scheduled", order: "Order", titleDesc: "Title Z–A",
	date: "Date", time: "Time", dateLayout: "01/02/2006", timeLayout: "3:04 PM",
}

var articleVietnamese = articleLabels{
	lang: "vi-VN", email: "Email", password: "Mật khẩu", signIn: "Đăng nhập", articles: "Bài viết",
	newTitle: "Tiêu đề bài mới", create: "Tạo bài viết", section: "Chuyên mục", addParagraph: "Thêm đoạn văn",
	paragraph1: "Đoạn 1", paragraph3: "Đoạn 3", addPhotos: "Thêm ảnh", selectName: "Chọn %s", add2: "Thêm 2 ảnh",
	addGallery: "Thêm bộ ảnh", save: "Lưu bài viết", preview: "Xem trước", previewTitle: "Xem trước: như người đọc sẽ thấy",
	publishAt: "Xuất bản lúc (múi giờ %s)", schedule: "Lên lịch", scheduled: "Lịch xuất bản", scheduledFor: "Đã lên lịch lúc",
	block: "Khối %d: %s", photos: "Ảnh", gallery: "Bộ ảnh",
	status: "Trạng thái", statusScheduled: "Đã lên lịch", order: "Thứ tự", titleDesc: "Tiêu đề Z–A",
	date: "Ngày", time: "Giờ", dateLayout: "02/01/2006", timeLayout: "15:04",
}

// TestEditorBuildsTheSeedArticle builds the seed article in the desk, in
// English and Vietnamese (in parallel: most of it is waiting for the
// scheduled minute): paragraphs pasted in one go, the two pairs of stills as
// two-image blocks, the gallery; previews it as a reader would see it;
// schedules it a minute ahead, finds it in the Scheduled view, and reads it
// anonymously through the API once the minute has passed.
func TestEditorBuildsTheSeedArticle(t *testing.T) {
	for _, l := range []articleLabels{articleEnglish, articleVietnamese} {
		t.Run(l.lang, func(t *testing.T) {
			t.Parallel()
			buildArticle(t, l)
		})
	}
}

func buildArticle(t *testing.T, l articleLabels) {
	srv := servertest.Start(t, servertest.Options{Admin: "admin@example.com"})
	admin := srv.Login(t, "admin@example.com", servertest.Password)
	srv.CreateUser(t, admin, "lan@example.com", "Trần Thị Lan", "EDITOR")
	var ids []string
	for i, name := range seedStills {
		id := upload(t, srv, admin, name, photo(t, 960, 540, uint64(200+i)))
		srv.GraphQL(t, admin, `mutation($id: ID!) { updateAsset(id: $id, input: {credit: "Ảnh: Tuổi Trẻ", altText: "Quang cảnh buổi toạ đàm"}) { id } }`,
			map[string]any{"id": id}).Decode(t, &struct{}{})
		ids = append(ids, id)
	}
	var g struct{ CreateGallery struct{ ID string } }
	srv.GraphQL(t, admin, `mutation($t: String!) { createGallery(input: {title: $t}) { id } }`, map[string]any{"t": seedGallery}).Decode(t, &g)
	srv.GraphQL(t, admin, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { id } }`,
		map[string]any{"g": g.CreateGallery.ID, "a": ids}).Decode(t, &struct{}{})

	b := browsertest.Start(t, browsertest.Options{Allow: []string{srv.URL}, Lang: l.lang, Timezone: "Asia/Ho_Chi_Minh", Width: 1280, Height: 1000, Timeout: time.Minute})
	signIn(b, srv, l.email, l.password, l.signIn, "lan@example.com")
	b.Click("link", l.articles)
	b.Fill(l.newTitle, seedTitle)
	b.Click("button", l.create)
	b.Fill(l.section, seedSection)

	b.Click("button", l.addParagraph)
	b.Focus("textbox", l.paragraph1)
	text, _ := json.Marshal(seedPasted)
	browsertest.Eval[bool](b, fmt.Sprintf(`(() => {
		const dt = new DataTransfer();
		dt.setData('text/plain', %s);
		return document.activeElement.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
	})()`, text))
	b.WaitFor("textbox", l.paragraph3)

	for _, pair := range [][2]string{{pairOneLeft, pairOneRight}, {pairTwoLeft, pairTwoRight}} {
		b.Click("button", l.addPhotos)
		b.Click("checkbox", fmt.Sprintf(l.selectName, pair[0]))
		b.Click("checkbox", fmt.Sprintf(l.selectName, pair[1]))
		b.Click("button", l.add2)
		b.WaitText(pair[1])
	}
	b.Click("button", l.addGallery)
	// The gallery block dragged above the first photos, then taken back to
	// the end from the keyboard.
	b.Drag("button", fmt.Sprintf(l.block, 6, l.gallery), "button", fmt.Sprintf(l.block, 4, l.photos), -20)
	b.WaitFor("button", fmt.Sprintf(l.block, 4, l.gallery))
	b.Focus("button", fmt.Sprintf(l.block, 4, l.gallery))
	b.Press(kb.ArrowDown, chromedp.KeyModifiers(chromedp.ModifierAlt))
	b.Focus("button", fmt.Sprintf(l.block, 5, l.gallery))
	b.Press(kb.ArrowDown, chromedp.KeyModifiers(chromedp.ModifierAlt))
	b.WaitFor("button", fmt.Sprintf(l.block, 6, l.gallery))
	b.Click("button", l.save)
	b.WaitTrue("saved", `document.querySelector('button[type=submit]').disabled`)
	b.AssertAccessible("article editor")
	b.Screenshot("article-built")

	b.Click("button", l.preview)
	b.WaitFor("heading", l.previewTitle)
	b.WaitTrue("every preview image loaded", `(() => {
		const imgs = [...document.querySelectorAll('.reader img')];
		imgs.forEach((i) => i.loading = 'eager');
		return imgs.length === 12 && imgs.every((i) => i.complete && i.naturalWidth > 0);
	})()`)
	// The reader's page takes the WebP twins; the shared-link card shows
	// the social crop.
	b.WaitTrue("WebP in the preview and the social card", `(() => {
		const webp = [...document.querySelectorAll('.reader img')].every((i) => new URL(i.currentSrc).pathname.endsWith('.webp'));
		const card = document.querySelector('.shared img');
		return webp && card && card.complete && card.naturalWidth > 0 && /\/social(\.jpg)?$/.test(new URL(card.currentSrc).pathname);
	})()`)
	b.Screenshot("preview")
	b.AssertAccessible("preview")

	// A minute ahead, on the minute (the picker has minutes, not seconds).
	zone := browsertest.Eval[string](b, `Intl.DateTimeFormat().resolvedOptions().timeZone`)
	at := time.Now().Add(time.Minute).Truncate(time.Minute).Add(time.Minute)
	local, _ := time.LoadLocation(zone)
	// Typed in the desk's language: its order of day and month, its clock.
	b.WaitFor("group", fmt.Sprintf(l.publishAt, zone))
	b.Fill(l.date, at.In(local).Format(l.dateLayout))
	b.Fill(l.time, at.In(local).Format(l.timeLayout))
	b.Click("button", l.schedule)
	b.WaitText(l.scheduledFor)
	b.Click("link", l.scheduled)
	b.WaitText(seedTitle)
	b.Screenshot("scheduled")
	b.AssertAccessible("scheduled view")

	// The list's filters: two drafts beside it, ordered by their folded
	// titles (Đ after D, Ă after A); the status menu keeps only the
	// scheduled one.
	for _, title := range []string{"Đêm nhạc Trịnh bên sông Hàn", "Ăn Tết sớm ở Hội An"} {
		srv.GraphQL(t, admin, `mutation($t: String!) { createArticle(input: {title: $t}) { id } }`, map[string]any{"t": title}).Decode(t, &struct{}{})
	}
	b.Navigate(srv.URL + "/desk/articles")
	b.Select(l.order, l.titleDesc)
	rows := `[...document.querySelectorAll('tbody tr td:first-child')].map((td) => td.textContent.trim())`
	b.WaitTrue("three articles, Z to A", rows+`.join('|') === `+jsString("Đêm nhạc Trịnh bên sông Hàn|"+seedTitle+"|Ăn Tết sớm ở Hội An"))
	b.Select(l.status, l.statusScheduled)
	b.WaitTrue("only the scheduled article", rows+`.join('|') === `+jsString(seedTitle))
	b.Screenshot("articles-filtered")
	b.AssertAccessible("articles list")

	// Readers see nothing before the minute, the whole article after it.
	var d struct {
		Articles struct {
			Edges []struct {
				Node struct {
					Title, Status, Section string
					Blocks                 []struct {
						Typename string `json:"__typename"`
						Items    []struct{ Asset struct{ Filename *string } }
						Gallery  *struct {
							Status string
							Items  []struct{ Asset struct{ ID string } }
						}
					}
				}
			}
		}
	}
	const q = `{ articles(first: 5) { edges { node { title status section blocks { __typename
		... on ImageBlock { items { asset { filename } } } ... on GalleryBlock { gallery { status items { asset { id } } } } } } } } }`
	srv.GraphQL(t, "", q, nil).Decode(t, &d)
	if len(d.Articles.Edges) != 0 && time.Now().Before(at) {
		t.Fatalf("readers see the article before its time: %+v", d)
	}
	time.Sleep(time.Until(at) + time.Second)
	srv.GraphQL(t, "", q, nil).Decode(t, &d)
	if len(d.Articles.Edges) != 1 {
		t.Fatalf("after the scheduled time readers see %d articles", len(d.Articles.Edges))
	}
	a := d.Articles.Edges[0].Node
	if a.Title != seedTitle || a.Status != "PUBLISHED" || a.Section != seedSection {
		t.Errorf("article: %q %s %q", a.Title, a.Status, a.Section)
	}
	var kinds []string
	for _, bl := range a.Blocks {
		kinds = append(kinds, fmt.Sprintf("%s/%d", bl.Typename, len(bl.Items)))
		if bl.Gallery != nil && (bl.Gallery.Status != "PUBLISHED" || len(bl.Gallery.Items) != 8) {
			t.Errorf("gallery block: %+v", bl.Gallery)
		}
	}
	want := []string{"ParagraphBlock/0", "ParagraphBlock/0", "ParagraphBlock/0", "ImageBlock/2", "ImageBlock/2", "GalleryBlock/0"}
	if fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Errorf("blocks: %v, want %v", kinds, want)
	}
}

// jsString quotes s for JavaScript.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
