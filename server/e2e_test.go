package main

import (
	"bytes"
	"image/jpeg"
	"net/http"
	"strings"
	"testing"
)

const (
	adminEmail    = "admin@example.com"
	adminPassword = "correct horse battery"
)

const assetFields = `id status error filename mimeType width height sha256 timecode { seconds frames still }
	renditions { name width height format byteSize url } srcset`

// TestPublishFlow is the foundation's acceptance flow against real MinIO
// and the embedded Mongo-wire database: upload a still, gallery, article,
// publish, read anonymously.
func TestPublishFlow(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, true)
	admin := login(t, s, adminEmail, adminPassword)

	still := photoJPEG(t, 1920, 1080, 40)
	if r := s.upload(t, "", "x.jpg", still, "id"); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("anonymous upload: got %+v, want UNAUTHENTICATED", r.Errors)
	}
	r := s.upload(t, admin, "Sequence 01.00_00_04_21.Still120.jpg", still, assetFields)
	if len(r.Errors) > 0 {
		t.Fatalf("upload: %+v", r.Errors)
	}
	asset := dig(r.Data, "uploadAsset").(map[string]any)
	if asset["status"] != "READY" || asset["mimeType"] != "image/jpeg" || asset["filename"] != "Sequence 01.00_00_04_21.Still120.jpg" {
		t.Fatalf("uploaded asset: %v", asset)
	}
	if tc := asset["timecode"].(map[string]any); tc["seconds"] != 4.0 || tc["frames"] != 21.0 || tc["still"] != 120.0 {
		t.Errorf("timecode = %v", tc)
	}
	want := map[string][2]int{"w2048": {1920, 1080}, "w1024": {1024, 576}, "w512": {512, 288}, "w256": {256, 144}}
	checkRenditions(t, s, admin, asset, want)

	t.Run("same bytes give the same asset", func(t *testing.T) {
		again := dig(s.upload(t, admin, "copy.jpg", still, "id").Data, "uploadAsset", "id")
		if again != asset["id"] {
			t.Errorf("second upload id %v, want %v", again, asset["id"])
		}
	})

	t.Run("EXIF orientation 6 comes out upright", func(t *testing.T) {
		r := s.upload(t, admin, "portrait.jpg", orientedJPEG(t, 400, 200, 6), assetFields)
		a := dig(r.Data, "uploadAsset").(map[string]any)
		if a == nil || a["width"] != 200.0 || a["height"] != 400.0 {
			t.Fatalf("portrait asset: %v %+v", a, r.Errors)
		}
		url := renditionURL(a, "w256")
		resp, body := s.fetch(t, url, map[string]string{"Authorization": "Bearer " + admin})
		img, err := jpeg.Decode(bytes.NewReader(body))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("rendition: %d %v", resp.StatusCode, err)
		}
		if b := img.Bounds(); b.Dx() != 200 || b.Dy() != 400 {
			t.Fatalf("w256 of a 200-wide portrait is %v, want 200x400", b)
		}
		// Stored left (red) is the top once rotated 90° clockwise.
		top, _, _, _ := img.At(100, 50).RGBA()
		_, _, bottomBlue, _ := img.At(100, 350).RGBA()
		if top>>8 < 200 || bottomBlue>>8 < 200 {
			t.Errorf("not upright: top red=%d, bottom blue=%d", top>>8, bottomBlue>>8)
		}
	})

	id := asset["id"].(string)
	second := dig(s.upload(t, admin, "Sequence 01.00_00_02_03.Still100.jpg", photoJPEG(t, 800, 600, 90), "id").Data, "uploadAsset", "id")
	if second == nil {
		t.Fatal("second upload failed")
	}

	// A photographer account, to check what it may not do.
	s.mustGQL(t, admin, `mutation { createUser(input: {email: "ph@example.com", name: "Phóng viên", password: "photographer-pass", role: PHOTOGRAPHER}) { id } }`, nil)
	ph := login(t, s, "ph@example.com", "photographer-pass")

	g := s.mustGQL(t, admin, `mutation { createGallery(input: {title: "Toạ đàm Dân vận khéo"}) { id slug version } }`, nil)
	gid := dig(g, "createGallery", "id").(string)
	if slug := dig(g, "createGallery", "slug"); slug != "toa-dam-dan-van-kheo" {
		t.Errorf("gallery slug = %v", slug)
	}
	g = s.mustGQL(t, admin, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { version items { id position asset { id } } } }`,
		map[string]any{"g": gid, "a": []any{id, second}})
	items := dig(g, "addGalleryItems", "items").([]any)
	if len(items) != 2 || dig(items[0], "asset", "id") != id {
		t.Fatalf("items after add: %v", items)
	}
	g = s.mustGQL(t, admin, `mutation($g: ID!, $i: ID!) { moveGalleryItem(galleryId: $g, itemId: $i, position: 0, version: 2) { version items { position asset { id } } } }`,
		map[string]any{"g": gid, "i": dig(items[1], "id")})
	if first := dig(g, "moveGalleryItem", "items", 0, "asset", "id"); first != second {
		t.Errorf("after move, first item is %v, want %v", first, second)
	}
	if r := s.gql(t, admin, `mutation($g: ID!, $i: ID!) { moveGalleryItem(galleryId: $g, itemId: $i, position: 1, version: 2) { version } }`,
		map[string]any{"g": gid, "i": dig(items[1], "id")}); r.Code() != "CONFLICT" {
		t.Errorf("stale version: got %+v, want CONFLICT", r.Errors)
	}
	if r := s.gql(t, ph, `mutation($g: ID!) { publishGallery(id: $g) { id } }`, map[string]any{"g": gid}); r.Code() != "FORBIDDEN" {
		t.Errorf("photographer publishGallery: got %+v, want FORBIDDEN", r.Errors)
	}
	// The publish gate: every image needs alt text and a credit, from the
	// gallery item or else from the asset.
	r = s.gql(t, admin, `mutation($g: ID!) { publishGallery(id: $g) { status } }`, map[string]any{"g": gid})
	if r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "Still120.jpg has no alt text and no credit") {
		t.Fatalf("publish without alt text: %+v", r.Errors)
	}
	s.mustGQL(t, admin, `mutation($id: ID!) { updateAsset(id: $id, input: {altText: "Quang cảnh buổi toạ đàm", credit: "Ảnh: Trung tâm Văn hoá"}) { id } }`, map[string]any{"id": id})
	s.mustGQL(t, admin, `mutation($g: ID!, $i: ID!) { updateGalleryItem(galleryId: $g, itemId: $i, input: {altText: "Đại biểu phát biểu", credit: "Ảnh: Minh Anh"}) { id } }`,
		map[string]any{"g": gid, "i": dig(items[1], "id")})
	g = s.mustGQL(t, admin, `mutation($g: ID!) { publishGallery(id: $g) { status items { altText credit asset { id } } } }`, map[string]any{"g": gid})
	if dig(g, "publishGallery", "status") != "PUBLISHED" || dig(g, "publishGallery", "items", 1, "credit") != "Ảnh: Trung tâm Văn hoá" ||
		dig(g, "publishGallery", "items", 0, "altText") != "Đại biểu phát biểu" {
		t.Errorf("published gallery: %v", g)
	}

	title := "Ban chỉ đạo phong trào Thi đua “Dân vận khéo” thành phố tổ chức toạ đàm"
	a := s.mustGQL(t, admin, `mutation($in: ArticleInput!) { createArticle(input: $in) { id slug status } }`, map[string]any{"in": map[string]any{
		"title": title, "section": "Tin tức - Sự kiện", "tags": []any{"dân vận"},
		"blocks": []any{
			map[string]any{"paragraph": "Sáng 15/5, Ban Chỉ đạo phong trào thi đua tổ chức toạ đàm."},
			map[string]any{"image": map[string]any{"assetIds": []any{id}, "caption": "Quang cảnh toạ đàm"}},
			map[string]any{"gallery": gid},
		},
	}})
	aid := dig(a, "createArticle", "id").(string)
	slug := dig(a, "createArticle", "slug").(string)
	if slug != "ban-chi-dao-phong-trao-thi-dua-dan-van-kheo-thanh-pho-to-chuc-toa-dam" {
		t.Errorf("article slug = %q", slug)
	}
	const read = `query($s: String!) { article(slug: $s) { title section status blocks {
		__typename
		... on ParagraphBlock { text }
		... on ImageBlock { caption assets { id renditions { name url } } }
		... on GalleryBlock { gallery { title items { position asset { id renditions { name url } } } } }
	} } }`
	if d := s.mustGQL(t, "", read, map[string]any{"s": slug}); d["article"] != nil {
		t.Fatalf("anonymous sees a draft: %v", d["article"])
	}
	if r := s.gql(t, ph, `mutation($a: ID!) { publishArticle(id: $a) { id } }`, map[string]any{"a": aid}); r.Code() != "FORBIDDEN" {
		t.Errorf("photographer publishArticle: got %+v, want FORBIDDEN", r.Errors)
	}
	s.mustGQL(t, admin, `mutation($a: ID!) { publishArticle(id: $a) { status } }`, map[string]any{"a": aid})

	d := s.mustGQL(t, "", read, map[string]any{"s": slug})
	art := d["article"]
	if dig(art, "title") != title || dig(art, "section") != "Tin tức - Sự kiện" || dig(art, "status") != "PUBLISHED" {
		t.Fatalf("anonymous article: %v", art)
	}
	blocks := dig(art, "blocks").([]any)
	if len(blocks) != 3 || dig(blocks[0], "__typename") != "ParagraphBlock" ||
		dig(blocks[1], "__typename") != "ImageBlock" || dig(blocks[2], "__typename") != "GalleryBlock" {
		t.Fatalf("blocks: %v", blocks)
	}
	if n := len(dig(blocks[2], "gallery", "items").([]any)); n != 2 {
		t.Errorf("gallery block has %d items, want 2", n)
	}
	url := dig(blocks[1], "assets", 0, "renditions", 1, "url").(string)
	resp, body := s.fetch(t, url, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("anonymous rendition: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(body)); err != nil || cfg.Width != 1024 {
		t.Errorf("anonymous w1024: %+v %v", cfg, err)
	}

	list := s.mustGQL(t, "", `{ articles(first: 10) { totalCount edges { cursor node { slug } } pageInfo { hasNextPage } } }`, nil)
	if dig(list, "articles", "totalCount") != 1.0 || dig(list, "articles", "edges", 0, "node", "slug") != slug {
		t.Errorf("articles: %v", list)
	}
}

func renditionURL(asset map[string]any, name string) string {
	for _, r := range asset["renditions"].([]any) {
		if dig(r, "name") == name {
			return dig(r, "url").(string)
		}
	}
	return ""
}

// checkRenditions checks each named rendition's size in the API and in
// the JPEG its URL serves.
func checkRenditions(t *testing.T, s *testServer, token string, asset map[string]any, want map[string][2]int) {
	t.Helper()
	got := map[string]bool{}
	for _, r := range asset["renditions"].([]any) {
		name := dig(r, "name").(string)
		size, ok := want[name]
		if !ok {
			continue
		}
		got[name] = true
		if dig(r, "width") != float64(size[0]) || dig(r, "height") != float64(size[1]) || dig(r, "format") != "jpeg" {
			t.Errorf("%s: %v, want %dx%d jpeg", name, r, size[0], size[1])
		}
		resp, body := s.fetch(t, dig(r, "url").(string), map[string]string{"Authorization": "Bearer " + token})
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("%s: HTTP %d %s", name, resp.StatusCode, resp.Header.Get("Content-Type"))
			continue
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(body))
		if err != nil || cfg.Width != size[0] || cfg.Height != size[1] {
			t.Errorf("%s serves %dx%d (%v), want %dx%d", name, cfg.Width, cfg.Height, err, size[0], size[1])
		}
	}
	for name := range want {
		if !got[name] {
			t.Errorf("no rendition %s in %v", name, asset["renditions"])
		}
	}
}

// TestRestartKeepsEverything runs the embedded default (embedded database,
// local disk), stops it, starts it again on the same data folder and finds
// the upload, its files and the login still there.
func TestRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": dir, "ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}
	var id, url string
	t.Run("first run", func(t *testing.T) {
		s := startWith(t, env)
		tok := login(t, s, adminEmail, adminPassword)
		r := s.upload(t, tok, "a.jpg", photoJPEG(t, 640, 480, 7), assetFields)
		a, _ := dig(r.Data, "uploadAsset").(map[string]any)
		if a == nil || a["status"] != "READY" {
			t.Fatalf("upload: %v %+v", a, r.Errors)
		}
		id, url = a["id"].(string), renditionURL(a, "w512")
	})
	if id == "" {
		t.FailNow()
	}
	s := startWith(t, env)
	tok := login(t, s, adminEmail, adminPassword)
	d := s.mustGQL(t, tok, `query($id: ID!) { asset(id: $id) { status width } }`, map[string]any{"id": id})
	if dig(d, "asset", "status") != "READY" || dig(d, "asset", "width") != 640.0 {
		t.Fatalf("after restart: %v", d)
	}
	// The first run listened on another port: the same path on this one.
	if i := strings.Index(url, "/media/"); i > 0 {
		url = url[i:]
	}
	resp, body := s.fetch(t, url, map[string]string{"Authorization": "Bearer " + tok})
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(body)); resp.StatusCode != 200 || err != nil || cfg.Width != 512 {
		t.Fatalf("rendition after restart: HTTP %d, %v, %+v", resp.StatusCode, err, cfg)
	}
}

// TestMultipartNeedsPreflight: a multipart post without a preflight header
// is refused before anything is read.
func TestMultipartNeedsPreflight(t *testing.T) {
	s := startServer(t, nil, false)
	req := multipartUpload(t, s.URL, "a.jpg", []byte("x"), "id")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d, want 400", resp.StatusCode)
	}
}
