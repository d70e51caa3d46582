package graph_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/stillroom/stillroom/core"
)

// TestPublishAndDeleteTakeVersion: publish, unpublish and delete of
// articles and galleries take the version the editor saw; a stale one is
// CONFLICT and changes nothing, none behaves as before.
func TestPublishAndDeleteTakeVersion(t *testing.T) {
	editor := &core.User{ID: "ed", Email: "ed@example.com", Name: "Biên tập", Role: core.RoleEditor}
	c := newGraphEnv(t, editor).c
	// do runs a mutation and returns its data, or the first error's message.
	do := func(query string, vars map[string]any) (map[string]any, string) {
		t.Helper()
		var opts []client.Option
		for k, v := range vars {
			opts = append(opts, client.Var(k, v))
		}
		resp, err := c.RawPost(query, opts...)
		if err != nil {
			t.Fatal(err)
		}
		var errs []struct{ Message string }
		if len(resp.Errors) > 0 {
			if err := json.Unmarshal(resp.Errors, &errs); err != nil {
				t.Fatal(err)
			}
			return nil, errs[0].Message
		}
		data, _ := resp.Data.(map[string]any)
		return data, ""
	}
	version := func(data map[string]any, field string) int {
		return int(data[field].(map[string]any)["version"].(float64))
	}
	d, msg := do(`mutation { createArticle(input: {title: "Đã duyệt"}) { id version } }`, nil)
	if msg != "" {
		t.Fatal(msg)
	}
	art, reviewed := d["createArticle"].(map[string]any)["id"].(string), version(d, "createArticle")
	d, msg = do(`mutation($id: ID!) { updateArticle(id: $id, input: {title: "Chưa duyệt"}) { version } }`, map[string]any{"id": art})
	if msg != "" {
		t.Fatal(msg)
	}
	now := version(d, "updateArticle")
	for _, m := range []string{
		`mutation($id: ID!, $v: Int) { publishArticle(id: $id, version: $v) { status } }`,
		`mutation($id: ID!, $v: Int) { unpublishArticle(id: $id, version: $v) { status } }`,
		`mutation($id: ID!, $v: Int) { deleteArticle(id: $id, version: $v) }`,
	} {
		if _, msg := do(m, map[string]any{"id": art, "v": reviewed}); !strings.Contains(msg, "is at version") {
			t.Errorf("%s at a stale version: %q, want a version conflict", m, msg)
		}
	}
	d, msg = do(`mutation($id: ID!, $v: Int) { publishArticle(id: $id, version: $v) { status version } }`, map[string]any{"id": art, "v": now})
	if msg != "" || d["publishArticle"].(map[string]any)["status"] != "PUBLISHED" {
		t.Fatalf("publish at the current version: %v %s", d, msg)
	}
	if _, msg := do(`mutation($id: ID!, $v: Int) { deleteArticle(id: $id, version: $v) }`, map[string]any{"id": art, "v": version(d, "publishArticle")}); msg != "" {
		t.Errorf("delete at the current version: %s", msg)
	}

	d, msg = do(`mutation { createGallery(input: {title: "Ảnh"}) { id version } }`, nil)
	if msg != "" {
		t.Fatal(msg)
	}
	g, v := d["createGallery"].(map[string]any)["id"].(string), version(d, "createGallery")
	for _, m := range []string{
		`mutation($id: ID!, $v: Int) { publishGallery(id: $id, version: $v) { status } }`,
		`mutation($id: ID!, $v: Int) { unpublishGallery(id: $id, version: $v) { status } }`,
		`mutation($id: ID!, $v: Int) { deleteGallery(id: $id, version: $v) }`,
	} {
		if _, msg := do(m, map[string]any{"id": g, "v": v + 1}); !strings.Contains(msg, "is at version") {
			t.Errorf("%s at a wrong version: %q, want a version conflict", m, msg)
		}
	}
	// Without a version, as before.
	if d, msg := do(`mutation($id: ID!) { publishGallery(id: $id) { status } }`, map[string]any{"id": g}); msg != "" || d["publishGallery"].(map[string]any)["status"] != "PUBLISHED" {
		t.Errorf("publish without a version: %v %s", d, msg)
	}
	if _, msg := do(`mutation($id: ID!) { deleteGallery(id: $id) }`, map[string]any{"id": g}); msg != "" {
		t.Errorf("delete without a version: %s", msg)
	}
}
