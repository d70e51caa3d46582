package main

import (
	"fmt"
	"testing"
)

// TestPermissionMatrix runs every operation of the contract as anonymous,
// PHOTOGRAPHER, EDITOR and ADMIN and checks it is allowed or refused with
// the right code. Destructive cases make fresh objects for each role.
func TestPermissionMatrix(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword, "PUBLISH_GATE": "off"}, true)
	admin := login(t, s, adminEmail, adminPassword)
	for _, u := range []struct{ email, role string }{{"ph@example.com", "PHOTOGRAPHER"}, {"ed@example.com", "EDITOR"}} {
		s.mustGQL(t, admin, `mutation($e: String!, $r: Role!) { createUser(input: {email: $e, name: "U", password: "permissions-pass-123", role: $r}) { id } }`,
			map[string]any{"e": u.email, "r": u.role})
	}
	tokens := map[string]string{"anonymous": "", "PHOTOGRAPHER": login(t, s, "ph@example.com", "permissions-pass-123"),
		"EDITOR": login(t, s, "ed@example.com", "permissions-pass-123"), "ADMIN": admin}

	seq := 0
	newAsset := func(token string) string {
		seq++
		return dig(s.upload(t, token, fmt.Sprintf("p%d.jpg", seq), photoJPEG(t, 64, 48, uint8(seq)), "id").Data, "uploadAsset", "id").(string)
	}
	newGallery := func(assetID string, publish bool) (string, string) {
		d := s.mustGQL(t, admin, `mutation { createGallery(input: {title: "G"}) { id } }`, nil)
		gid := dig(d, "createGallery", "id").(string)
		d = s.mustGQL(t, admin, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { items { id } } }`, map[string]any{"g": gid, "a": []any{assetID}})
		if publish {
			s.mustGQL(t, admin, `mutation($g: ID!) { publishGallery(id: $g) { id } }`, map[string]any{"g": gid})
		}
		return gid, dig(d, "addGalleryItems", "items", 0, "id").(string)
	}
	newArticle := func(publish bool) (string, string) {
		d := s.mustGQL(t, admin, `mutation { createArticle(input: {title: "A", blocks: [{paragraph: "x"}]}) { id slug } }`, nil)
		id := dig(d, "createArticle", "id").(string)
		if publish {
			s.mustGQL(t, admin, `mutation($a: ID!) { publishArticle(id: $a) { id } }`, map[string]any{"a": id})
		}
		return id, dig(d, "createArticle", "slug").(string)
	}
	phAsset := newAsset(tokens["PHOTOGRAPHER"])
	adminAsset := newAsset(admin)
	draftGallery, _ := newGallery(adminAsset, false)
	draftArticle, draftSlug := newArticle(false)
	pubAsset := newAsset(admin)
	pubGallery, _ := newGallery(pubAsset, true)
	pubArticle, _ := newArticle(true)

	const (
		ok     = ""
		unauth = "UNAUTHENTICATED"
		forb   = "FORBIDDEN"
		null   = "null" // allowed, but the answer is null (not visible)
	)
	type expect map[string]string // role → code
	all := func(c string) expect {
		return expect{"anonymous": c, "PHOTOGRAPHER": c, "EDITOR": c, "ADMIN": c}
	}
	signedIn := expect{"anonymous": unauth, "PHOTOGRAPHER": ok, "EDITOR": ok, "ADMIN": ok}
	editors := expect{"anonymous": unauth, "PHOTOGRAPHER": forb, "EDITOR": ok, "ADMIN": ok}
	admins := expect{"anonymous": unauth, "PHOTOGRAPHER": forb, "EDITOR": forb, "ADMIN": ok}
	cases := []struct {
		name  string
		query string
		vars  func() map[string]any
		field string // answer field checked for "null"
		want  expect
	}{
		{"me", `{ me { id } }`, nil, "", all(ok)},
		{"published article", `query($id: ID) { article(id: $id) { id } }`, func() map[string]any { return map[string]any{"id": pubArticle} }, "article", all(ok)},
		{"draft article", `query($s: String) { article(slug: $s) { id } }`, func() map[string]any { return map[string]any{"s": draftSlug} }, "article",
			expect{"anonymous": null, "PHOTOGRAPHER": null, "EDITOR": ok, "ADMIN": ok}},
		{"articles", `{ articles { totalCount } }`, nil, "", all(ok)},
		{"draft articles", `{ articles(filter: {status: DRAFT}) { totalCount } }`, nil, "",
			expect{"anonymous": forb, "PHOTOGRAPHER": forb, "EDITOR": ok, "ADMIN": ok}},
		{"published gallery", `query($id: ID) { gallery(id: $id) { id } }`, func() map[string]any { return map[string]any{"id": pubGallery} }, "gallery", all(ok)},
		{"draft gallery", `query($id: ID) { gallery(id: $id) { id } }`, func() map[string]any { return map[string]any{"id": draftGallery} }, "gallery",
			expect{"anonymous": null, "PHOTOGRAPHER": null, "EDITOR": ok, "ADMIN": ok}},
		{"galleries", `{ galleries { totalCount } }`, nil, "", all(ok)},
		{"public asset", `query($id: ID!) { asset(id: $id) { id } }`, func() map[string]any { return map[string]any{"id": pubAsset} }, "asset", all(ok)},
		{"unpublished asset", `query($id: ID!) { asset(id: $id) { id } }`, func() map[string]any { return map[string]any{"id": adminAsset} }, "asset",
			expect{"anonymous": null, "PHOTOGRAPHER": ok, "EDITOR": ok, "ADMIN": ok}},
		{"private fields", `query($id: ID!) { asset(id: $id) { uploadedBy { id } } }`, func() map[string]any { return map[string]any{"id": pubAsset} }, "asset.uploadedBy",
			expect{"anonymous": null, "PHOTOGRAPHER": ok, "EDITOR": ok, "ADMIN": ok}},
		{"originalUrl", `query($id: ID!) { asset(id: $id) { originalUrl } }`, func() map[string]any { return map[string]any{"id": pubAsset} }, "asset.originalUrl",
			expect{"anonymous": null, "PHOTOGRAPHER": ok, "EDITOR": ok, "ADMIN": ok}},
		{"node", `query($id: ID!) { node(id: $id) { id } }`, func() map[string]any { return map[string]any{"id": draftArticle} }, "node",
			expect{"anonymous": null, "PHOTOGRAPHER": null, "EDITOR": ok, "ADMIN": ok}},
		{"assets", `{ assets { totalCount } }`, nil, "", signedIn},
		{"createUser", `mutation($e: String!) { createUser(input: {email: $e, name: "N", password: "permissions-pass-123", role: EDITOR}) { id } }`,
			func() map[string]any { seq++; return map[string]any{"e": fmt.Sprintf("new%d@example.com", seq)} }, "", admins},
		{"logout", `mutation { logout }`, nil, "", signedIn},
		{"uploadAsset", "", nil, "", signedIn},
		{"requestUpload", `mutation { requestUpload(input: {filename: "a.jpg", contentType: "image/jpeg", byteSize: 100}) { id } }`, nil, "", signedIn},
		{"updateAsset own", `mutation($id: ID!) { updateAsset(id: $id, input: {caption: "c"}) { id } }`, func() map[string]any { return map[string]any{"id": phAsset} }, "", signedIn},
		{"updateAsset others'", `mutation($id: ID!) { updateAsset(id: $id, input: {caption: "c"}) { id } }`, func() map[string]any { return map[string]any{"id": adminAsset} }, "", editors},
		{"reprocessAsset others'", `mutation($id: ID!) { reprocessAsset(id: $id) { id } }`, func() map[string]any { return map[string]any{"id": adminAsset} }, "", editors},
		{"deleteAsset others'", `mutation($id: ID!) { deleteAsset(id: $id) }`, func() map[string]any { return map[string]any{"id": newAsset(admin)} }, "", editors},
		{"createGallery", `mutation { createGallery(input: {title: "T"}) { id } }`, nil, "", editors},
		{"updateGallery", `mutation($g: ID!) { updateGallery(id: $g, input: {description: "d"}) { id } }`, func() map[string]any { return map[string]any{"g": draftGallery} }, "", editors},
		{"addGalleryItems", `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { id } }`,
			func() map[string]any { return map[string]any{"g": draftGallery, "a": []any{phAsset}} }, "", editors},
		{"moveGalleryItem", `mutation($g: ID!, $i: ID!) { moveGalleryItem(galleryId: $g, itemId: $i, position: 0) { id } }`,
			func() map[string]any { g, i := newGallery(adminAsset, false); return map[string]any{"g": g, "i": i} }, "", editors},
		{"updateGalleryItem", `mutation($g: ID!, $i: ID!) { updateGalleryItem(galleryId: $g, itemId: $i, input: {caption: "c"}) { id } }`,
			func() map[string]any { g, i := newGallery(adminAsset, false); return map[string]any{"g": g, "i": i} }, "", editors},
		{"removeGalleryItems", `mutation($g: ID!, $i: ID!) { removeGalleryItems(galleryId: $g, itemIds: [$i]) { id } }`,
			func() map[string]any { g, i := newGallery(adminAsset, false); return map[string]any{"g": g, "i": i} }, "", editors},
		{"sortGalleryItems", `mutation($g: ID!) { sortGalleryItems(galleryId: $g, by: FILENAME) { id } }`, func() map[string]any { return map[string]any{"g": draftGallery} }, "", editors},
		{"publishGallery", `mutation($g: ID!) { publishGallery(id: $g) { id } }`, func() map[string]any { g, _ := newGallery(adminAsset, false); return map[string]any{"g": g} }, "", editors},
		{"unpublishGallery", `mutation($g: ID!) { unpublishGallery(id: $g) { id } }`, func() map[string]any { g, _ := newGallery(adminAsset, true); return map[string]any{"g": g} }, "", editors},
		{"deleteGallery", `mutation($g: ID!) { deleteGallery(id: $g) }`, func() map[string]any { g, _ := newGallery(adminAsset, false); return map[string]any{"g": g} }, "", editors},
		{"createArticle", `mutation { createArticle(input: {title: "T"}) { id } }`, nil, "", editors},
		{"updateArticle", `mutation($a: ID!) { updateArticle(id: $a, input: {summary: "s"}) { id } }`, func() map[string]any { return map[string]any{"a": draftArticle} }, "", editors},
		{"publishArticle", `mutation($a: ID!) { publishArticle(id: $a) { id } }`, func() map[string]any { a, _ := newArticle(false); return map[string]any{"a": a} }, "", editors},
		{"unpublishArticle", `mutation($a: ID!) { unpublishArticle(id: $a) { id } }`, func() map[string]any { a, _ := newArticle(true); return map[string]any{"a": a} }, "", editors},
		{"deleteArticle", `mutation($a: ID!) { deleteArticle(id: $a) }`, func() map[string]any { a, _ := newArticle(false); return map[string]any{"a": a} }, "", editors},
	}
	for _, tc := range cases {
		for _, role := range []string{"anonymous", "PHOTOGRAPHER", "EDITOR", "ADMIN"} {
			t.Run(tc.name+"/"+role, func(t *testing.T) {
				want := tc.want[role]
				if tc.name == "logout" && role != "anonymous" {
					// Sign out a session of its own, not the shared one.
					email := map[string]string{"PHOTOGRAPHER": "ph@example.com", "EDITOR": "ed@example.com", "ADMIN": adminEmail}[role]
					pw := map[string]string{"PHOTOGRAPHER": "permissions-pass-123", "EDITOR": "permissions-pass-123", "ADMIN": adminPassword}[role]
					r := s.gql(t, login(t, s, email, pw), tc.query, nil)
					if r.Code() != want {
						t.Errorf("got %+v, want %q", r.Errors, want)
					}
					return
				}
				var r gqlResult
				if tc.name == "uploadAsset" {
					seq++
					r = s.upload(t, tokens[role], fmt.Sprintf("u%d.jpg", seq), photoJPEG(t, 32, 32, uint8(seq)), "id")
				} else {
					var vars map[string]any
					if tc.vars != nil {
						vars = tc.vars()
					}
					r = s.gql(t, tokens[role], tc.query, vars)
				}
				got := r.Code()
				if want == null {
					if got != "" {
						t.Fatalf("got %+v, want a null answer", r.Errors)
					}
					var path []any
					for _, p := range splitPath(tc.field) {
						path = append(path, p)
					}
					if v := dig(r.Data, path...); v != nil {
						t.Errorf("%s = %v, want null", tc.field, v)
					}
					return
				}
				if got != want {
					t.Errorf("got %+v, want %q", r.Errors, want)
				}
			})
		}
	}
}

func splitPath(p string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '.' {
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return out
}
