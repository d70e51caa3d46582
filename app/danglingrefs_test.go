package app_test

import (
	"slices"
	"testing"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// galleryAssets lists the assets of a gallery's items, as stored.
func galleryAssets(t *testing.T, f *raceFixture, id string) []string {
	t.Helper()
	g, err := f.db.GalleryByID(f.ctx, id)
	must(t, err)
	var ids []string
	for _, it := range g.Items {
		ids = append(ids, it.AssetID)
	}
	return ids
}

func assetGone(t *testing.T, f *raceFixture, id string) bool {
	t.Helper()
	_, err := f.db.AssetByID(f.ctx, id)
	if err != nil && !core.IsCode(err, core.CodeNotFound) {
		t.Fatal(err)
	}
	return err != nil
}

func newGallery(t *testing.T, f *raceFixture, title string) *core.Gallery {
	t.Helper()
	g, err := f.svc.CreateGallery(f.ctx, app.GalleryPatch{Title: &title})
	must(t, err)
	return g
}

// TestDeleteAssetWhileAddedToGallery: deleteAsset (not forced) found the
// asset used nowhere, then another editor's addGalleryItems saved it into
// a gallery, then the asset was deleted. The gallery must not keep an
// item of a deleted asset.
func TestDeleteAssetWhileAddedToGallery(t *testing.T) {
	f := newRaceFixture(t, app.Config{UploadWait: -1})
	asset, other := f.readyAsset(t), f.readyAsset(t)
	g := newGallery(t, f, "Lễ hội")
	f.race.after("GalleriesWithAsset", func() {
		_, err := f.svc.AddGalleryItems(f.ctx, g.ID, []string{other, asset}, nil, nil)
		must(t, err)
	})
	must(t, f.svc.DeleteAsset(f.ctx, asset, false))
	if got := galleryAssets(t, f, g.ID); !assetGone(t, f, asset) || !slices.Equal(got, []string{other}) {
		t.Errorf("asset %s deleted while added: gallery items %v, want only %s", asset, got, other)
	}
	if _, err := f.svc.PublishGallery(f.ctx, g.ID, nil, nil); err != nil {
		t.Errorf("publish after the race: %v", err)
	}
}

// TestAddToGalleryWhileAssetDeleted: the other order. addGalleryItems
// checked the assets exist, the asset was deleted (used nowhere yet), and
// then the gallery was saved with it.
func TestAddToGalleryWhileAssetDeleted(t *testing.T) {
	f := newRaceFixture(t, app.Config{UploadWait: -1})
	asset, other := f.readyAsset(t), f.readyAsset(t)
	g := newGallery(t, f, "Lễ hội 2")
	f.race.after("AssetsByIDs", func() { must(t, f.svc.DeleteAsset(f.ctx, asset, false)) })
	got, err := f.svc.AddGalleryItems(f.ctx, g.ID, []string{asset, other}, nil, nil)
	must(t, err)
	if len(got.Items) != 1 || got.Items[0].AssetID != other {
		t.Errorf("addGalleryItems answered items %+v, want only %s", got.Items, other)
	}
	if ids := galleryAssets(t, f, g.ID); !assetGone(t, f, asset) || !slices.Equal(ids, []string{other}) {
		t.Errorf("asset %s deleted while being added: gallery items %v, want only %s", asset, ids, other)
	}
	// A cover set while its asset is deleted goes the same way.
	cover := f.readyAsset(t)
	f.race.after("GalleriesWithAsset", func() {
		_, err := f.svc.UpdateGallery(f.ctx, g.ID, app.GalleryPatch{CoverAssetID: &cover}, nil)
		must(t, err)
	})
	must(t, f.svc.DeleteAsset(f.ctx, cover, false))
	if g, _ := f.db.GalleryByID(f.ctx, g.ID); g.CoverAssetID != "" {
		t.Errorf("gallery cover %s is a deleted asset", g.CoverAssetID)
	}
}

// TestDeleteAssetWhileArticleTakesIt: an article's cover and image block
// saved while the asset is deleted, in either order, lose it; the block's
// other image stays with its own texts.
func TestDeleteAssetWhileArticleTakesIt(t *testing.T) {
	f := newRaceFixture(t, app.Config{UploadWait: -1})
	title := "Bài viết"
	art, err := f.svc.CreateArticle(f.ctx, app.ArticlePatch{Title: &title})
	must(t, err)
	for _, hook := range []string{"ArticlesWithAsset", "AssetsByIDs"} {
		asset, other := f.readyAsset(t), f.readyAsset(t)
		save := func() {
			_, err := f.svc.UpdateArticle(f.ctx, art.ID, app.ArticlePatch{CoverAssetID: &asset, SetBlocks: true,
				Blocks: []core.Block{{Kind: core.BlockImage, AssetIDs: []string{asset, other},
					Overrides: []core.ImageOverride{{Caption: "xoá"}, {Caption: "giữ"}}}}}, nil)
			must(t, err)
		}
		if hook == "ArticlesWithAsset" {
			f.race.after(hook, save)
			must(t, f.svc.DeleteAsset(f.ctx, asset, false))
		} else {
			f.race.after(hook, func() { must(t, f.svc.DeleteAsset(f.ctx, asset, false)) })
			save()
		}
		a, err := f.db.ArticleByID(f.ctx, art.ID)
		must(t, err)
		want := []core.Block{{Kind: core.BlockImage, AssetIDs: []string{other}, Overrides: []core.ImageOverride{{Caption: "giữ"}}}}
		if !assetGone(t, f, asset) || a.CoverAssetID != "" || len(a.Blocks) != 1 ||
			!slices.Equal(a.Blocks[0].AssetIDs, want[0].AssetIDs) || !slices.Equal(a.Blocks[0].Overrides, want[0].Overrides) {
			t.Errorf("%s: asset %s deleted while the article took it: cover %q, blocks %+v", hook, asset, a.CoverAssetID, a.Blocks)
		}
	}
}

// TestDanglingReferencesDoNotBlock: references left by a process that
// stopped between a delete and its second look (made here by deleting the
// records behind the app's back) never block an editor: publishing drops
// them (the API does not show them), and reconcile reports and removes
// them.
func TestDanglingReferencesDoNotBlock(t *testing.T) {
	f := newRaceFixture(t, app.Config{UploadWait: -1, PublishGate: true})
	keep, lost := f.readyAsset(t), f.readyAsset(t)
	g := newGallery(t, f, "Ảnh")
	_, err := f.svc.AddGalleryItems(f.ctx, g.ID, []string{keep, lost}, nil, nil)
	must(t, err)
	must(t, f.db.DeleteAsset(f.ctx, lost))
	pub, err := f.svc.PublishGallery(f.ctx, g.ID, nil, nil)
	if err != nil {
		t.Fatalf("a gallery with an item of a deleted asset cannot be published: %v", err)
	}
	if len(pub.Items) != 1 || pub.Items[0].AssetID != keep {
		t.Errorf("published items %+v, want only %s", pub.Items, keep)
	}

	// Reconcile: a draft gallery and an article with a cover, an image and
	// a gallery block, all of things deleted.
	g2 := newGallery(t, f, "Ảnh 2")
	gone := f.readyAsset(t)
	_, err = f.svc.AddGalleryItems(f.ctx, g2.ID, []string{keep, gone}, nil, nil)
	must(t, err)
	g3 := newGallery(t, f, "Ảnh 3")
	title := "Tin"
	art, err := f.svc.CreateArticle(f.ctx, app.ArticlePatch{Title: &title, CoverAssetID: &gone, SetBlocks: true, Blocks: []core.Block{
		{Kind: core.BlockParagraph, Text: "Đoạn văn"},
		{Kind: core.BlockImage, AssetIDs: []string{gone}},
		{Kind: core.BlockGallery, GalleryID: g3.ID},
	}})
	must(t, err)
	must(t, f.db.DeleteAsset(f.ctx, gone))
	must(t, f.db.DeleteGallery(f.ctx, g3.ID))
	dry, err := f.svc.Reconcile(f.ctx, app.ReconcileOptions{Grace: app.DefaultOrphanGrace, DryRun: true})
	must(t, err)
	want := []string{"gallery " + g2.ID, "article " + art.ID}
	if !slices.Equal(dry.Dangling, want) {
		t.Errorf("dry run reports %v, want %v", dry.Dangling, want)
	}
	if ids := galleryAssets(t, f, g2.ID); len(ids) != 2 {
		t.Errorf("the dry run changed the gallery: %v", ids)
	}
	rep, err := f.svc.Reconcile(f.ctx, app.ReconcileOptions{Grace: app.DefaultOrphanGrace})
	must(t, err)
	if !slices.Equal(rep.Dangling, want) {
		t.Errorf("reconcile reports %v, want %v", rep.Dangling, want)
	}
	if ids := galleryAssets(t, f, g2.ID); !slices.Equal(ids, []string{keep}) {
		t.Errorf("after reconcile the gallery has %v, want only %s", ids, keep)
	}
	a, err := f.db.ArticleByID(f.ctx, art.ID)
	must(t, err)
	if a.CoverAssetID != "" || len(a.Blocks) != 1 || a.Blocks[0].Kind != core.BlockParagraph {
		t.Errorf("after reconcile the article has cover %q and blocks %+v, want only its paragraph", a.CoverAssetID, a.Blocks)
	}
	again, err := f.svc.Reconcile(f.ctx, app.ReconcileOptions{Grace: app.DefaultOrphanGrace})
	must(t, err)
	if len(again.Dangling) != 0 {
		t.Errorf("a second reconcile still finds %v", again.Dangling)
	}
}

// TestPublishArticleDropsDanglingReferences: an article whose cover,
// image or gallery was deleted behind the app's back publishes without
// them, and a gallery published with it (withGalleries) loses its items
// of deleted assets.
func TestPublishArticleDropsDanglingReferences(t *testing.T) {
	f := newRaceFixture(t, app.Config{UploadWait: -1, PublishGate: true})
	keep, gone := f.readyAsset(t), f.readyAsset(t)
	withItems, deleted := newGallery(t, f, "Kèm theo"), newGallery(t, f, "Đã xoá")
	_, err := f.svc.AddGalleryItems(f.ctx, withItems.ID, []string{gone, keep}, nil, nil)
	must(t, err)
	title := "Tin"
	art, err := f.svc.CreateArticle(f.ctx, app.ArticlePatch{Title: &title, CoverAssetID: &gone, SetBlocks: true, Blocks: []core.Block{
		{Kind: core.BlockImage, AssetIDs: []string{gone, keep}},
		{Kind: core.BlockGallery, GalleryID: deleted.ID},
		{Kind: core.BlockGallery, GalleryID: withItems.ID},
	}})
	must(t, err)
	must(t, f.db.DeleteAsset(f.ctx, gone))
	must(t, f.db.DeleteGallery(f.ctx, deleted.ID))
	pub, err := f.svc.PublishArticle(f.ctx, art.ID, nil, true, nil)
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	if pub.CoverAssetID != "" || len(pub.Blocks) != 2 || !slices.Equal(pub.Blocks[0].AssetIDs, []string{keep}) ||
		pub.Blocks[1].GalleryID != withItems.ID {
		t.Errorf("published cover %q, blocks %+v", pub.CoverAssetID, pub.Blocks)
	}
	g, err := f.db.GalleryByID(f.ctx, withItems.ID)
	must(t, err)
	if g.Publication.Status != core.StatusPublished || len(g.Items) != 1 || g.Items[0].AssetID != keep {
		t.Errorf("gallery published with the article: %s, items %+v", g.Publication.Status, g.Items)
	}
}
