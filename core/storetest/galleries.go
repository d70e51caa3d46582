package storetest

import (
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
)

// FullGallery returns a published gallery with every field set.
func FullGallery(slug string) *core.Gallery {
	return &core.Gallery{
		ID:          core.NewID(),
		Slug:        slug,
		Title:       "Harbour mornings",
		Description: "A week at the harbour",
		Publication: core.Publication{
			Status:      core.StatusPublished,
			PublishAt:   ptr(at(time.Hour)),
			PublishedAt: ptr(at(time.Hour)),
		},
		CoverAssetID: "asset-1",
		Items: []core.GalleryItem{
			{ID: "item-1", AssetID: "asset-1", Caption: "Boats", AltText: "Boats at anchor", Credit: "A. P."},
			{ID: "item-2", AssetID: "asset-2"},
		},
		CreatedBy:    "user-1",
		SearchTokens: []string{"harbour", "mornings"},
		Version:      1,
		CreatedAt:    at(0),
		UpdatedAt:    at(time.Minute),
	}
}

func testGalleries(t *testing.T, db core.Store) {
	ctx := t.Context()
	g := FullGallery("harbour-mornings")
	mustNil(t, db.InsertGallery(ctx, g))

	got, err := db.GalleryByID(ctx, g.ID)
	mustNil(t, err)
	wantEqual(t, got, g)
	got, err = db.GalleryBySlug(ctx, g.Slug)
	mustNil(t, err)
	wantEqual(t, got, g)

	err = db.InsertGallery(ctx, FullGallery("harbour-mornings"))
	wantCode(t, err, core.CodeConflict)
	if msg := core.ErrorMessage(err); msg != "slug already taken" {
		t.Errorf("message %q", msg)
	}
	_, err = db.GalleryByID(ctx, "missing")
	wantCode(t, err, core.CodeNotFound)
	_, err = db.GalleryBySlug(ctx, "missing")
	wantCode(t, err, core.CodeNotFound)

	bad := FullGallery("bad")
	bad.Publication.PublishAt = nil
	wantCode(t, db.InsertGallery(ctx, bad), core.CodeBadUserInput)
	bad.Publication.Status = core.StatusScheduled
	wantCode(t, db.InsertGallery(ctx, bad), core.CodeBadUserInput)

	draft := FullGallery("draft")
	draft.Publication = core.Publication{Status: core.StatusDraft}
	draft.Items = nil
	draft.SearchTokens = nil
	mustNil(t, db.InsertGallery(ctx, draft))
	got, err = db.GalleryByID(ctx, draft.ID)
	mustNil(t, err)
	wantEqual(t, got, draft)

	list, err := db.GalleriesByIDs(ctx, []string{draft.ID, g.ID, "missing"})
	mustNil(t, err)
	wantEqual(t, ids(list, func(g *core.Gallery) string { return g.ID }), []string{draft.ID, g.ID})

	with, err := db.GalleriesWithAsset(ctx, "asset-2")
	mustNil(t, err)
	wantEqual(t, ids(with, func(g *core.Gallery) string { return g.ID }), []string{g.ID})
	with, err = db.GalleriesWithAsset(ctx, "asset-9")
	mustNil(t, err)
	if len(with) != 0 {
		t.Fatalf("GalleriesWithAsset(asset-9) = %d galleries", len(with))
	}
	// An explicit cover that is not an item counts as a use too.
	covered := FullGallery("covered")
	covered.CoverAssetID, covered.Items = "asset-7", nil
	mustNil(t, db.InsertGallery(ctx, covered))
	with, err = db.GalleriesWithAsset(ctx, "asset-7")
	mustNil(t, err)
	wantEqual(t, ids(with, func(g *core.Gallery) string { return g.ID }), []string{covered.ID})

	mustNil(t, db.DeleteGallery(ctx, draft.ID))
	wantCode(t, db.DeleteGallery(ctx, draft.ID), core.CodeNotFound)
}

func testUpdateGallery(t *testing.T, db core.Store) {
	ctx := t.Context()
	g := FullGallery("one")
	mustNil(t, db.InsertGallery(ctx, g))
	mustNil(t, db.InsertGallery(ctx, FullGallery("two")))

	stale := *g
	g.Title = "Renamed"
	g.Items = g.Items[1:]
	mustNil(t, db.UpdateGallery(ctx, g))
	if g.Version != 2 {
		t.Fatalf("Version = %d, want 2", g.Version)
	}
	got, err := db.GalleryByID(ctx, g.ID)
	mustNil(t, err)
	wantEqual(t, got, g)

	tests := []struct {
		name string
		edit func() *core.Gallery
		code core.Code
		msg  string
	}{
		{"stale", func() *core.Gallery { s := stale; return &s }, core.CodeConflict, "gallery " + g.ID + " was changed by someone else: version 1 is stale"},
		{"slug taken", func() *core.Gallery { s := *g; s.Slug = "two"; return &s }, core.CodeConflict, "slug already taken"},
		{"missing", func() *core.Gallery { return FullGallery("three") }, core.CodeNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.UpdateGallery(ctx, tt.edit())
			wantCode(t, err, tt.code)
			if tt.msg != "" && core.ErrorMessage(err) != tt.msg {
				t.Errorf("message %q, want %q", core.ErrorMessage(err), tt.msg)
			}
			got, err := db.GalleryByID(ctx, g.ID)
			mustNil(t, err)
			wantEqual(t, got, g)
		})
	}
}
