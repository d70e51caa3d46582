package graph_test

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/graph"
	"github.com/stillroom/stillroom/media/localstore"
	"github.com/stillroom/stillroom/sqlitestore"
)

// TestItemCountCountsTheItemsShown: a gallery's itemCount is the number of
// items it shows: an item whose asset is gone (deleted straight from the
// store, as a delete racing an add leaves it for a moment) is neither
// shown nor counted.
func TestItemCountCountsTheItemsShown(t *testing.T) {
	dir := t.TempDir()
	db, err := sqlitestore.Open(t.Context(), sqlitestore.Config{Path: filepath.Join(dir, "stillroom.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(context.Background()) })
	objects, err := localstore.New(filepath.Join(dir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	svc := app.New(db, objects, slog.New(slog.DiscardHandler), app.Config{UploadWait: -1})
	editor := &core.User{ID: "ed", Email: "ed@example.com", Name: "Biên tập", Role: core.RoleEditor}
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

	srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{App: svc}}))
	srv.AddTransport(transport.POST{})
	c := client.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.ServeHTTP(w, r.WithContext(app.WithLoader(app.WithUser(r.Context(), editor, ""))))
	}))
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
