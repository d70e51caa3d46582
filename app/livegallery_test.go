package app_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// TestLiveArticleRefusesGalleriesReadersWouldNotSee: a published or
// scheduled article may not take a block of a gallery readers would not
// see when the article is out (publishArticle refuses the same article);
// once the gallery is out in time, the block is accepted.
func TestLiveArticleRefusesGalleriesReadersWouldNotSee(t *testing.T) {
	f := newFixture(t, app.Config{UploadWait: -1})
	para := core.Block{Kind: core.BlockParagraph, Text: "Sáng ngày 12/8/2022"}
	newArticle := func(title string) *core.Article {
		a, err := f.svc.CreateArticle(f.ctx, app.ArticlePatch{Title: &title, SetBlocks: true, Blocks: []core.Block{para}})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	gt := "Toạ đàm Dân vận khéo"
	g, err := f.svc.CreateGallery(f.ctx, app.GalleryPatch{Title: &gt})
	if err != nil {
		t.Fatal(err)
	}
	withGallery := app.ArticlePatch{SetBlocks: true, Blocks: []core.Block{para, {Kind: core.BlockGallery, GalleryID: g.ID}}}

	live := newArticle("Bài đã đăng")
	if _, err := f.svc.PublishArticle(f.ctx, live.ID, nil, false, nil); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.UpdateArticle(f.ctx, live.ID, withGallery, nil)
	if !core.IsCode(err, core.CodeBadUserInput) {
		t.Fatalf("a published article took a draft gallery: %v", err)
	}
	var ce *core.Error
	if !errors.As(err, &ce) || len(ce.Problems) != 1 || ce.Problems[0].GalleryID != g.ID || ce.Problems[0].Status != "DRAFT" {
		t.Errorf("refusal %v, want one problem naming the draft gallery's block", err)
	}

	// A scheduled article takes a gallery scheduled before it, not after.
	soon, later := time.Now().Add(24*time.Hour), time.Now().Add(72*time.Hour)
	if _, err := f.svc.PublishGallery(f.ctx, g.ID, &later, nil); err != nil {
		t.Fatal(err)
	}
	scheduled := newArticle("Bài hẹn giờ")
	mid := time.Now().Add(48 * time.Hour)
	if _, err := f.svc.PublishArticle(f.ctx, scheduled.ID, &mid, false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdateArticle(f.ctx, scheduled.ID, withGallery, nil); !core.IsCode(err, core.CodeBadUserInput) {
		t.Fatalf("an article out in two days took a gallery out in three: %v", err)
	}
	if _, err := f.svc.PublishGallery(f.ctx, g.ID, &soon, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdateArticle(f.ctx, scheduled.ID, withGallery, nil); err != nil {
		t.Fatalf("an article out in two days refused a gallery out in one: %v", err)
	}
	// Published now, the gallery goes into the live article too.
	if _, err := f.svc.PublishGallery(f.ctx, g.ID, nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdateArticle(f.ctx, live.ID, withGallery, nil); err != nil {
		t.Fatalf("the published article refused a published gallery: %v", err)
	}
}
