package main

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	xwebp "golang.org/x/image/webp"

	"github.com/stillroom/stillroom/internal/browsertest"
)

const pictureFields = `id
	renditions { name width height format url }
	webp: renditions(format: WEBP) { name width height format url }
	jpeg: renditions(format: JPEG) { name format }
	png: renditions(format: PNG) { name format }
	srcset
	webpSrcset: srcset(format: WEBP)
	sources { type srcset }
	socialImage { name width height format url }`

// TestPictureAPI checks the <picture>-ready fields on assets, gallery
// items and image blocks, the WebP bytes behind them, and the article's
// social image.
func TestPictureAPI(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword, "PUBLISH_GATE": "off"}, true)
	tok := login(t, s, adminEmail, adminPassword)
	up := func(name string, data []byte) map[string]any {
		id := uploadReady(t, s, tok, name, data)
		return s.mustGQL(t, tok, `query($id: ID!) { asset(id: $id) { `+pictureFields+` } }`, map[string]any{"id": id})["asset"].(map[string]any)
	}
	photo := up("photo.jpg", photoJPEG(t, 1600, 1000, 3))
	clear := up("logo.png", translucentPNG(t, 700, 500))

	for _, tc := range []struct {
		a       map[string]any
		primary string
	}{{photo, "jpeg"}, {clear, "png"}} {
		id := tc.a["id"].(string)
		webp := tc.a["webp"].([]any)
		var names []string
		for _, r := range webp {
			names = append(names, dig(r, "name").(string))
			if dig(r, "format") != "webp" || !strings.Contains(dig(r, "url").(string), "/"+id+"/"+dig(r, "name").(string)+".webp?v=") {
				t.Errorf("%s: webp rendition %v", tc.primary, r)
			}
		}
		if got := strings.Join(names, " "); got != "w2048 w1024 w512 w256 square512" {
			t.Errorf("%s: WEBP renditions %s", tc.primary, got)
		}
		// No argument: the JPEG/PNG set as before, with the social card.
		var plain []string
		for _, r := range tc.a["renditions"].([]any) {
			f := "jpeg"
			if dig(r, "name") != "social" {
				f = tc.primary
			}
			if dig(r, "format") != f {
				t.Errorf("%s: %v, want format %s", tc.primary, r, f)
			}
			plain = append(plain, dig(r, "name").(string))
		}
		if got := strings.Join(plain, " "); got != "w2048 w1024 w512 w256 square512 social" {
			t.Errorf("%s: renditions %s", tc.primary, got)
		}
		wantJPEG, wantPNG := 6, 0
		if tc.primary == "png" {
			wantJPEG, wantPNG = 1, 5 // the social card is always JPEG
		}
		if len(tc.a["jpeg"].([]any)) != wantJPEG || len(tc.a["png"].([]any)) != wantPNG {
			t.Errorf("%s: renditions(format: JPEG) %v, (format: PNG) %v", tc.primary, tc.a["jpeg"], tc.a["png"])
		}
		sources := tc.a["sources"].([]any)
		if len(sources) != 2 || dig(sources, 0, "type") != "image/webp" || dig(sources, 0, "srcset") != tc.a["webpSrcset"] ||
			dig(sources, 1, "type") != "image/"+tc.primary || dig(sources, 1, "srcset") != tc.a["srcset"] {
			t.Errorf("%s: sources %v", tc.primary, sources)
		}
		if set := tc.a["webpSrcset"].(string); strings.Count(set, ".webp?v=") != strings.Count(tc.a["srcset"].(string), "?v=") || !strings.HasSuffix(set, "w") {
			t.Errorf("%s: webp srcset %q vs %q", tc.primary, set, tc.a["srcset"])
		}
		// The bytes: a WebP of the size the API says, cacheable like the JPEG.
		for _, r := range webp {
			resp, body := s.fetch(t, dig(r, "url").(string), map[string]string{"Authorization": "Bearer " + tok})
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/webp" || resp.Header.Get("ETag") == "" {
				t.Fatalf("GET %v: HTTP %d %v", dig(r, "url"), resp.StatusCode, resp.Header)
			}
			cfg, err := xwebp.DecodeConfig(bytes.NewReader(body))
			if err != nil || float64(cfg.Width) != dig(r, "width") || float64(cfg.Height) != dig(r, "height") {
				t.Errorf("%v decodes as %dx%d (%v)", r, cfg.Width, cfg.Height, err)
			}
		}
	}
	if si := photo["socialImage"]; dig(si, "name") != "social" || dig(si, "width") != 1200.0 || dig(si, "height") != 630.0 || dig(si, "format") != "jpeg" {
		t.Errorf("asset socialImage %v", si)
	}

	// Gallery items and image blocks show the same fields.
	gid := dig(s.mustGQL(t, tok, `mutation { createGallery(input: {title: "G"}) { id } }`, nil), "createGallery", "id")
	s.mustGQL(t, tok, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { id } }`,
		map[string]any{"g": gid, "a": []any{clear["id"], photo["id"]}})
	g := s.mustGQL(t, tok, `query($g: ID!) { gallery(id: $g) { items { asset { `+pictureFields+` } } } }`, map[string]any{"g": gid})
	for i, want := range []map[string]any{clear, photo} {
		if got := dig(g, "gallery", "items", i, "asset"); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("gallery item %d: %v, want %v", i, got, want)
		}
	}
	art := dig(s.mustGQL(t, tok, `mutation($a: [ID!]!) { createArticle(input: {title: "Ảnh", blocks: [{paragraph: "x"}, {image: {assetIds: $a}}]}) { id } }`,
		map[string]any{"a": []any{clear["id"], photo["id"]}}), "createArticle", "id")
	q := `query($id: ID!) { article(id: $id) { socialImage { name width height format url }
		blocks { ... on ImageBlock { assets { ` + pictureFields + ` } items { asset { ` + pictureFields + ` } } } } } }`
	a := s.mustGQL(t, tok, q, map[string]any{"id": art})
	for i, want := range []map[string]any{clear, photo} {
		if got := dig(a, "article", "blocks", 1, "assets", i); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("image block asset %d: %v, want %v", i, got, want)
		}
		if got := dig(a, "article", "blocks", 1, "items", i, "asset"); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("image block item %d: %v, want %v", i, got, want)
		}
	}
	// No cover: the first image's card.
	if got := dig(a, "article", "socialImage"); fmt.Sprint(got) != fmt.Sprint(clear["socialImage"]) {
		t.Errorf("article socialImage without a cover: %v, want %v", got, clear["socialImage"])
	}
	s.mustGQL(t, tok, `mutation($id: ID!, $c: ID!) { updateArticle(id: $id, input: {coverAssetId: $c}) { id } }`, map[string]any{"id": art, "c": photo["id"]})
	a = s.mustGQL(t, tok, q, map[string]any{"id": art})
	if got := dig(a, "article", "socialImage"); fmt.Sprint(got) != fmt.Sprint(photo["socialImage"]) {
		t.Errorf("article socialImage with a cover: %v, want %v", got, photo["socialImage"])
	}
	resp, body := s.fetch(t, dig(a, "article", "socialImage", "url").(string), map[string]string{"Authorization": "Bearer " + tok})
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(body)); resp.StatusCode != 200 || err != nil || cfg.Width != 1200 || cfg.Height != 630 {
		t.Errorf("social card: HTTP %d, %dx%d (%v)", resp.StatusCode, cfg.Width, cfg.Height, err)
	}
	if r := s.mustGQL(t, tok, `mutation { createArticle(input: {title: "Chữ", blocks: [{paragraph: "x"}]}) { socialImage { url } } }`, nil); dig(r, "createArticle", "socialImage") != nil {
		t.Errorf("an article without images has a social image: %v", r)
	}
}

// TestPictureChoosesWebP builds a <picture> from an asset's sources in a
// page, as a frontend would, and checks that real Chromium loads the WebP.
func TestPictureChoosesWebP(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword, "PUBLISH_GATE": "off"}, true)
	tok := login(t, s, adminEmail, adminPassword)
	id := uploadReady(t, s, tok, "photo.jpg", photoJPEG(t, 1600, 1000, 7))
	// Published, so that an anonymous browser may read it.
	gid := dig(s.mustGQL(t, tok, `mutation { createGallery(input: {title: "G"}) { id } }`, nil), "createGallery", "id")
	s.mustGQL(t, tok, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { id } }`, map[string]any{"g": gid, "a": []any{id}})
	s.mustGQL(t, tok, `mutation($g: ID!) { publishGallery(id: $g) { id } }`, map[string]any{"g": gid})
	a := s.mustGQL(t, "", `query($id: ID!) { asset(id: $id) { sources { type srcset } srcset } }`, map[string]any{"id": id})["asset"]

	// The page: every source but the last as <source>, the last on <img>.
	abs := func(set string) string { // root-relative URLs made absolute
		parts := strings.Split(set, ", ")
		for i, p := range parts {
			if strings.HasPrefix(p, "/") {
				parts[i] = s.URL + p
			}
		}
		return strings.Join(parts, ", ")
	}
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="en"><title>picture</title><picture>`)
	sources := dig(a, "sources").([]any)
	for _, src := range sources[:len(sources)-1] {
		fmt.Fprintf(&b, `<source type="%s" srcset="%s" sizes="800px">`, html.EscapeString(dig(src, "type").(string)), html.EscapeString(abs(dig(src, "srcset").(string))))
	}
	fmt.Fprintf(&b, `<img alt="a photo" width="800" srcset="%s" sizes="800px"></picture></html>`, html.EscapeString(abs(dig(sources[len(sources)-1], "srcset").(string))))
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(b.String()))
	}))
	defer page.Close()

	br := browsertest.Start(t, browsertest.Options{Allow: []string{page.URL, s.URL}})
	br.Navigate(page.URL)
	loaded := browsertest.Eval[bool](br, `new Promise(done => {
		const i = document.querySelector("img");
		if (i.complete) return done(i.naturalWidth > 0);
		i.onload = () => done(true);
		i.onerror = () => done(false);
	})`)
	if !loaded {
		t.Fatal("the image did not load")
	}
	src := browsertest.Eval[string](br, `document.querySelector("img").currentSrc`)
	if !strings.Contains(src, "/media/"+id+"/w") || !strings.Contains(src, ".webp?v=") {
		t.Errorf("Chromium chose %s, want a WebP rendition", src)
	}
	if w := browsertest.Eval[int](br, `document.querySelector("img").naturalWidth`); w < 800 {
		t.Errorf("decoded width %d, want a rendition at least 800 wide for 800 CSS px", w)
	}
	// The WebP really is what was transferred.
	typ := browsertest.Eval[string](br, `performance.getEntriesByType("resource").filter(e => e.name.includes("/media/")).map(e => e.name).join(" ")`)
	if strings.Contains(typ, "?v=") && !strings.Contains(typ, ".webp") {
		t.Errorf("the page fetched %s", typ)
	}
}

// uploadReady uploads a file and waits until its asset is READY (the
// upload itself waits STILLROOM_UPLOAD_WAIT at most; under -race on a
// busy machine the first WebP encode of a process can take longer).
func uploadReady(t *testing.T, s *testServer, tok, name string, data []byte) string {
	t.Helper()
	d := dig(s.upload(t, tok, name, data, "id status").Data, "uploadAsset")
	id, _ := dig(d, "id").(string)
	if id == "" {
		t.Fatalf("upload %s: %v", name, d)
	}
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		st := dig(s.mustGQL(t, tok, `query($id: ID!) { asset(id: $id) { status } }`, map[string]any{"id": id}), "asset", "status")
		if st == "READY" {
			return id
		}
		if st != "PROCESSING" || time.Now().After(deadline) {
			t.Fatalf("upload %s: %v", name, st)
		}
	}
}

// translucentPNG is a w×h PNG, half of it see-through.
func translucentPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			a := uint8(255)
			if x >= w/2 {
				a = 90
			}
			img.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), 200, a})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
