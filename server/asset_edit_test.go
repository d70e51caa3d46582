package main

import (
	"testing"
)

// Asset.version counts people's edits: processing does not move it, a stale
// one is CONFLICT and changes nothing; usedInArticles lists the articles
// using the asset; uploadPolicy tells a client the limits before it sends.
func TestAssetEditVersionAndWhereUsed(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword, "MAX_UPLOAD_BYTES": "3000000"}, false)
	admin := login(t, s, adminEmail, adminPassword)
	up := s.upload(t, admin, "still.jpg", photoJPEG(t, 320, 240, 3), "id version status")
	if len(up.Errors) > 0 {
		t.Fatal(up.Errors)
	}
	id := dig(up.Data, "uploadAsset", "id").(string)
	if v := dig(up.Data, "uploadAsset", "version"); v != 0.0 {
		t.Fatalf("a new asset's version = %v, want 0", v)
	}
	// Reprocessing (a pipeline change, not a person's edit) keeps it.
	s.mustGQL(t, admin, `mutation($id: ID!) { reprocessAsset(id: $id) { id } }`, map[string]any{"id": id})

	const edit = `mutation($id: ID!, $v: Int, $c: String) { updateAsset(id: $id, version: $v, input: {credit: $c}) { version credit } }`
	d := s.mustGQL(t, admin, edit, map[string]any{"id": id, "v": 0, "c": "Trần Văn A"})
	if dig(d, "updateAsset", "version") != 1.0 || dig(d, "updateAsset", "credit") != "Trần Văn A" {
		t.Fatalf("first edit: %v", d)
	}
	r := s.gql(t, admin, edit, map[string]any{"id": id, "v": 0, "c": "Nguyễn Thị B"})
	if r.Code() != "CONFLICT" {
		t.Fatalf("stale version: %+v", r)
	}
	got := s.mustGQL(t, admin, `query($id: ID!) { asset(id: $id) { version credit usedInArticles { id } } }`, map[string]any{"id": id})
	if dig(got, "asset", "credit") != "Trần Văn A" || dig(got, "asset", "version") != 1.0 {
		t.Fatalf("a CONFLICT changed the asset: %v", got)
	}
	if n := len(dig(got, "asset", "usedInArticles").([]any)); n != 0 {
		t.Fatalf("usedInArticles before any article: %d", n)
	}
	// Without a version the edit applies whatever came before.
	if d := s.mustGQL(t, admin, edit, map[string]any{"id": id, "c": "Nguyễn Thị B"}); dig(d, "updateAsset", "version") != 2.0 {
		t.Fatalf("unversioned edit: %v", d)
	}

	art := s.mustGQL(t, admin, `mutation($id: ID!) { createArticle(input: {title: "Dân vận khéo", blocks: [{paragraph: "Một"}, {image: {assetIds: [$id]}}]}) { id } }`,
		map[string]any{"id": id})
	artID := dig(art, "createArticle", "id")
	got = s.mustGQL(t, admin, `query($id: ID!) { asset(id: $id) { usedInArticles { id title } } }`, map[string]any{"id": id})
	if dig(got, "asset", "usedInArticles", 0, "id") != artID || dig(got, "asset", "usedInArticles", 0, "title") != "Dân vận khéo" {
		t.Fatalf("usedInArticles: %v", got)
	}

	pol := s.mustGQL(t, admin, `{ uploadPolicy { direct maxBytes maxPixels types } }`, nil)
	if dig(pol, "uploadPolicy", "direct") != false || dig(pol, "uploadPolicy", "maxBytes") != 3000000.0 ||
		dig(pol, "uploadPolicy", "maxPixels").(float64) <= 0 || dig(pol, "uploadPolicy", "types", 0) != "image/jpeg" {
		t.Fatalf("uploadPolicy on local disk: %v", pol)
	}
	if r := s.gql(t, "", `{ uploadPolicy { maxBytes } }`, nil); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("anonymous uploadPolicy: %+v", r)
	}
}
