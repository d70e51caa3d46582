package app_test

import (
	"testing"
	"time"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// readyAsset stores a READY asset as processing would leave it (no
// objects: these tests are about records).
func readyAsset(t *testing.T, f *fixture, credit string) string {
	t.Helper()
	id := core.NewID()
	now := time.Now().UTC().Add(-3 * time.Hour)
	a := &core.Asset{ID: id, Status: core.AssetReady, SHA256: (id + "0000000000000000000000000000000000000000000000000000000000000000")[:64],
		OriginalKey: "originals/x/" + id, Credit: credit, AltText: "alt " + id, UploadedBy: "admin", CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := f.db.InsertAsset(f.ctx, a); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestForceDeleteKeepsBlockTextsWithTheirImages: deleting an image an
// article's block shows (force) takes its caption/alt/credit with it; the
// images after it keep their own texts instead of inheriting its.
func TestForceDeleteKeepsBlockTextsWithTheirImages(t *testing.T) {
	f := newFixture(t, app.Config{UploadWait: -1})
	a, x, b := readyAsset(t, f, ""), readyAsset(t, f, ""), readyAsset(t, f, "")
	title := "Toạ đàm Dân vận khéo"
	art, err := f.svc.CreateArticle(f.ctx, app.ArticlePatch{Title: &title, SetBlocks: true, Blocks: []core.Block{
		{Kind: core.BlockImage, AssetIDs: []string{a, x, b},
			Overrides: []core.ImageOverride{{Credit: "Ảnh: A"}, {Credit: "Ảnh: X"}, {Credit: "Ảnh: B"}}},
		{Kind: core.BlockImage, AssetIDs: []string{x, b}, Overrides: []core.ImageOverride{{Caption: "Chỉ X"}, {}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteAsset(f.ctx, x, true); err != nil {
		t.Fatal(err)
	}
	got, err := f.db.ArticleByID(f.ctx, art.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Blocks) != 2 {
		t.Fatalf("%d blocks, want 2", len(got.Blocks))
	}
	first := got.Blocks[0]
	if len(first.AssetIDs) != 2 || len(first.Overrides) != 2 {
		t.Fatalf("first block: %d images, %d texts; want 2 and 2", len(first.AssetIDs), len(first.Overrides))
	}
	for i, want := range map[int]string{0: "Ảnh: A", 1: "Ảnh: B"} {
		if c := first.Override(i).Credit; c != want {
			t.Errorf("image %d shows credit %q, want %q", i, c, want)
		}
	}
	// The second block's only text was the deleted image's: none is left.
	if second := got.Blocks[1]; len(second.AssetIDs) != 1 || second.AssetIDs[0] != b || second.Overrides != nil {
		t.Errorf("second block: %v with texts %+v", second.AssetIDs, second.Overrides)
	}
}
