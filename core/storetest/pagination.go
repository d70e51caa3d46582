package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
)

func articleIDs(as []*core.Article) []string {
	return ids(as, func(a *core.Article) string { return a.ID })
}

// DraftArticle returns a minimal draft article.
func DraftArticle(slug string) *core.Article {
	return &core.Article{
		ID: core.NewID(), Slug: slug, Publication: core.Publication{Status: core.StatusDraft},
		Version: 1, CreatedAt: at(0), UpdatedAt: at(0),
	}
}

func testListArticlesPagination(t *testing.T, db core.Store) {
	ctx := t.Context()
	var all []string
	for i := range 25 {
		a := DraftArticle(fmt.Sprint("a-", i))
		mustNil(t, db.InsertArticle(ctx, a))
		all = append(all, a.ID)
	}
	slices.Reverse(all) // newest first

	page := func(after string) core.PageOf[*core.Article] {
		t.Helper()
		p, err := db.ListArticles(ctx, core.ArticleQuery{Page: core.Page{After: after, Limit: 10}})
		mustNil(t, err)
		return p
	}
	p1 := page("")
	if len(p1.Items) != 10 || !p1.HasNext || p1.Total != 25 {
		t.Fatalf("page 1: %d items, HasNext %v, Total %d", len(p1.Items), p1.HasNext, p1.Total)
	}
	// A newer article must not shift the pages after the first.
	mustNil(t, db.InsertArticle(ctx, DraftArticle("newer")))
	p2 := page(p1.Items[9].ID)
	if len(p2.Items) != 10 || !p2.HasNext || p2.Total != 26 {
		t.Fatalf("page 2: %d items, HasNext %v, Total %d", len(p2.Items), p2.HasNext, p2.Total)
	}
	p3 := page(p2.Items[9].ID)
	if len(p3.Items) != 5 || p3.HasNext || p3.Total != 26 {
		t.Fatalf("page 3: %d items, HasNext %v, Total %d", len(p3.Items), p3.HasNext, p3.Total)
	}
	got := slices.Concat(articleIDs(p1.Items), articleIDs(p2.Items), articleIDs(p3.Items))
	wantEqual(t, got, all)

	for _, limit := range []int{0, -1, core.MaxPageSize + 1} {
		_, err := db.ListArticles(ctx, core.ArticleQuery{Page: core.Page{Limit: limit}})
		wantCode(t, err, core.CodeBadUserInput)
	}
}

func testPublicationFilter(t *testing.T, db core.Store) {
	ctx := t.Context()
	now := at(0)
	pubs := map[string]core.Publication{
		"draft":             {Status: core.StatusDraft},
		"draft-was-planned": {Status: core.StatusDraft, PublishAt: ptr(now.Add(-time.Hour))},
		"published":         {Status: core.StatusPublished, PublishAt: ptr(now.Add(-time.Hour)), PublishedAt: ptr(now.Add(-time.Hour))},
		"published-now":     {Status: core.StatusPublished, PublishAt: ptr(now)},
		"scheduled":         {Status: core.StatusPublished, PublishAt: ptr(now.Add(time.Millisecond))},
		"scheduled-later":   {Status: core.StatusPublished, PublishAt: ptr(now.Add(24 * time.Hour))},
	}
	var articles []*core.Article
	for slug, p := range pubs {
		a := DraftArticle(slug)
		a.Publication = p
		mustNil(t, db.InsertArticle(ctx, a))
		g := FullGallery(slug)
		g.Publication = p
		mustNil(t, db.InsertGallery(ctx, g))
		articles = append(articles, a)
	}
	slugs := func(slugOf func(int) string, n int) []string {
		out := make([]string, n)
		for i := range n {
			out[i] = slugOf(i)
		}
		slices.Sort(out)
		return out
	}
	for _, status := range []core.PublishStatus{"", core.StatusDraft, core.StatusScheduled, core.StatusPublished} {
		t.Run(string(status)+"_at_now", func(t *testing.T) {
			// What the domain says, item by item.
			var want []string
			for _, a := range articles {
				if status == "" || a.Publication.EffectiveStatus(now) == status {
					want = append(want, a.Slug)
				}
			}
			slices.Sort(want)
			filter := core.PublicationFilter{Status: status, Now: now}

			ap, err := db.ListArticles(ctx, core.ArticleQuery{Page: core.Page{Limit: 50}, PublicationFilter: filter})
			mustNil(t, err)
			wantEqual(t, slugs(func(i int) string { return ap.Items[i].Slug }, len(ap.Items)), want)
			if ap.Total != int64(len(want)) {
				t.Errorf("articles Total = %d, want %d", ap.Total, len(want))
			}
			gp, err := db.ListGalleries(ctx, core.GalleryQuery{Page: core.Page{Limit: 50}, PublicationFilter: filter})
			mustNil(t, err)
			wantEqual(t, slugs(func(i int) string { return gp.Items[i].Slug }, len(gp.Items)), want)
		})
	}
	_, err := db.ListArticles(ctx, core.ArticleQuery{Page: core.Page{Limit: 5}, PublicationFilter: core.PublicationFilter{Status: "LIVE"}})
	wantCode(t, err, core.CodeBadUserInput)
}

// testOldestFirstAndImportKey: Page.Oldest lists in creation order with
// the cursor as a lower bound; ArticleQuery.ImportKey finds one article.
func testOldestFirstAndImportKey(t *testing.T, db core.Store) {
	ctx := t.Context()
	var all []string
	for i := range 7 {
		a := DraftArticle(fmt.Sprint("o-", i))
		if i == 4 {
			a.ImportKey = "import:abc"
		}
		mustNil(t, db.InsertArticle(ctx, a))
		all = append(all, a.ID)
	}
	var got []string
	after := ""
	for {
		p, err := db.ListArticles(ctx, core.ArticleQuery{Page: core.Page{After: after, Limit: 3, Oldest: true}})
		mustNil(t, err)
		if p.Total != 7 {
			t.Fatalf("total %d", p.Total)
		}
		got = append(got, articleIDs(p.Items)...)
		if !p.HasNext {
			break
		}
		after = p.Items[len(p.Items)-1].ID
	}
	wantEqual(t, got, all)
	p, err := db.ListArticles(ctx, core.ArticleQuery{Page: core.Page{Limit: 5}, ImportKey: "import:abc"})
	mustNil(t, err)
	if len(p.Items) != 1 || p.Items[0].ID != all[4] || p.Items[0].ImportKey != "import:abc" {
		t.Errorf("by import key: %+v", p.Items)
	}
}
