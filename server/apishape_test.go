package main

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// problemsOf returns the first error's extensions.problems as JSON (keys
// sorted), for comparing whole.
func problemsOf(t *testing.T, r gqlResult) string {
	t.Helper()
	if len(r.Errors) == 0 {
		t.Fatalf("no error, data %v", r.Data)
	}
	b, _ := json.Marshal(r.Errors[0].Extensions["problems"])
	return string(b)
}

// TestUpdateAssets: updateAssets changes every asset or none: an unknown
// id, a photographer's foreign asset or a bad value refuses the whole
// call and changes nothing; answers come in the order of ids.
func TestUpdateAssets(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	admin := login(t, s, adminEmail, adminPassword)
	s.mustGQL(t, admin, `mutation { createUser(input: {email: "ph@example.com", name: "Phóng viên", password: "photographer-pass", role: PHOTOGRAPHER}) { id } }`, nil)
	ph := login(t, s, "ph@example.com", "photographer-pass")
	upload := func(tok string, seed uint8) string {
		r := s.upload(t, tok, "Sequence 01.00_00_0"+string('0'+seed)+"_00.Still00"+string('0'+seed)+".jpg", photoJPEG(t, 64, 48, seed), "id")
		if len(r.Errors) > 0 {
			t.Fatalf("upload: %+v", r.Errors)
		}
		return dig(r.Data, "uploadAsset", "id").(string)
	}
	mine1, mine2, theirs := upload(ph, 1), upload(ph, 2), upload(admin, 3)
	credits := func() string {
		var out []string
		for _, id := range []string{mine1, mine2, theirs} {
			d := s.mustGQL(t, admin, `query($id: ID!) { asset(id: $id) { credit } }`, map[string]any{"id": id})
			c, _ := dig(d, "asset", "credit").(string)
			out = append(out, c)
		}
		return strings.Join(out, "|")
	}
	const q = `mutation($ids: [ID!]!, $in: AssetInput!) { updateAssets(ids: $ids, input: $in) { id credit tags } }`
	for _, tc := range []struct {
		name, tok string
		ids       []any
		in        map[string]any
		code      string
	}{
		{"a foreign asset", ph, []any{mine1, theirs, mine2}, map[string]any{"credit": "Ảnh: Minh Anh"}, "FORBIDDEN"},
		{"an unknown id", admin, []any{mine1, "000000000000000000000000"}, map[string]any{"credit": "Ảnh: Minh Anh"}, "NOT_FOUND"},
		{"a credit too long", admin, []any{mine1, mine2}, map[string]any{"credit": strings.Repeat("x", 301)}, "BAD_USER_INPUT"},
		{"no ids", admin, []any{}, map[string]any{"credit": "x"}, "BAD_USER_INPUT"},
		{"anonymous", "", []any{mine1}, map[string]any{"credit": "x"}, "UNAUTHENTICATED"},
	} {
		r := s.gql(t, tc.tok, q, map[string]any{"ids": tc.ids, "in": tc.in})
		if r.Code() != tc.code {
			t.Errorf("%s: %+v, want %s", tc.name, r.Errors, tc.code)
		}
		if got := credits(); got != "||" {
			t.Fatalf("%s changed credits: %q", tc.name, got)
		}
	}
	d := s.mustGQL(t, ph, q, map[string]any{"ids": []any{mine2, mine1, mine2}, "in": map[string]any{"credit": " Ảnh: Minh Anh ", "tags": []any{"toạ đàm"}}})
	list := dig(d, "updateAssets").([]any)
	if len(list) != 3 || dig(list[0], "id") != mine2 || dig(list[1], "id") != mine1 || dig(list[2], "id") != mine2 ||
		dig(list[1], "credit") != "Ảnh: Minh Anh" || dig(list[0], "tags", 0) != "toạ đàm" {
		t.Errorf("updateAssets answered %v", list)
	}
	if got := credits(); got != "Ảnh: Minh Anh|Ảnh: Minh Anh|" {
		t.Errorf("credits after the update: %q", got)
	}
	// An editor may change anyone's.
	s.mustGQL(t, admin, q, map[string]any{"ids": []any{mine1, theirs}, "in": map[string]any{"credit": "TTXVN"}})
	if got := credits(); got != "TTXVN|Ảnh: Minh Anh|TTXVN" {
		t.Errorf("credits after the editor's update: %q", got)
	}
}

// TestPublishProblemsAndImageItems: publish refusals name each place in
// extensions.problems (0-based paths); image blocks carry per-image texts
// falling back to the asset's, and still take the older assetIds shape; a
// gallery block with a draft gallery is refused, or published with it
// when asked (its items through the same gate).
func TestPublishProblemsAndImageItems(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	tok := login(t, s, adminEmail, adminPassword)
	var ids []string
	for i := range 3 {
		r := s.upload(t, tok, "still"+string(rune('a'+i))+".jpg", photoJPEG(t, 64, 48, uint8(10+i)), "id status")
		if len(r.Errors) > 0 || dig(r.Data, "uploadAsset", "status") != "READY" {
			t.Fatalf("upload: %+v %v", r.Errors, r.Data)
		}
		ids = append(ids, dig(r.Data, "uploadAsset", "id").(string))
	}
	// The first asset has its own texts; the others none.
	s.mustGQL(t, tok, `mutation($id: ID!) { updateAsset(id: $id, input: {altText: "Đại biểu", credit: "Ảnh: Minh Anh", caption: "Toạ đàm"}) { id } }`,
		map[string]any{"id": ids[0]})

	g := s.mustGQL(t, tok, `mutation { createGallery(input: {title: "Toạ đàm"}) { id } }`, nil)
	gid := dig(g, "createGallery", "id").(string)
	s.mustGQL(t, tok, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { id } }`,
		map[string]any{"g": gid, "a": []any{ids[0], ids[1]}})
	r := s.gql(t, tok, `mutation($g: ID!) { publishGallery(id: $g) { status } }`, map[string]any{"g": gid})
	want := `[{"assetId":"` + ids[1] + `","missing":["altText","credit"],"path":["items",1]}]`
	if r.Code() != "BAD_USER_INPUT" || problemsOf(t, r) != want || !strings.Contains(r.Errors[0].Message, "item 2: stillb.jpg has no alt text and no credit") {
		t.Errorf("gallery refusal: %+v\nproblems %s\nwant     %s", r.Errors, problemsOf(t, r), want)
	}

	blocks := []any{
		map[string]any{"paragraph": "Sáng 15/5."},
		map[string]any{"image": map[string]any{"caption": "Hai ảnh", "items": []any{
			map[string]any{"assetId": ids[0]},
			map[string]any{"assetId": ids[2], "altText": "Quang cảnh", "caption": "Hội trường"},
		}}},
		map[string]any{"image": map[string]any{"assetIds": []any{ids[0]}}},
		map[string]any{"gallery": gid},
	}
	a := s.mustGQL(t, tok, `mutation($in: ArticleInput!) { createArticle(input: $in) { id } }`, map[string]any{"in": map[string]any{"title": "Toạ đàm", "blocks": blocks}})
	aid := dig(a, "createArticle", "id").(string)
	const publish = `mutation($a: ID!, $w: Boolean) { publishArticle(id: $a, withGalleries: $w) { status } }`
	r = s.gql(t, tok, publish, map[string]any{"a": aid})
	want = `[{"galleryId":"` + gid + `","path":["blocks",3],"status":"DRAFT"},{"assetId":"` + ids[2] + `","missing":["credit"],"path":["blocks",1,"items",1]}]`
	if r.Code() != "BAD_USER_INPUT" || problemsOf(t, r) != want || !strings.Contains(r.Errors[0].Message, "block 2, item 2: stillc.jpg has no credit") ||
		!strings.Contains(r.Errors[0].Message, `block 4: gallery "Toạ đàm" is draft`) {
		t.Errorf("article refusal: %+v\nproblems %s\nwant     %s", r.Errors, problemsOf(t, r), want)
	}
	// Fix the image, then with withGalleries the gallery's own items are
	// checked too, and nothing is published while one fails.
	blocks[1].(map[string]any)["image"].(map[string]any)["items"].([]any)[1].(map[string]any)["credit"] = "Ảnh: Hải Châu"
	s.mustGQL(t, tok, `mutation($a: ID!, $in: ArticleInput!) { updateArticle(id: $a, input: $in) { id } }`, map[string]any{"a": aid, "in": map[string]any{"blocks": blocks}})
	r = s.gql(t, tok, publish, map[string]any{"a": aid, "w": true})
	want = `[{"assetId":"` + ids[1] + `","missing":["altText","credit"],"path":["blocks",3,"gallery","items",1]}]`
	if r.Code() != "BAD_USER_INPUT" || problemsOf(t, r) != want {
		t.Errorf("withGalleries refusal: %+v\nproblems %s\nwant     %s", r.Errors, problemsOf(t, r), want)
	}
	d := s.mustGQL(t, tok, `query($g: ID!) { gallery(id: $g) { status } }`, map[string]any{"g": gid})
	if dig(d, "gallery", "status") != "DRAFT" {
		t.Errorf("a refused publish published the gallery: %v", d)
	}
	s.mustGQL(t, tok, `mutation($id: ID!) { updateAsset(id: $id, input: {altText: "Khán phòng", credit: "Ảnh: Hải Châu"}) { id } }`, map[string]any{"id": ids[1]})
	d = s.mustGQL(t, tok, publish, map[string]any{"a": aid, "w": true})
	if dig(d, "publishArticle", "status") != "PUBLISHED" {
		t.Errorf("publish with galleries: %v", d)
	}

	// Readers see the gallery block and each image's texts with fallbacks.
	d = s.mustGQL(t, "", `query($a: ID!) { article(id: $a) { blocks { __typename
		... on ImageBlock { caption assets { id } items { position caption altText credit asset { id } } }
		... on GalleryBlock { gallery { status } } } } }`, map[string]any{"a": aid})
	got, _ := json.Marshal(dig(d, "article", "blocks"))
	wantBlocks := `[{"__typename":"ParagraphBlock"},` +
		`{"__typename":"ImageBlock","assets":[{"id":"` + ids[0] + `"},{"id":"` + ids[2] + `"}],"caption":"Hai ảnh","items":[` +
		`{"altText":"Đại biểu","asset":{"id":"` + ids[0] + `"},"caption":"Toạ đàm","credit":"Ảnh: Minh Anh","position":0},` +
		`{"altText":"Quang cảnh","asset":{"id":"` + ids[2] + `"},"caption":"Hội trường","credit":"Ảnh: Hải Châu","position":1}]},` +
		`{"__typename":"ImageBlock","assets":[{"id":"` + ids[0] + `"}],"caption":null,"items":[` +
		`{"altText":"Đại biểu","asset":{"id":"` + ids[0] + `"},"caption":"Toạ đàm","credit":"Ảnh: Minh Anh","position":0}]},` +
		`{"__typename":"GalleryBlock","gallery":{"status":"PUBLISHED"}}]`
	if string(got) != wantBlocks {
		t.Errorf("blocks:\n%s\nwant\n%s", got, wantBlocks)
	}
	// Texts for a different number of images than the block has are refused.
	r = s.gql(t, tok, `mutation($in: ArticleInput!) { createArticle(input: $in) { id } }`, map[string]any{"in": map[string]any{"title": "x",
		"blocks": []any{map[string]any{"image": map[string]any{"items": []any{}}}}}})
	if r.Code() != "BAD_USER_INPUT" {
		t.Errorf("an image block without images: %+v", r.Errors)
	}
}

// TestDuplicateUploads: bytes already in the library return the existing
// asset, fill only its empty fields from the input, and say so in
// extensions.duplicates; a photographer's duplicate of another's asset
// fills nothing.
func TestDuplicateUploads(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	tok := login(t, s, adminEmail, adminPassword)
	s.mustGQL(t, tok, `mutation { createUser(input: {email: "ph@example.com", name: "P", password: "photographer-pass", role: PHOTOGRAPHER}) { id } }`, nil)
	ph := login(t, s, "ph@example.com", "photographer-pass")
	jpg := photoJPEG(t, 64, 48, 9)
	const fields = `id caption credit altText tags`
	send := func(tok, input string) gqlResult {
		t.Helper()
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		ops, _ := json.Marshal(map[string]any{"query": `mutation($f: Upload!) { uploadAsset(file: $f, input: ` + input + `) { ` + fields + ` } }`, "variables": map[string]any{"f": nil}})
		mw.WriteField("operations", string(ops))
		mw.WriteField("map", `{"0": ["variables.f"]}`)
		fw, _ := mw.CreateFormFile("0", "lại.jpg")
		fw.Write(jpg)
		mw.Close()
		req, _ := http.NewRequest("POST", s.URL+"/graphql", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("GraphQL-Preflight", "1")
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r struct {
			gqlResult
			Extensions map[string]any `json:"extensions"`
		}
		json.NewDecoder(resp.Body).Decode(&r)
		if len(r.Errors) > 0 {
			t.Fatalf("upload: %+v", r.Errors)
		}
		r.gqlResult.Data["_ext"] = r.Extensions
		return r.gqlResult
	}
	first := send(tok, `{caption: "Buổi sáng"}`)
	id := dig(first.Data, "uploadAsset", "id")
	if dig(first.Data, "_ext", "duplicates") != nil {
		t.Errorf("a new upload reported as a duplicate: %v", first.Data)
	}
	// A photographer's duplicate: the same asset, nothing filled.
	r := send(ph, `{credit: "Ảnh: P"}`)
	if dig(r.Data, "uploadAsset", "id") != id || dig(r.Data, "uploadAsset", "credit") != nil ||
		dig(r.Data, "_ext", "duplicates", 0, "assetId") != id || len(dig(r.Data, "_ext", "duplicates", 0, "filled").([]any)) != 0 {
		t.Errorf("photographer's duplicate: %v", r.Data)
	}
	// The editor's: empty fields filled, the caption kept.
	r = send(tok, `{caption: "Khác", credit: "Ảnh: Minh Anh", tags: ["toạ đàm"]}`)
	got, _ := json.Marshal(r.Data)
	want := `{"_ext":{"duplicates":[{"assetId":"` + id.(string) + `","filename":"lại.jpg","filled":["credit","tags"]}]},` +
		`"uploadAsset":{"altText":null,"caption":"Buổi sáng","credit":"Ảnh: Minh Anh","id":"` + id.(string) + `","tags":["toạ đàm"]}}`
	if string(got) != want {
		t.Errorf("editor's duplicate:\n%s\nwant\n%s", got, want)
	}
}

// TestRelayPaging: last/before walk a list backward, sort OLDEST reverses
// it, and PageInfo has startCursor and hasPreviousPage; the three lists
// take the same arguments.
func TestRelayPaging(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	tok := login(t, s, adminEmail, adminPassword)
	var ids []string // oldest first
	for _, title := range []string{"Một", "Hai", "Ba", "Bốn", "Năm"} {
		d := s.mustGQL(t, tok, `mutation($t: String!) { createArticle(input: {title: $t}) { id } }`, map[string]any{"t": title})
		ids = append(ids, dig(d, "createArticle", "id").(string))
		s.mustGQL(t, tok, `mutation($t: String!) { createGallery(input: {title: $t}) { id } }`, map[string]any{"t": title})
	}
	type page struct {
		ids                  []string
		hasNext, hasPrevious bool
		start, end           string
	}
	list := func(field, args string, vars map[string]any) page {
		t.Helper()
		d := s.mustGQL(t, tok, `query($first: Int, $after: String, $last: Int, $before: String, $sort: ListSort) { `+field+`(`+args+`) {
			edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, vars)
		var p page
		edges := dig(d, field, "edges").([]any)
		for _, e := range edges {
			p.ids = append(p.ids, dig(e, "node", "id").(string))
		}
		p.hasNext = dig(d, field, "pageInfo", "hasNextPage").(bool)
		p.hasPrevious = dig(d, field, "pageInfo", "hasPreviousPage").(bool)
		p.start, _ = dig(d, field, "pageInfo", "startCursor").(string)
		p.end, _ = dig(d, field, "pageInfo", "endCursor").(string)
		if len(edges) > 0 && (p.start != dig(edges[0], "cursor") || p.end != dig(edges[len(edges)-1], "cursor")) {
			t.Errorf("%s: cursors %q %q for edges %v", field, p.start, p.end, edges)
		}
		return p
	}
	const all = `first: $first, after: $after, last: $last, before: $before, sort: $sort`
	rev := func(xs []string) []string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[len(xs)-1-i] = x
		}
		return out
	}
	join := func(xs []string) string { return strings.Join(xs, ",") }
	newest := rev(ids)

	// Forward, newest first: two pages of 3 and 2.
	p1 := list("articles", all, map[string]any{"first": 3})
	p2 := list("articles", all, map[string]any{"first": 3, "after": p1.end})
	if join(p1.ids) != join(newest[:3]) || !p1.hasNext || p1.hasPrevious || join(p2.ids) != join(newest[3:]) || p2.hasNext || !p2.hasPrevious {
		t.Errorf("forward pages %+v %+v, want %v", p1, p2, newest)
	}
	// Backward from the end, then before that page's start.
	b1 := list("articles", all, map[string]any{"last": 2})
	b2 := list("articles", all, map[string]any{"last": 2, "before": b1.start})
	b3 := list("articles", all, map[string]any{"last": 2, "before": b2.start})
	if join(b1.ids) != join(newest[3:]) || !b1.hasPrevious || b1.hasNext ||
		join(b2.ids) != join(newest[1:3]) || !b2.hasPrevious || !b2.hasNext ||
		join(b3.ids) != join(newest[:1]) || b3.hasPrevious || !b3.hasNext {
		t.Errorf("backward pages %+v %+v %+v, want %v", b1, b2, b3, newest)
	}
	// Oldest first.
	o := list("articles", all, map[string]any{"first": 4, "sort": "OLDEST"})
	if join(o.ids) != join(ids[:4]) || !o.hasNext {
		t.Errorf("oldest first: %+v, want %v", o, ids)
	}
	if o2 := list("articles", all, map[string]any{"first": 4, "after": o.end, "sort": "OLDEST"}); join(o2.ids) != join(ids[4:]) {
		t.Errorf("oldest first, page 2: %+v", o2)
	}
	if ob := list("articles", all, map[string]any{"last": 2, "sort": "OLDEST"}); join(ob.ids) != join(ids[3:]) {
		t.Errorf("oldest first, last 2: %+v", ob)
	}
	// Galleries and assets take the same arguments.
	if g := list("galleries", all, map[string]any{"last": 1, "sort": "OLDEST"}); len(g.ids) != 1 || !g.hasPrevious {
		t.Errorf("galleries last 1: %+v", g)
	}
	if a := list("assets", all, map[string]any{"last": 1}); len(a.ids) != 0 || a.hasPrevious || a.hasNext {
		t.Errorf("assets of an empty library: %+v", a)
	}
	for _, vars := range []map[string]any{{"last": 2, "after": p1.end}, {"first": 2, "before": p1.end}, {"last": 0}, {"last": 101}} {
		if r := s.gql(t, tok, `query($first: Int, $after: String, $last: Int, $before: String, $sort: ListSort) { articles(`+all+`) { totalCount } }`, vars); r.Code() != "BAD_USER_INPUT" {
			t.Errorf("%v: %+v", vars, r.Errors)
		}
	}
}
