package app_test

import (
	"testing"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// TestDeleteGalleryWhileArticleTakesIt: deleteGallery found no article
// showing the gallery, then an article was saved with a block of it (or
// the article checked the gallery exists, then it was deleted, then the
// article was saved): either way the article must not keep a block of a
// deleted gallery, and it can be published.
func TestDeleteGalleryWhileArticleTakesIt(t *testing.T) {
	f := newRaceFixture(t, app.Config{UploadWait: -1})
	title := "Bài viết"
	art, err := f.svc.CreateArticle(f.ctx, app.ArticlePatch{Title: &title})
	must(t, err)
	for _, hook := range []string{"ArticlesWithGallery", "GalleriesByIDs"} {
		g := newGallery(t, f, "Ảnh sự kiện "+hook)
		save := func() {
			_, err := f.svc.UpdateArticle(f.ctx, art.ID, app.ArticlePatch{SetBlocks: true, Blocks: []core.Block{
				{Kind: core.BlockParagraph, Text: "Đoạn văn"}, {Kind: core.BlockGallery, GalleryID: g.ID}}}, nil)
			must(t, err)
		}
		if hook == "ArticlesWithGallery" {
			f.race.after(hook, save)
			must(t, f.svc.DeleteGallery(f.ctx, g.ID, nil))
		} else {
			f.race.after(hook, func() { must(t, f.svc.DeleteGallery(f.ctx, g.ID, nil)) })
			save()
		}
		a, err := f.db.ArticleByID(f.ctx, art.ID)
		must(t, err)
		_, gerr := f.db.GalleryByID(f.ctx, g.ID)
		if !core.IsCode(gerr, core.CodeNotFound) || len(a.Blocks) != 1 || a.Blocks[0].Kind != core.BlockParagraph {
			t.Errorf("%s: gallery %s deleted (%v) while the article took it: blocks %+v", hook, g.ID, gerr, a.Blocks)
		}
	}
	if _, err := f.svc.PublishArticle(f.ctx, art.ID, nil, false, nil); err != nil {
		t.Errorf("publish after the races: %v", err)
	}
}
