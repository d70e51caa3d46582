package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// TestItemCountCountsTheItemsShown: a gallery's itemCount is the number of
// items it shows: an item whose asset is gone (deleted straight from the
// store, as a delete racing an add leaves it for a moment) is neither
// shown nor counted.
func TestItemCountCountsTheItemsShown(t *testing.T) {
	editor := &core.User{ID: "ed", Email: "ed@example.com", Name: "Biên tập", Role: core.RoleEditor}
	env := newGraphEnv(t, editor)
	svc, db := env.svc, env.db
	ctx := app.WithUser(t.Context(), editor, "")
	now := time.Now()
	var ids []string
	for i, sha := range []string{strings.Repeat("ab", 32), strings.Repeat("cd", 32)} {
		a := &core.Asset{ID: core.NewID(), Status: core.AssetReady, SHA256: sha, OriginalKey: "originals/" + sha,
			Filename: []string{"cang-ca.jpg", "ghe-thuyen.jpg"}[i], UploadedBy: editor.ID, CreatedAt: now, UpdatedAt: now}
		if err := db.InsertAsset(ctx, a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	title := "Cảng cá Vũng Tàu"
	g, err := svc.CreateGallery(ctx, app.GalleryPatch{Title: &title})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddGalleryItems(ctx, g.ID, ids, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteAsset(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}

	c := env.c
	var out struct {
		Gallery struct {
			ItemCount int
			Items     []struct{ ID string }
		}
	}
	c.MustPost(`query($id: ID!) { gallery(id: $id) { itemCount items { id } } }`, &out, client.Var("id", g.ID))
	if out.Gallery.ItemCount != 1 || len(out.Gallery.Items) != 1 {
		t.Errorf("itemCount %d with %d items shown; want 1 and 1", out.Gallery.ItemCount, len(out.Gallery.Items))
	}
}
