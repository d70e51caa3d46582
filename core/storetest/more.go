package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/fold"
)

// Every asset a gallery (item or cover) or an article (cover or image
// block) uses is in use, each once; gallery blocks and unused assets are
// not.
func testAssetIDsInUse(t *testing.T, db core.Store) {
	ctx := t.Context()
	got, err := db.AssetIDsInUse(ctx)
	mustNil(t, err)
	if len(got) != 0 {
		t.Fatalf("empty store: %v in use", got)
	}
	g := FullGallery("g") // cover asset-1, items asset-1, asset-2
	mustNil(t, db.InsertGallery(ctx, g))
	covered := FullGallery("covered")
	covered.CoverAssetID, covered.Items = "asset-g-cover", nil
	mustNil(t, db.InsertGallery(ctx, covered))
	a := FullArticle("a") // cover asset-cover, image block asset-1, asset-2
	mustNil(t, db.InsertArticle(ctx, a))
	b := FullArticle("b")
	b.CoverAssetID = ""
	b.Blocks = []core.Block{{Kind: core.BlockImage, AssetIDs: []string{"asset-b"}}, {Kind: core.BlockGallery, GalleryID: "gallery-x"}}
	mustNil(t, db.InsertArticle(ctx, b))

	got, err = db.AssetIDsInUse(ctx)
	mustNil(t, err)
	slices.Sort(got)
	wantEqual(t, got, []string{"asset-1", "asset-2", "asset-b", "asset-cover", "asset-g-cover"})
}

// Where-used lookups follow updates and deletes at once: an asset removed
// from a gallery or an article is no longer found there.
func testUsesFollowUpdates(t *testing.T, db core.Store) {
	ctx := t.Context()
	g := FullGallery("g")
	mustNil(t, db.InsertGallery(ctx, g))
	a := FullArticle("a")
	mustNil(t, db.InsertArticle(ctx, a))

	g.Items = []core.GalleryItem{{ID: "item-3", AssetID: "asset-3"}}
	g.CoverAssetID = ""
	mustNil(t, db.UpdateGallery(ctx, g))
	for _, id := range []string{"asset-1", "asset-2"} {
		with, err := db.GalleriesWithAsset(ctx, id)
		mustNil(t, err)
		if len(with) != 0 {
			t.Errorf("GalleriesWithAsset(%s) after removal: %d galleries", id, len(with))
		}
	}
	with, err := db.GalleriesWithAsset(ctx, "asset-3")
	mustNil(t, err)
	wantEqual(t, ids(with, func(g *core.Gallery) string { return g.ID }), []string{g.ID})

	a.Blocks = []core.Block{{Kind: core.BlockParagraph, Text: "text only"}}
	a.CoverAssetID = ""
	mustNil(t, db.UpdateArticle(ctx, a))
	arts, err := db.ArticlesWithAsset(ctx, "asset-1")
	mustNil(t, err)
	if len(arts) != 0 {
		t.Errorf("ArticlesWithAsset after removal: %d", len(arts))
	}
	arts, err = db.ArticlesWithGallery(ctx, "gallery-1")
	mustNil(t, err)
	if len(arts) != 0 {
		t.Errorf("ArticlesWithGallery after removal: %d", len(arts))
	}
	inUse, err := db.AssetIDsInUse(ctx)
	mustNil(t, err)
	wantEqual(t, inUse, []string{"asset-3"})

	mustNil(t, db.DeleteGallery(ctx, g.ID))
	with, err = db.GalleriesWithAsset(ctx, "asset-3")
	mustNil(t, err)
	if len(with) != 0 {
		t.Errorf("GalleriesWithAsset after delete: %d", len(with))
	}
}

// A deleted gallery's or article's slug can be used again; an update may
// keep its own slug.
func testSlugFreedByDelete(t *testing.T, db core.Store) {
	ctx := t.Context()
	g := FullGallery("same")
	mustNil(t, db.InsertGallery(ctx, g))
	mustNil(t, db.UpdateGallery(ctx, g))
	mustNil(t, db.DeleteGallery(ctx, g.ID))
	mustNil(t, db.InsertGallery(ctx, FullGallery("same")))
	// Galleries and articles have slugs of their own.
	a := FullArticle("same")
	mustNil(t, db.InsertArticle(ctx, a))
	mustNil(t, db.DeleteArticle(ctx, a.ID))
	mustNil(t, db.InsertArticle(ctx, FullArticle("same")))
	got, err := db.ArticleBySlug(ctx, "same")
	mustNil(t, err)
	if got.ID == a.ID {
		t.Fatal("the deleted article is still found by its slug")
	}
}

func testEnqueueJobSetsID(t *testing.T, db core.Store) {
	ctx := t.Context()
	j := &core.Job{Kind: "process", AssetID: "asset-1", RunAt: at(0), CreatedAt: at(0)}
	mustNil(t, db.EnqueueJob(ctx, j))
	if j.ID == "" {
		t.Fatal("EnqueueJob left the ID empty")
	}
	got, err := db.ClaimJob(ctx, "w1", at(0), time.Minute)
	mustNil(t, err)
	if got.ID != j.ID || got.Kind != "process" || got.AssetID != "asset-1" {
		t.Fatalf("claimed %+v, want job %s", got, j.ID)
	}
}

// Vietnamese text is searched through its folded tokens (package fold), so
// diacritics, case and đ do not matter, and the last word is a prefix.
func testSearchVietnamese(t *testing.T, db core.Store) {
	ctx := t.Context()
	texts := map[string]string{
		"dan-van":  "Dân vận khéo ở phường Bến Thành",
		"duong":    "Đường phố Sài Gòn sau cơn mưa",
		"ben-xe":   "Bến xe Miền Đông mới",
		"tieng-an": "Tiếng Anh cho trẻ em",
	}
	for slug, text := range texts {
		a := DraftArticle(slug)
		a.Title = text
		a.SearchTokens = fold.Tokens(text)
		mustNil(t, db.InsertArticle(ctx, a))
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"DÂN VẬN KHÉO", []string{"dan-van"}},
		{"dan van kheo", []string{"dan-van"}},
		{"ben", []string{"ben-xe", "dan-van"}},
		{"bến thành", []string{"dan-van"}},
		{"duong", []string{"duong"}},
		{"đường", []string{"duong"}},
		{"sai go", []string{"duong"}},
		{"mien dong", []string{"ben-xe"}},
		{"tieng a", []string{"tieng-an"}},
		{"khéo léo", nil},
		{"thanh ben", []string{"dan-van"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p, err := db.ListArticles(ctx, core.ArticleQuery{Page: core.Page{Limit: 10}, Search: fold.Words(tt.query)})
			mustNil(t, err)
			var got []string
			for _, a := range p.Items {
				got = append(got, a.Slug)
			}
			slices.Sort(got)
			wantEqual(t, got, tt.want)
			if p.Total != int64(len(tt.want)) {
				t.Errorf("Total %d, want %d", p.Total, len(tt.want))
			}
		})
	}
}

// Galleries are searched like articles, together with the publication
// filter.
func testSearchGalleries(t *testing.T, db core.Store) {
	ctx := t.Context()
	pub := FullGallery("pub") // published at at(1h), tokens harbour, mornings
	mustNil(t, db.InsertGallery(ctx, pub))
	draft := FullGallery("draft")
	draft.Publication = core.Publication{Status: core.StatusDraft}
	mustNil(t, db.InsertGallery(ctx, draft))
	other := FullGallery("other")
	other.SearchTokens = fold.Tokens("Chợ Bến Thành")
	mustNil(t, db.InsertGallery(ctx, other))

	q := func(words []string, status core.PublishStatus) []string {
		t.Helper()
		p, err := db.ListGalleries(ctx, core.GalleryQuery{Page: core.Page{Limit: 10}, Search: words,
			PublicationFilter: core.PublicationFilter{Status: status, Now: at(2 * time.Hour)}})
		mustNil(t, err)
		return ids(p.Items, func(g *core.Gallery) string { return g.Slug })
	}
	wantEqual(t, q([]string{"harbour", "mor"}, ""), []string{"draft", "pub"})
	wantEqual(t, q([]string{"harbour"}, core.StatusPublished), []string{"pub"})
	wantEqual(t, q(fold.Words("chợ bến"), ""), []string{"other"})
	wantEqual(t, q([]string{"nothing"}, ""), []string{})
}

// Lists and filters see an update at once: a status or search change moves
// an asset in and out of the lists that filter on it.
func testListFollowsUpdates(t *testing.T, db core.Store) {
	ctx := t.Context()
	a := FullAsset("sha-a")
	a.Status = core.AssetProcessing
	mustNil(t, db.InsertAsset(ctx, a))
	count := func(q core.AssetQuery) int64 {
		t.Helper()
		q.Limit = 10
		p, err := db.ListAssets(ctx, q)
		mustNil(t, err)
		if int64(len(p.Items)) != p.Total {
			t.Fatalf("%d items, Total %d", len(p.Items), p.Total)
		}
		return p.Total
	}
	if count(core.AssetQuery{Status: core.AssetReady}) != 0 {
		t.Fatal("a processing asset is listed as ready")
	}
	a.Status = core.AssetReady
	a.SearchTokens = []string{"sunrise"}
	a.PipelineVersion = 5
	mustNil(t, db.UpdateAsset(ctx, a))
	if count(core.AssetQuery{Status: core.AssetReady}) != 1 || count(core.AssetQuery{Status: core.AssetProcessing}) != 0 {
		t.Fatal("status filter does not follow the update")
	}
	if count(core.AssetQuery{Search: []string{"harbour"}}) != 0 || count(core.AssetQuery{Search: []string{"sun"}}) != 1 {
		t.Fatal("search does not follow the update")
	}
	if count(core.AssetQuery{PipelineBelow: 5}) != 0 || count(core.AssetQuery{PipelineBelow: 6}) != 1 {
		t.Fatal("pipeline filter does not follow the update")
	}
	mustNil(t, db.DeleteAsset(ctx, a.ID))
	if count(core.AssetQuery{}) != 0 {
		t.Fatal("a deleted asset is listed")
	}
	_, err := db.AssetBySHA256(ctx, "sha-a")
	wantCode(t, err, core.CodeNotFound)
	// Its content hash can be stored again.
	mustNil(t, db.InsertAsset(ctx, FullAsset("sha-a")))
}

// A cancelled context fails reads and writes with an error instead of
// answering as if nothing happened.
func testCancelledContext(t *testing.T, db core.Store) {
	ctx := t.Context()
	a := FullArticle("a")
	mustNil(t, db.InsertArticle(ctx, a))
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := db.ListArticles(cctx, core.ArticleQuery{Page: core.Page{Limit: 10}}); err == nil {
		t.Error("ListArticles with a cancelled context: no error")
	}
	if _, err := db.ArticleByID(cctx, a.ID); err == nil {
		t.Error("ArticleByID with a cancelled context: no error")
	}
	if err := db.InsertArticle(cctx, FullArticle("b")); err == nil {
		t.Error("InsertArticle with a cancelled context: no error")
	}
	if _, err := db.ArticleBySlug(ctx, "b"); !core.IsCode(err, core.CodeNotFound) {
		t.Errorf("an insert with a cancelled context was stored (%v)", err)
	}
}

func testPing(t *testing.T, db core.Store) {
	mustNil(t, db.Ping(t.Context()))
}
