package app_test

import (
	"testing"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// TestPublishTakesVersion: editor A reviewed version v and publishes (or
// unpublishes, or deletes) with it; editor B saved in between. A gets
// CONFLICT and nothing happens; with the current version, or none (as
// before), the change goes through.
func TestPublishTakesVersion(t *testing.T) {
	f := newRaceFixture(t, app.Config{UploadWait: -1})
	title, other := "Đã duyệt", "CHƯA DUYỆT: bản sửa của người khác"
	art, err := f.svc.CreateArticle(f.ctx, app.ArticlePatch{Title: &title})
	must(t, err)
	g := newGallery(t, f, title)
	reviewedA, reviewedG := art.Version, g.Version
	_, err = f.svc.UpdateArticle(f.ctx, art.ID, app.ArticlePatch{Title: &other}, nil)
	must(t, err)
	_, err = f.svc.UpdateGallery(f.ctx, g.ID, app.GalleryPatch{Title: &other}, nil)
	must(t, err)

	stale := func(what string, err error) {
		t.Helper()
		if !core.IsCode(err, core.CodeConflict) {
			t.Errorf("%s at a stale version: %v, want CONFLICT", what, err)
		}
	}
	_, err = f.svc.PublishArticle(f.ctx, art.ID, nil, false, &reviewedA)
	stale("publishArticle", err)
	_, err = f.svc.PublishGallery(f.ctx, g.ID, nil, &reviewedG)
	stale("publishGallery", err)
	stale("deleteArticle", f.svc.DeleteArticle(f.ctx, art.ID, &reviewedA))
	stale("deleteGallery", f.svc.DeleteGallery(f.ctx, g.ID, &reviewedG))
	a, err := f.db.ArticleByID(f.ctx, art.ID)
	must(t, err)
	gg, err := f.db.GalleryByID(f.ctx, g.ID)
	must(t, err)
	if a.Publication.Status != core.StatusDraft || gg.Publication.Status != core.StatusDraft {
		t.Fatalf("refused publishes published: article %s, gallery %s", a.Publication.Status, gg.Publication.Status)
	}

	// At the version shown now, each goes through.
	pa, err := f.svc.PublishArticle(f.ctx, art.ID, nil, false, &a.Version)
	must(t, err)
	pg, err := f.svc.PublishGallery(f.ctx, g.ID, nil, &gg.Version)
	must(t, err)
	_, err = f.svc.UnpublishArticle(f.ctx, art.ID, &a.Version)
	stale("unpublishArticle", err)
	_, err = f.svc.UnpublishGallery(f.ctx, g.ID, &gg.Version)
	stale("unpublishGallery", err)
	ua, err := f.svc.UnpublishArticle(f.ctx, art.ID, &pa.Version)
	must(t, err)
	_, err = f.svc.UnpublishGallery(f.ctx, g.ID, &pg.Version)
	must(t, err)
	must(t, f.svc.DeleteArticle(f.ctx, art.ID, &ua.Version))

	// Without a version, as before: whatever is stored.
	_, err = f.svc.PublishGallery(f.ctx, g.ID, nil, nil)
	must(t, err)
	must(t, f.svc.DeleteGallery(f.ctx, g.ID, nil))
	if _, err := f.db.ArticleByID(f.ctx, art.ID); !core.IsCode(err, core.CodeNotFound) {
		t.Errorf("article after deleteArticle at its version: %v", err)
	}
}
