package desk_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"
	"github.com/stillroom/stillroom/internal/browsertest"
	"github.com/stillroom/stillroom/internal/servertest"
)

// labels are what a person reads on the desk, in one language.
type labels struct {
	lang, email, password, signIn, upload, selectAll, selected, edit10, credit, apply10,
	open, altText, caption, focal, save, saved, library, search, duplicate, notImage, onePhoto, clear, order, timecode string
}

var english = labels{
	lang: "en-US", email: "Email", password: "Password", signIn: "Sign in", upload: "Upload",
	selectAll: "Select all", selected: "10 selected", edit10: "Edit 10 photos", credit: "Credit", apply10: "Apply to 10 photos",
	open: "Open %s", altText: "Alt text", caption: "Caption", focal: "Focal point", save: "Save", saved: "Saved.",
	library: "Library", search: "Search", duplicate: "Already in the library", notImage: "Not an image the desk accepts", onePhoto: "1 photo", clear: "Clear finished", order: "Order", timecode: "Timecode",
}

var vietnamese = labels{
	lang: "vi-VN", email: "Email", password: "Mật khẩu", signIn: "Đăng nhập", upload: "Tải lên",
	selectAll: "Chọn tất cả", selected: "Đã chọn 10", edit10: "Sửa 10 ảnh", credit: "Tác giả", apply10: "Áp dụng cho 10 ảnh",
	open: "Mở %s", altText: "Văn bản thay thế", caption: "Chú thích", focal: "Tiêu điểm", save: "Lưu", saved: "Đã lưu.",
	library: "Thư viện", search: "Tìm kiếm", duplicate: "Đã có trong thư viện", notImage: "Không phải định dạng ảnh được nhận", onePhoto: "1 ảnh", clear: "Xóa mục đã xong", order: "Thứ tự", timecode: "Timecode",
}

// TestPhotographerUploadsAShoot is part 1 of the desk as a photographer
// lives it, in English and in Vietnamese, against a real server storing
// files in real MinIO (so uploads go straight to it, presigned): sign in,
// upload twelve files of which one is a duplicate and one an HTML page
// named .jpg, see ten thumbnails and the two refusals explained, set the
// credit of all ten at once, edit one photo's alt text and focal point,
// and find it by searching without diacritics. The API then confirms it.
func TestPhotographerUploadsAShoot(t *testing.T) {
	for _, l := range []labels{english, vietnamese} {
		t.Run(l.lang, func(t *testing.T) { photographerFlow(t, l) })
	}
}

func photographerFlow(t *testing.T, l labels) {
	srv := servertest.Start(t, servertest.Options{MinIO: true, Admin: "admin@example.com"})
	admin := srv.Login(t, "admin@example.com", servertest.Password)
	srv.CreateUser(t, admin, "minh@example.com", "Nguyễn Minh Trí", "PHOTOGRAPHER")
	files := shoot(t)

	b := browsertest.Start(t, browsertest.Options{Allow: []string{srv.URL, srv.ObjectsURL}, Lang: l.lang, Width: 1280, Height: 900, Timeout: 2 * time.Minute})
	b.Navigate(srv.URL + "/desk/")
	b.Fill(l.email, "minh@example.com")
	b.Fill(l.password, servertest.Password)
	b.Click("button", l.signIn)
	b.WaitFor("link", l.library)
	b.AssertAccessible("empty library")
	b.Screenshot("library-empty")

	b.SetFiles(l.upload, files)
	// Ten thumbnails, every one loaded from its WebP rendition.
	b.WaitTrue("ten WebP thumbnails have loaded", `[...document.querySelectorAll('.grid img.loaded')].filter((i) => new URL(i.currentSrc).pathname.endsWith('.webp')).length === 10`)
	b.WaitText(l.duplicate)
	b.WaitText(l.notImage)
	if n := b.Count("link", fmt.Sprintf(l.open, "Sequence 01.00_00_04_21.Still120.jpg")); n != 1 {
		t.Errorf("links to the first still: %d, want 1", n)
	}
	b.Screenshot("uploaded")
	b.Click("button", l.clear)
	b.WaitGone("button", l.clear)
	b.AssertAccessible("library with uploads")

	// Everything selected, one credit for the shoot.
	b.Click("button", l.selectAll)
	b.WaitText(l.selected)
	b.Click("button", l.edit10)
	b.Fill(l.credit, "Ảnh: Nguyễn Minh Trí")
	b.Screenshot("bulk-edit")
	b.AssertAccessible("bulk edit dialog")
	b.Click("button", l.apply10)
	b.WaitGone("button", l.apply10)

	// One photo: alt text and a focal point a quarter across, a third down.
	b.Click("link", fmt.Sprintf(l.open, "Sequence 01.00_00_04_21.Still120.jpg"))
	b.WaitFor("textbox", l.altText)
	b.Fill(l.altText, "Dân vận khéo: cán bộ phường trò chuyện với bà con")
	b.ClickAt("slider", l.focal, 0.25, 0.34)
	b.Focus("slider", l.focal)
	b.Press(kb.ArrowRight) // two per cent further right
	b.Click("button", l.save)
	b.WaitText(l.saved)
	// The crop previews show the server's crops: the largest square and
	// 1.91:1 box centred on the point as near as the edges allow, so on
	// this 1200×800 photo both sit against an edge (a plain "27% 34%"
	// would show other crops).
	b.WaitTrue("crop previews follow the server's crops", `(() => {
		const at = (sel) => getComputedStyle(document.querySelector(sel)).objectPosition;
		return at('.square img') === '0% 50%' && at('.wide img') === '50% 0%';
	})()`)
	b.Screenshot("asset-edited")
	b.AssertAccessible("asset page")

	// Back in the library, in timecode order, then found without diacritics.
	b.Click("link", l.library)
	b.Select(l.order, l.timecode)
	b.WaitTrue("timecode order", `(() => {
		const names = [...document.querySelectorAll('.grid li .name')].map((n) => n.textContent);
		return names.length === 10 && names[0] === 'Sequence 01.00_00_04_21.Still120.jpg' && names[9] === 'Sequence 01.00_00_49_23.Still129.jpg';
	})()`)
	b.Fill(l.search, "dan van kheo")
	b.WaitText(l.onePhoto)
	b.WaitTrue("one thumbnail", `document.querySelectorAll('.grid li').length === 1`)
	b.Screenshot("search")

	// The API agrees.
	var got struct {
		Assets struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					Filename, Credit string
					AltText          *string
					FocalPoint       *struct{ X, Y float64 }
				}
			}
		}
	}
	srv.GraphQL(t, admin, `{ assets(first: 50) { totalCount edges { node { filename credit altText focalPoint { x y } } } } }`, nil).Decode(t, &got)
	if got.Assets.TotalCount != 10 {
		t.Fatalf("assets in the library: %d, want 10", got.Assets.TotalCount)
	}
	for _, e := range got.Assets.Edges {
		n := e.Node
		if n.Credit != "Ảnh: Nguyễn Minh Trí" {
			t.Errorf("%s: credit %q", n.Filename, n.Credit)
		}
		if n.Filename == "Sequence 01.00_00_04_21.Still120.jpg" {
			if n.AltText == nil || !strings.HasPrefix(*n.AltText, "Dân vận khéo") {
				t.Errorf("alt text: %v", n.AltText)
			}
			if f := n.FocalPoint; f == nil || math.Abs(f.X-0.27) > 0.012 || math.Abs(f.Y-0.34) > 0.012 {
				t.Errorf("focal point: %+v, want about (0.27, 0.34)", f)
			}
		}
	}
	var found struct {
		Assets struct{ TotalCount int }
	}
	srv.GraphQL(t, admin, `{ assets(filter: {search: "dan van kheo"}) { totalCount } }`, nil).Decode(t, &found)
	if found.Assets.TotalCount != 1 {
		t.Errorf("API search: %d, want 1", found.Assets.TotalCount)
	}
}

var stillName = regexp.MustCompile(`^Sequence 01\.00_00_\d\d_\d\d\.Still\d+\.jpg$`)

// shoot writes twelve files: ten distinct photo-like stills named as the
// newsroom's editing software exports them, a copy of the first under
// another name, and an HTML page named .jpg.
func shoot(t *testing.T) []string {
	dir := t.TempDir()
	var files []string
	var first []byte
	for i := range 10 {
		name := fmt.Sprintf("Sequence 01.00_00_%02d_%02d.Still%d.jpg", 4+i*5, (21+i*3)%25, 120+i)
		if !stillName.MatchString(name) {
			t.Fatal(name)
		}
		data := photo(t, 1200, 800, uint64(i+1))
		if i == 0 {
			first = data
		}
		files = append(files, write(t, dir, name, data))
	}
	files = append(files, write(t, dir, "Sequence 01.00_00_04_21.Still120 copy.jpg", first))
	files = append(files, write(t, dir, "trang-chu.jpg", []byte("<!doctype html><html><body><h1>Không phải ảnh</h1></body></html>")))
	return files
}

func write(t *testing.T, dir, name string, data []byte) string {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// photo makes a w×h JPEG that compresses like a photograph: a sky-like
// gradient, soft shapes and sensor-like noise.
func photo(t *testing.T, w, h int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed*7919))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	cx, cy, rad := r.Float64()*float64(w), r.Float64()*float64(h), 80+r.Float64()*200
	base := [3]float64{60 + r.Float64()*120, 60 + r.Float64()*120, 60 + r.Float64()*120}
	for y := range h {
		for x := range w {
			d := math.Hypot(float64(x)-cx, float64(y)-cy)
			glow := 90 * math.Exp(-d*d/(2*rad*rad))
			var c [3]uint8
			for k := range 3 {
				v := base[k] + float64(y)/float64(h)*60 - float64(k)*10 + glow + r.NormFloat64()*6
				c[k] = uint8(max(0, min(255, v)))
			}
			img.SetRGBA(x, y, color.RGBA{c[0], c[1], c[2], 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 88}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
