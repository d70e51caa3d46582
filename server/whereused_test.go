package main

import (
	"testing"
)

// TestWhereUsed: usedIn lists the galleries using an asset, the
// unattached filter finds assets nobody uses, deleteAsset refuses a used
// asset unless forced, and a forced delete removes it from galleries and
// articles and removes its files.
func TestWhereUsed(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, true)
	tok := login(t, s, adminEmail, adminPassword)
	ids := uploadStills(t, s, tok, []string{"used.jpg", "free.jpg", "other.jpg"})
	used, free := ids[0], ids[1]
	gid := dig(s.mustGQL(t, tok, `mutation { createGallery(input: {title: "G"}) { id } }`, nil), "createGallery", "id")
	s.mustGQL(t, tok, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { id } }`, map[string]any{"g": gid, "a": []any{used, ids[2]}})
	art := dig(s.mustGQL(t, tok, `mutation($a: ID!) { createArticle(input: {title: "A", coverAssetId: $a, blocks: [{image: {assetIds: [$a]}}, {paragraph: "p"}]}) { id } }`,
		map[string]any{"a": used}), "createArticle", "id")

	d := s.mustGQL(t, tok, `query($id: ID!) { asset(id: $id) { usedIn { id } renditions { url } } }`, map[string]any{"id": used})
	if dig(d, "asset", "usedIn", 0, "id") != gid {
		t.Errorf("usedIn: %v", d)
	}
	rendURL := dig(d, "asset", "renditions", 0, "url").(string)
	d = s.mustGQL(t, tok, `{ assets(filter: {unattached: true}) { totalCount edges { node { id } } } }`, nil)
	if dig(d, "assets", "totalCount") != 1.0 || dig(d, "assets", "edges", 0, "node", "id") != free {
		t.Errorf("unattached: %v", d)
	}

	if r := s.gql(t, tok, `mutation($id: ID!) { deleteAsset(id: $id) }`, map[string]any{"id": used}); r.Code() != "CONFLICT" {
		t.Errorf("deleting a used asset: %+v", r.Errors)
	}
	s.mustGQL(t, tok, `mutation($id: ID!) { deleteAsset(id: $id) }`, map[string]any{"id": free})
	s.mustGQL(t, tok, `mutation($id: ID!) { deleteAsset(id: $id, force: true) }`, map[string]any{"id": used})

	d = s.mustGQL(t, tok, `query($g: ID!, $a: ID!) { gallery(id: $g) { itemCount version } article(id: $a) { cover { id } blocks { __typename } } }`,
		map[string]any{"g": gid, "a": art})
	if dig(d, "gallery", "itemCount") != 1.0 || dig(d, "article", "cover") != nil || len(dig(d, "article", "blocks").([]any)) != 1 {
		t.Errorf("after a forced delete: %v", d)
	}
	if d := s.mustGQL(t, tok, `query($id: ID!) { asset(id: $id) { id } }`, map[string]any{"id": used}); d["asset"] != nil {
		t.Errorf("deleted asset still answers: %v", d)
	}
	if resp, _ := s.fetch(t, rendURL, map[string]string{"Authorization": "Bearer " + tok}); resp.StatusCode != 404 {
		t.Errorf("rendition of a deleted asset: HTTP %d", resp.StatusCode)
	}
}
