package mongostore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/mongostore"
	"github.com/stillroom/stillroom/mongostore/mongotest"
)

// TestMemoryMatchesDatabase writes a varied library through a store that
// keeps content in memory, then asks every read of the store interface,
// with every filter, of it, of a store reading the same database directly,
// and of a memory store opened afterwards (which loads what is stored):
// all three must answer exactly alike, and memory must have answered every
// read itself.
func TestMemoryMatchesDatabase(t *testing.T) {
	ctx := t.Context()
	name := mongotest.DatabaseName(t)
	mem := mongotest.Open(t, mongostore.Config{Memory: true, Database: name})
	direct, err := mongostore.Open(ctx, mongostore.Config{URI: mongotest.URI(t), Database: name})
	mustNil(t, err)
	t.Cleanup(func() { direct.Close(context.Background()) })

	r := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	words := []string{"dan", "van", "kheo", "toa", "dam", "harbour", "dawn", "le", "hoi"}
	tokens := func() []string {
		var out []string
		for range r.IntN(4) {
			out = append(out, pick(words...))
		}
		return out
	}
	now := at(0)

	var assets []*core.Asset
	for i := range 30 {
		a := fullAsset(fmt.Sprintf("%064x", i))
		a.Status = core.AssetStatus(pick(string(core.AssetReady), string(core.AssetProcessing), string(core.AssetFailed)))
		a.UploadedBy = pick("user-1", "user-2")
		a.PipelineVersion = r.IntN(4)
		a.SearchTokens = tokens()
		a.Tags = tokens()
		if r.IntN(3) == 0 {
			a.TakenAt = nil
		} else {
			a.TakenAt = ptr(at(time.Duration(r.IntN(100)-50) * time.Hour))
		}
		mustNil(t, mem.InsertAsset(ctx, a))
		assets = append(assets, a)
	}
	assetID := func() string { return assets[r.IntN(len(assets))].ID }
	publication := func() core.Publication {
		switch r.IntN(3) {
		case 0:
			return core.Publication{Status: core.StatusDraft}
		case 1: // published
			return core.Publication{Status: core.StatusPublished, PublishAt: ptr(at(-time.Hour)), PublishedAt: ptr(at(-time.Hour))}
		}
		return core.Publication{Status: core.StatusPublished, PublishAt: ptr(at(time.Hour))} // scheduled
	}
	var galleries []*core.Gallery
	for i := range 15 {
		g := fullGallery(fmt.Sprint("g-", i))
		g.Publication = publication()
		g.CoverAssetID = ""
		if r.IntN(2) == 0 {
			g.CoverAssetID = assetID()
		}
		g.Items = nil
		for j := range r.IntN(5) {
			g.Items = append(g.Items, core.GalleryItem{ID: fmt.Sprint("item-", j), AssetID: assetID()})
		}
		g.SearchTokens = tokens()
		mustNil(t, mem.InsertGallery(ctx, g))
		galleries = append(galleries, g)
	}
	var articles []*core.Article
	for i := range 20 {
		a := fullArticle(fmt.Sprint("a-", i))
		a.Publication = publication()
		a.Section = pick("news", "culture", "")
		a.Tags = tokens()
		a.CoverAssetID = pick("", assetID())
		a.Blocks = []core.Block{
			{Kind: core.BlockParagraph, Text: "x"},
			{Kind: core.BlockImage, AssetIDs: []string{assetID(), assetID()}},
			{Kind: core.BlockGallery, GalleryID: galleries[r.IntN(len(galleries))].ID},
		}
		a.SearchTokens = tokens()
		mustNil(t, mem.InsertArticle(ctx, a))
		articles = append(articles, a)
	}
	// Changes: updates, deletions, and writes that must change nothing.
	for _, a := range assets[:10] {
		a.Status = core.AssetReady
		a.SearchTokens = append(a.SearchTokens, "moi")
		mustNil(t, mem.UpdateAsset(ctx, a))
	}
	stale := *assets[0]
	stale.Version--
	stale.Caption = "lost"
	wantCode(t, mem.UpdateAsset(ctx, &stale), core.CodeConflict)
	dup := fullAsset(assets[1].SHA256)
	wantCode(t, mem.InsertAsset(ctx, dup), core.CodeConflict)
	taken := *galleries[1]
	taken.Slug = galleries[2].Slug
	wantCode(t, mem.UpdateGallery(ctx, &taken), core.CodeConflict)
	for _, g := range galleries[:5] {
		g.Publication = publication()
		g.Items = g.Items[:len(g.Items)/2]
		mustNil(t, mem.UpdateGallery(ctx, g))
	}
	mustNil(t, mem.DeleteAsset(ctx, assets[29].ID))
	mustNil(t, mem.DeleteGallery(ctx, galleries[14].ID))
	mustNil(t, mem.DeleteArticle(ctx, articles[19].ID))
	wantCode(t, mem.DeleteArticle(ctx, articles[19].ID), core.CodeNotFound)

	reloaded := mongotest.Open(t, mongostore.Config{Memory: true, Database: name})
	stores := []struct {
		name string
		db   *mongostore.DB
	}{{"memory", mem}, {"reloaded", reloaded}}

	// same runs read on every store and compares with the direct store.
	same := func(what string, read func(db *mongostore.DB) (any, error)) {
		t.Helper()
		want, wantErr := read(direct)
		for _, s := range stores {
			got, err := read(s.db)
			if core.ErrorCode(err) != core.ErrorCode(wantErr) || (err == nil) != (wantErr == nil) {
				t.Errorf("%s on %s: error %v, database says %v", what, s.name, err, wantErr)
				continue
			}
			wantEqualNamed(t, what+" on "+s.name, got, want)
		}
	}
	pages := func(list func(db *mongostore.DB, p core.Page) (any, string, bool, error)) func(db *mongostore.DB) (any, error) {
		return func(db *mongostore.DB) (any, error) {
			// Newest first, then oldest first.
			var all []any
			for _, oldest := range []bool{false, true} {
				p := core.Page{Limit: 4, Oldest: oldest}
				for {
					items, last, more, err := list(db, p)
					if err != nil {
						return nil, err
					}
					all = append(all, items)
					if !more {
						break
					}
					p.After = last
				}
			}
			return all, nil
		}
	}
	listAssets := func(q core.AssetQuery) func(db *mongostore.DB) (any, error) {
		return pages(func(db *mongostore.DB, p core.Page) (any, string, bool, error) {
			q.Page = p
			pg, err := db.ListAssets(ctx, q)
			return pg, lastID(pg.Items, func(a *core.Asset) string { return a.ID }), pg.HasNext, err
		})
	}
	for _, q := range []core.AssetQuery{
		{},
		{Status: core.AssetReady},
		{UploadedBy: "user-2", Status: core.AssetFailed},
		{IDs: []string{assets[3].ID, assets[7].ID, assets[29].ID, "missing"}},
		{IDs: []string{}},
		{ExcludeIDs: []string{assets[0].ID, assets[1].ID}},
		{TakenAfter: ptr(at(-10 * time.Hour))},
		{TakenBefore: ptr(at(5 * time.Hour)), TakenAfter: ptr(at(-30 * time.Hour))},
		{PipelineBelow: 2},
		{Search: []string{"da"}},
		{Search: []string{"dan", "kh"}},
		{Search: []string{"moi", "van", ""}},
		{Search: []string{"xyz"}},
	} {
		same(fmt.Sprintf("ListAssets %+v", q), listAssets(q))
	}
	for _, status := range []core.PublishStatus{"", core.StatusDraft, core.StatusScheduled, core.StatusPublished} {
		f := core.PublicationFilter{Status: status, Now: now}
		for _, search := range [][]string{nil, {"ha"}, {"dan", "van"}} {
			same(fmt.Sprintf("ListGalleries %s %q", status, search), pages(func(db *mongostore.DB, p core.Page) (any, string, bool, error) {
				pg, err := db.ListGalleries(ctx, core.GalleryQuery{Page: p, PublicationFilter: f, Search: search})
				return pg, lastID(pg.Items, func(g *core.Gallery) string { return g.ID }), pg.HasNext, err
			}))
		}
		for _, q := range []core.ArticleQuery{{}, {Section: "news"}, {Tag: "dam"}, {Search: []string{"toa", "d"}}, {Section: "culture", Tag: "le"}} {
			q.PublicationFilter = f
			same(fmt.Sprintf("ListArticles %+v", q), pages(func(db *mongostore.DB, p core.Page) (any, string, bool, error) {
				q.Page = p
				pg, err := db.ListArticles(ctx, q)
				return pg, lastID(pg.Items, func(a *core.Article) string { return a.ID }), pg.HasNext, err
			}))
		}
	}
	same("ListArticles bad limit", func(db *mongostore.DB) (any, error) {
		return db.ListArticles(ctx, core.ArticleQuery{Page: core.Page{Limit: 0}})
	})
	for _, a := range []*core.Asset{assets[0], assets[5], assets[29]} {
		same("AssetByID "+a.ID, func(db *mongostore.DB) (any, error) { return db.AssetByID(ctx, a.ID) })
		same("AssetBySHA256 "+a.SHA256, func(db *mongostore.DB) (any, error) { return db.AssetBySHA256(ctx, a.SHA256) })
		same("GalleriesWithAsset "+a.ID, func(db *mongostore.DB) (any, error) { return db.GalleriesWithAsset(ctx, a.ID) })
		same("ArticlesWithAsset "+a.ID, func(db *mongostore.DB) (any, error) { return db.ArticlesWithAsset(ctx, a.ID) })
	}
	for _, g := range []*core.Gallery{galleries[0], galleries[3], galleries[14]} {
		same("GalleryByID "+g.ID, func(db *mongostore.DB) (any, error) { return db.GalleryByID(ctx, g.ID) })
		same("GalleryBySlug "+g.Slug, func(db *mongostore.DB) (any, error) { return db.GalleryBySlug(ctx, g.Slug) })
		same("ArticlesWithGallery "+g.ID, func(db *mongostore.DB) (any, error) { return db.ArticlesWithGallery(ctx, g.ID) })
	}
	for _, a := range []*core.Article{articles[0], articles[19]} {
		same("ArticleByID "+a.ID, func(db *mongostore.DB) (any, error) { return db.ArticleByID(ctx, a.ID) })
		same("ArticleBySlug "+a.Slug, func(db *mongostore.DB) (any, error) { return db.ArticleBySlug(ctx, a.Slug) })
	}
	ids := []string{assets[2].ID, assets[29].ID, assets[2].ID, assets[11].ID, "nope"}
	same("AssetsByIDs", func(db *mongostore.DB) (any, error) { return db.AssetsByIDs(ctx, ids) })
	gids := []string{galleries[4].ID, galleries[14].ID, galleries[0].ID}
	same("GalleriesByIDs", func(db *mongostore.DB) (any, error) { return db.GalleriesByIDs(ctx, gids) })
	same("AssetIDsInUse", func(db *mongostore.DB) (any, error) {
		ids, err := db.AssetIDsInUse(ctx)
		slices.Sort(ids)
		return ids, err
	})

	// What a read returns is the caller's: changing it changes nothing kept.
	g, err := mem.GalleryByID(ctx, galleries[0].ID)
	mustNil(t, err)
	if len(g.Items) > 0 {
		g.Items[0].Caption = "changed in place"
	}
	g.SearchTokens = append(g.SearchTokens[:0], "changed")
	same("GalleryByID after a reader changed its copy", func(db *mongostore.DB) (any, error) { return db.GalleryByID(ctx, galleries[0].ID) })

	for _, s := range stores {
		if n := s.db.MemoryFallbacks(); n != 0 {
			t.Errorf("%s: %d reads went to the database", s.name, n)
		}
	}
}

func lastID[T any](items []T, id func(T) string) string {
	if len(items) == 0 {
		return ""
	}
	return id(items[len(items)-1])
}

// wantEqualNamed is wantEqual that says what was compared, and goes on.
func wantEqualNamed(tb testing.TB, what string, got, want any) {
	tb.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		tb.Errorf("%s:\ngot  %s\nwant %s", what, g, w)
	}
}
