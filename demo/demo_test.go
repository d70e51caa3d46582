package demo

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/internal/embeddedtest"
)

var admin = &core.User{ID: "demo-test", Role: core.RoleAdmin}

// newService is an app.Service on a database and folder of the test's
// own, with workers running until the test ends.
func newService(t *testing.T) *app.Service {
	t.Helper()
	db, objects := embeddedtest.Open(t)
	svc := app.New(db, objects, slog.New(slog.DiscardHandler), app.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { svc.RunWorkers(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
	return svc
}

func TestSeed(t *testing.T) {
	svc := newService(t)
	ctx := context.Background()
	if slug, err := Seed(ctx, svc, admin); err != nil || slug == "" {
		t.Fatal(slug, err)
	}
	// Again: there is an article now, so nothing more is made.
	if slug, err := Seed(ctx, svc, admin); err != nil || slug != "" {
		t.Fatal(slug, err)
	}

	// Anonymous readers see the article: it is published.
	list, err := svc.ListArticles(ctx, core.Page{Limit: 10}, app.ArticleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if list.Total != 1 || len(list.Items) != 1 {
		t.Fatalf("%d articles after two seeds, want 1", list.Total)
	}
	a := list.Items[0]
	if a.Title != title || a.Section != "Tin tức - Sự kiện" || a.Summary == "" || a.CoverAssetID == "" {
		t.Errorf("article %q in %q, summary %q, cover %q", a.Title, a.Section, a.Summary, a.CoverAssetID)
	}
	var kinds []core.BlockKind
	for _, b := range a.Blocks {
		kinds = append(kinds, b.Kind)
	}
	want := []core.BlockKind{core.BlockParagraph, core.BlockImage, core.BlockParagraph, core.BlockParagraph, core.BlockParagraph, core.BlockGallery}
	if !equal(kinds, want) {
		t.Fatalf("blocks %v, want %v", kinds, want)
	}
	blocks, err := svc.VisibleBlocks(ctx, a)
	if err != nil || len(blocks) != len(want) {
		t.Fatalf("anonymous readers see %d blocks (%v), want %d: the gallery is not published", len(blocks), err, len(want))
	}

	g, err := svc.Gallery(ctx, a.Blocks[len(a.Blocks)-1].GalleryID, "")
	if err != nil {
		t.Fatalf("gallery not visible to anonymous readers: %v", err)
	}
	if gals, _ := svc.ListGalleries(app.WithUser(ctx, admin, ""), core.Page{Limit: 10}, "", nil); gals.Total != 1 {
		t.Errorf("%d galleries after two seeds, want 1", gals.Total)
	}
	var names []string
	for _, it := range g.Items {
		as, err := svc.Asset(app.WithUser(ctx, admin, ""), it.AssetID)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, as.Filename)
		if as.Status != core.AssetReady || as.Caption == "" || as.AltText == "" || as.Credit != credit {
			t.Errorf("%s: status %s, caption %q, alt %q, credit %q", as.Filename, as.Status, as.Caption, as.AltText, as.Credit)
		}
		if len(as.Renditions) == 0 {
			t.Errorf("%s has no renditions", as.Filename)
		}
	}
	wantNames := []string{
		"Sequence 01.00_00_02_14.Still201.jpg", "Sequence 01.00_00_03_05.Still202.jpg",
		"Sequence 01.00_00_05_21.Still203.jpg", "Sequence 01.00_00_06_09.Still204.jpg",
		"Sequence 01.00_00_08_17.Still205.jpg", "Sequence 01.00_00_09_02.Still206.jpg",
	}
	if !equal(names, wantNames) {
		t.Errorf("gallery in order\n%q\nwant timecode order\n%q", names, wantNames)
	}
	if a.CoverAssetID != g.Items[0].AssetID {
		t.Errorf("cover %s, want the gallery's first still %s", a.CoverAssetID, g.Items[0].AssetID)
	}
}

func TestSeedLeavesExistingContent(t *testing.T) {
	svc := newService(t)
	ctx := app.WithUser(context.Background(), admin, "")
	draft := "Bản nháp của toà soạn"
	if _, err := svc.CreateArticle(ctx, app.ArticlePatch{Title: &draft}); err != nil {
		t.Fatal(err)
	}
	if _, err := Seed(ctx, svc, admin); err != nil {
		t.Fatal(err)
	}
	assets, err := svc.ListAssets(ctx, core.AssetQuery{Page: core.Page{Limit: 10}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if assets.Total != 0 {
		t.Errorf("a database with a draft article got %d demo assets, want none", assets.Total)
	}
}

func TestSeedNeedsAnEditor(t *testing.T) {
	for _, tc := range []struct {
		name  string
		actor *core.User
	}{
		{"nobody", nil},
		{"photographer", &core.User{ID: "p", Role: core.RolePhotographer}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// No store is touched before the check.
			_, err := Seed(context.Background(), nil, tc.actor)
			if !core.IsCode(err, core.CodeForbidden) {
				t.Errorf("Seed by %s: %v, want FORBIDDEN", tc.name, err)
			}
		})
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
