package sqlitestore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/core/storetest"
)

// BenchmarkFrontPageReads makes the store reads of the front page
// (internal/frontpage) with every document cached: 20 published articles,
// then their 20 covers and 20 galleries by ID, then the galleries' 120
// assets by ID. Ping, the smallest query, is the reference in the same run.
func BenchmarkFrontPageReads(b *testing.B) {
	ctx := context.Background()
	db := open(b, filepath.Join(b.TempDir(), "stillroom.db"))
	past := time.Now().Add(-time.Hour)
	var covers, galleries, items []string
	for i := range 140 {
		a := storetest.FullAsset(fmt.Sprintf("%064x", i+1))
		if err := db.InsertAsset(ctx, a); err != nil {
			b.Fatal(err)
		}
		if i < 20 {
			covers = append(covers, a.ID)
		} else {
			items = append(items, a.ID)
		}
	}
	for i := range 20 {
		g := storetest.FullGallery(fmt.Sprintf("g-%d", i))
		g.Publication = core.Publication{Status: core.StatusPublished, PublishAt: &past, PublishedAt: &past}
		if err := db.InsertGallery(ctx, g); err != nil {
			b.Fatal(err)
		}
		galleries = append(galleries, g.ID)
		ar := storetest.FullArticle(fmt.Sprintf("a-%d", i))
		ar.Publication = core.Publication{Status: core.StatusPublished, PublishAt: &past, PublishedAt: &past}
		if err := db.InsertArticle(ctx, ar); err != nil {
			b.Fatal(err)
		}
	}
	page := func() {
		p, err := db.ListArticles(ctx, core.ArticleQuery{Page: core.Page{Limit: 20},
			PublicationFilter: core.PublicationFilter{Status: core.StatusPublished}})
		if err != nil || len(p.Items) != 20 {
			b.Fatalf("%d articles, %v", len(p.Items), err)
		}
		if as, err := db.AssetsByIDs(ctx, covers); err != nil || len(as) != 20 {
			b.Fatalf("%d covers, %v", len(as), err)
		}
		if gs, err := db.GalleriesByIDs(ctx, galleries); err != nil || len(gs) != 20 {
			b.Fatalf("%d galleries, %v", len(gs), err)
		}
		if as, err := db.AssetsByIDs(ctx, items); err != nil || len(as) != 120 {
			b.Fatalf("%d items, %v", len(as), err)
		}
	}
	page() // fills the caches
	b.Run("page", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			page()
		}
	})
	b.Run("ping", func(b *testing.B) {
		for b.Loop() {
			if err := db.Ping(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
