package main

import (
	"net/http"
	neturl "net/url"
	"strings"
	"testing"
)

// TestGateOnLiveContent (issue 11, point 8): once an article or gallery is
// published, a change may not bring in an image without alt text or
// credit; problems it already had do not block other changes, so they can
// be fixed one at a time; drafts are free.
func TestGateOnLiveContent(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	tok := login(t, s, adminEmail, adminPassword)
	asset := func(seed uint8, alt, credit string) string {
		r := s.upload(t, tok, "still.jpg", photoJPEG(t, 96, 64, seed), "id")
		id := dig(r.Data, "uploadAsset", "id").(string)
		s.mustGQL(t, tok, `mutation($id: ID!, $a: String, $c: String) { updateAsset(id: $id, input: {altText: $a, credit: $c}) { id } }`,
			map[string]any{"id": id, "a": alt, "c": credit})
		return id
	}
	good := asset(1, "Bà con phường Tân Định", "Ảnh: Tuổi Trẻ")
	bare := asset(2, "", "")
	other := asset(3, "Cán bộ dân vận", "Ảnh: Tuổi Trẻ")

	// An article published empty cannot then take an image without texts.
	art := dig(s.mustGQL(t, tok, `mutation { createArticle(input: {title: "Dân vận khéo", blocks: [{paragraph: "Một"}]}) { id } }`, nil), "createArticle", "id")
	s.mustGQL(t, tok, `mutation($id: ID!) { publishArticle(id: $id) { status } }`, map[string]any{"id": art})
	const addImage = `mutation($id: ID!, $a: ID!) { updateArticle(id: $id, input: {blocks: [{paragraph: "Một"}, {image: {assetIds: [$a]}}]}) { version } }`
	r := s.gql(t, tok, addImage, map[string]any{"id": art, "a": bare})
	if r.Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["problems"] == nil {
		t.Fatalf("adding a bare image to a published article: %+v", r)
	}
	blocks := s.mustGQL(t, tok, `query($id: ID!) { article(id: $id) { blocks { __typename } } }`, map[string]any{"id": art})
	if n := len(dig(blocks, "article", "blocks").([]any)); n != 1 {
		t.Fatalf("the refused change was saved: %d blocks", n)
	}
	s.mustGQL(t, tok, addImage, map[string]any{"id": art, "a": good})

	// A published gallery: the same for items.
	g := dig(s.mustGQL(t, tok, `mutation { createGallery(input: {title: "Toạ đàm"}) { id } }`, nil), "createGallery", "id")
	s.mustGQL(t, tok, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { id } }`, map[string]any{"g": g, "a": []any{good, other}})
	s.mustGQL(t, tok, `mutation($g: ID!) { publishGallery(id: $g) { status } }`, map[string]any{"g": g})
	if r := s.gql(t, tok, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { id } }`, map[string]any{"g": g, "a": []any{bare}}); r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("adding a bare image to a published gallery: %+v", r)
	}
	// Nor can the asset lose the credit the live gallery shows for it;
	// with the item's own credit, it can.
	const bareCredit = `mutation($id: ID!) { updateAsset(id: $id, input: {credit: ""}) { id } }`
	if r := s.gql(t, tok, bareCredit, map[string]any{"id": other}); r.Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["problems"] == nil {
		t.Fatalf("emptying the credit of an image in a published gallery: %+v", r)
	}
	items := s.mustGQL(t, tok, `query($g: ID!) { gallery(id: $g) { items { id } } }`, map[string]any{"g": g})
	second := dig(items, "gallery", "items", 1, "id")
	s.mustGQL(t, tok, `mutation($g: ID!, $i: ID!) { updateGalleryItem(galleryId: $g, itemId: $i, input: {credit: "Ảnh: Tuổi Trẻ"}) { id } }`, map[string]any{"g": g, "i": second})
	s.mustGQL(t, tok, bareCredit, map[string]any{"id": other})

	// Drafts take anything; unpublishing is never blocked.
	s.mustGQL(t, tok, `mutation($g: ID!) { unpublishGallery(id: $g) { status } }`, map[string]any{"g": g})
	s.mustGQL(t, tok, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { id } }`, map[string]any{"g": g, "a": []any{bare}})
}

// TestPrivateAnswersAreNotStored (issue 11, point 8): answers to signed-in
// callers say private, no-store and vary on the credentials, over POST and
// GET; anonymous GETs stay publicly cacheable.
func TestPrivateAnswersAreNotStored(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	tok := login(t, s, adminEmail, adminPassword)
	body := strings.NewReader(`{"query":"{ me { email } }"}`)
	req, _ := http.NewRequest("POST", s.URL+"/graphql", body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	check := func(what string, h http.Header) {
		t.Helper()
		vary := strings.Join(h.Values("Vary"), ",")
		if h.Get("Cache-Control") != "private, no-store" || !strings.Contains(vary, "Authorization") || !strings.Contains(vary, "Cookie") {
			t.Errorf("%s: Cache-Control %q, Vary %q", what, h.Get("Cache-Control"), vary)
		}
	}
	check("signed-in POST", res.Header)
	q := "/graphql?query=" + neturl.QueryEscape(`{ articles { totalCount } }`)
	signed, _ := s.fetch(t, q, map[string]string{"Authorization": "Bearer " + tok})
	check("signed-in GET", signed.Header)
	anon, _ := s.fetch(t, q, nil)
	if cc := anon.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "public") {
		t.Errorf("anonymous GET: Cache-Control %q", cc)
	}
}

// TestGateKeepsOldProblemsFixable: content published while the gate was
// off may hold images without alt text or credit. Once the gate is on,
// those problems do not block other changes (reordering), and they can be
// fixed one at a time.
func TestGateKeepsOldProblemsFixable(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": dir, "UPLOAD_WAIT": "30s", "ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}
	env["PUBLISH_GATE"] = "off"
	before := startLogged(t, env, testLog{T: t})
	s := before.srv
	tok := login(t, s, adminEmail, adminPassword)
	var ids []any
	for i, texts := range [][2]string{{"Bà con phường Tân Định", "Ảnh: Tuổi Trẻ"}, {"Cán bộ dân vận", ""}} {
		id := dig(s.upload(t, tok, "still.jpg", photoJPEG(t, 96, 64, uint8(i+1)), "id").Data, "uploadAsset", "id")
		s.mustGQL(t, tok, `mutation($id: ID!, $a: String, $c: String) { updateAsset(id: $id, input: {altText: $a, credit: $c}) { id } }`,
			map[string]any{"id": id, "a": texts[0], "c": texts[1]})
		ids = append(ids, id)
	}
	g := dig(s.mustGQL(t, tok, `mutation { createGallery(input: {title: "Toạ đàm"}) { id } }`, nil), "createGallery", "id")
	s.mustGQL(t, tok, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { id } }`, map[string]any{"g": g, "a": ids})
	s.mustGQL(t, tok, `mutation($g: ID!) { publishGallery(id: $g) { status } }`, map[string]any{"g": g})
	before.stop()

	env["PUBLISH_GATE"] = "on"
	s = startLogged(t, env, testLog{T: t}).srv
	tok = login(t, s, adminEmail, adminPassword)
	items := s.mustGQL(t, tok, `query($g: ID!) { gallery(id: $g) { items { id } } }`, map[string]any{"g": g})
	second := dig(items, "gallery", "items", 1, "id")
	s.mustGQL(t, tok, `mutation($g: ID!, $i: ID!) { moveGalleryItem(galleryId: $g, itemId: $i, position: 0) { id } }`, map[string]any{"g": g, "i": second})
	s.mustGQL(t, tok, `mutation($g: ID!, $i: ID!) { updateGalleryItem(galleryId: $g, itemId: $i, input: {credit: "Ảnh: Tuổi Trẻ"}) { id } }`, map[string]any{"g": g, "i": second})
	s.mustGQL(t, tok, `mutation($g: ID!) { publishGallery(id: $g) { status } }`, map[string]any{"g": g})
}
