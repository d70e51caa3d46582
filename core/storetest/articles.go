package storetest

import (
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
)

// FullArticle returns a published article with every field set.
func FullArticle(slug string) *core.Article {
	return &core.Article{
		ID:      core.NewID(),
		Slug:    slug,
		Title:   "The harbour wakes",
		Summary: "Dawn with the fishing fleet",
		Section: "culture",
		Tags:    []string{"harbour", "photo-essay"},
		Publication: core.Publication{
			Status:      core.StatusPublished,
			PublishAt:   ptr(at(2 * time.Hour)),
			PublishedAt: ptr(at(2 * time.Hour)),
		},
		AuthorID:     "user-1",
		CoverAssetID: "asset-cover",
		Blocks: []core.Block{
			{Kind: core.BlockHeading, Text: "Before five", Level: 2},
			{Kind: core.BlockParagraph, Text: "The first boats leave."},
			{Kind: core.BlockImage, AssetIDs: []string{"asset-1", "asset-2"}, Caption: "Leaving",
				Overrides: []core.ImageOverride{{Caption: "Ra khơi", AltText: "Two boats"}, {Credit: "Trần Việt Đức"}}},
			{Kind: core.BlockGallery, GalleryID: "gallery-1"},
		},
		SearchTokens: []string{"harbour", "wakes", "dawn"},
		Version:      1,
		CreatedAt:    at(0),
		UpdatedAt:    at(time.Minute),
	}
}

func testArticles(t *testing.T, db core.Store) {
	ctx := t.Context()
	a := FullArticle("harbour-wakes")
	mustNil(t, db.InsertArticle(ctx, a))

	got, err := db.ArticleByID(ctx, a.ID)
	mustNil(t, err)
	wantEqual(t, got, a)
	got, err = db.ArticleBySlug(ctx, a.Slug)
	mustNil(t, err)
	wantEqual(t, got, a)

	wantCode(t, db.InsertArticle(ctx, FullArticle("harbour-wakes")), core.CodeConflict)
	_, err = db.ArticleByID(ctx, "missing")
	wantCode(t, err, core.CodeNotFound)
	_, err = db.ArticleBySlug(ctx, "missing")
	wantCode(t, err, core.CodeNotFound)

	b := FullArticle("other")
	b.CoverAssetID = "asset-2"
	b.Blocks = []core.Block{{Kind: core.BlockParagraph, Text: "Only text"}}
	mustNil(t, db.InsertArticle(ctx, b))

	articleIDs := func(as []*core.Article) []string { return ids(as, func(a *core.Article) string { return a.ID }) }
	tests := []struct {
		name string
		find func() ([]*core.Article, error)
		want []string
	}{
		{"asset as cover", func() ([]*core.Article, error) { return db.ArticlesWithAsset(ctx, "asset-cover") }, []string{a.ID}},
		{"asset in image block", func() ([]*core.Article, error) { return db.ArticlesWithAsset(ctx, "asset-1") }, []string{a.ID}},
		{"asset in block and cover", func() ([]*core.Article, error) { return db.ArticlesWithAsset(ctx, "asset-2") }, []string{b.ID, a.ID}},
		{"unused asset", func() ([]*core.Article, error) { return db.ArticlesWithAsset(ctx, "asset-9") }, []string{}},
		{"gallery", func() ([]*core.Article, error) { return db.ArticlesWithGallery(ctx, "gallery-1") }, []string{a.ID}},
		{"unused gallery", func() ([]*core.Article, error) { return db.ArticlesWithGallery(ctx, "gallery-9") }, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.find()
			mustNil(t, err)
			wantEqual(t, articleIDs(got), tt.want)
		})
	}

	mustNil(t, db.DeleteArticle(ctx, b.ID))
	wantCode(t, db.DeleteArticle(ctx, b.ID), core.CodeNotFound)
}

func testUpdateArticle(t *testing.T, db core.Store) {
	ctx := t.Context()
	a := FullArticle("one")
	mustNil(t, db.InsertArticle(ctx, a))
	mustNil(t, db.InsertArticle(ctx, FullArticle("two")))

	stale := *a
	a.Blocks = append(a.Blocks, core.Block{Kind: core.BlockParagraph, Text: "Added"})
	a.Publication = core.Publication{Status: core.StatusDraft}
	mustNil(t, db.UpdateArticle(ctx, a))
	mustNil(t, db.UpdateArticle(ctx, a))
	if a.Version != 3 {
		t.Fatalf("Version = %d, want 3", a.Version)
	}
	got, err := db.ArticleByID(ctx, a.ID)
	mustNil(t, err)
	wantEqual(t, got, a)

	stale.Title = "lost"
	wantCode(t, db.UpdateArticle(ctx, &stale), core.CodeConflict)
	taken := *a
	taken.Slug = "two"
	wantCode(t, db.UpdateArticle(ctx, &taken), core.CodeConflict)
	wantCode(t, db.UpdateArticle(ctx, FullArticle("three")), core.CodeNotFound)
	got, err = db.ArticleByID(ctx, a.ID)
	mustNil(t, err)
	wantEqual(t, got, a)
}
