package app_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// TestAssetEditKeepsLiveContentPublishable: while the publish gate is on,
// an edit of an asset may not take away the alt text or credit that a
// published gallery shows for it (updateAsset and updateAssets alike, and
// nothing is changed); a gallery item with a text of its own, and content
// in draft, do not hold the asset back.
func TestAssetEditKeepsLiveContentPublishable(t *testing.T) {
	f := newFixture(t, app.Config{UploadWait: -1, PublishGate: true})
	f.runWorkers(t)
	alt, credit := "Các đại biểu dự toạ đàm", "Ảnh: Trung tâm VH-TT"
	a, err := f.svc.UploadAsset(f.ctx, bytes.NewReader(testJPEG(t, 64, 48, 3)), "Sequence 01.00_00_04_21.Still120.jpg",
		&app.AssetPatch{AltText: &alt, Credit: &credit})
	must(t, err)
	waitFor(t, func() bool {
		got, err := f.db.AssetByID(f.ctx, a.ID)
		return err == nil && got.Status == core.AssetReady
	})
	title := "Toạ đàm Dân vận khéo"
	g, err := f.svc.CreateGallery(f.ctx, app.GalleryPatch{Title: &title})
	must(t, err)
	g, err = f.svc.AddGalleryItems(f.ctx, g.ID, []string{a.ID}, nil, nil)
	must(t, err)
	empty := ""

	// In a draft gallery the asset may lose its texts (publishing would
	// then be refused, naming them).
	_, err = f.svc.UpdateAsset(f.ctx, a.ID, app.AssetPatch{Credit: &empty}, nil)
	must(t, err)
	_, err = f.svc.UpdateAsset(f.ctx, a.ID, app.AssetPatch{Credit: &credit}, nil)
	must(t, err)

	_, err = f.svc.PublishGallery(f.ctx, g.ID, nil, nil)
	must(t, err)
	refused := func(what string, err error, missing string) {
		t.Helper()
		var ce *core.Error
		if !errors.As(err, &ce) || ce.Code != core.CodeBadUserInput || len(ce.Problems) != 1 ||
			ce.Problems[0].GalleryID != g.ID || ce.Problems[0].AssetID != a.ID || len(ce.Problems[0].Missing) != 1 || ce.Problems[0].Missing[0] != missing {
			t.Fatalf("%s: %v, want BAD_USER_INPUT naming the published gallery's item and its %s", what, err, missing)
		}
	}
	_, err = f.svc.UpdateAsset(f.ctx, a.ID, app.AssetPatch{AltText: &empty}, nil)
	refused("updateAsset emptying the alt text", err, "altText")
	_, err = f.svc.UpdateAssets(f.ctx, []string{a.ID}, app.AssetPatch{Credit: &empty})
	refused("updateAssets emptying the credit", err, "credit")
	got, err := f.db.AssetByID(f.ctx, a.ID)
	must(t, err)
	if got.AltText != alt || got.Credit != credit {
		t.Fatalf("after the refusals: alt %q, credit %q; want them unchanged", got.AltText, got.Credit)
	}
	// Other edits go through.
	caption := "Quang cảnh buổi toạ đàm"
	_, err = f.svc.UpdateAsset(f.ctx, a.ID, app.AssetPatch{Caption: &caption, Credit: &credit}, nil)
	must(t, err)

	// With the item's own credit, the asset's is not what readers see.
	itemCredit := "Ảnh: Phòng Văn hoá"
	g, err = f.svc.UpdateGalleryItem(f.ctx, g.ID, g.Items[0].ID, app.ItemPatch{Credit: &itemCredit}, nil)
	must(t, err)
	_, err = f.svc.UpdateAssets(f.ctx, []string{a.ID}, app.AssetPatch{Credit: &empty})
	must(t, err)
	if _, err := f.svc.PublishGallery(f.ctx, g.ID, nil, nil); err != nil {
		t.Fatalf("the gallery is no longer publishable: %v", err)
	}
}
