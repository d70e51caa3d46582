package sqlitestore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/core/storetest"
	"github.com/stillroom/stillroom/sqlitestore"
)

// betweenReads opens a store whose next read of documents by ID (the
// second query of a list, after it matched IDs and versions) first runs
// fn, once: a write landing between the two queries of one read.
func betweenReads(t *testing.T, coll string) (db *sqlitestore.DB, arm func(fn func())) {
	t.Helper()
	var mu sync.Mutex
	var hook func()
	db, err := sqlitestore.Open(context.Background(), sqlitestore.Config{
		Path: filepath.Join(t.TempDir(), "stillroom.db"),
		TraceReads: func(q string) {
			if !strings.HasPrefix(q, "SELECT id, version, doc FROM "+coll+" WHERE id IN (SELECT value FROM json_each(?))") {
				return
			}
			mu.Lock()
			h := hook
			hook = nil
			mu.Unlock()
			if h != nil {
				h()
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(context.Background()) })
	return db, func(fn func()) {
		mu.Lock()
		hook = fn
		mu.Unlock()
	}
}

var published = core.PublicationFilter{Status: core.StatusPublished}

// An article unpublished and given draft text between the two queries of
// a list of published articles is not in that list: the list is what
// one statement would have returned.
func TestListNeverShowsADocumentItsFilterNoLongerMatches(t *testing.T) {
	ctx := t.Context()
	db, arm := betweenReads(t, "articles")
	past := time.Now().Add(-time.Hour)
	a := storetest.FullArticle("tin-cong-khai")
	a.Title = "Tin công khai"
	a.Publication = core.Publication{Status: core.StatusPublished, PublishAt: &past, PublishedAt: &past}
	if err := db.InsertArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	fired := false
	arm(func() {
		fired = true
		a.Title = "Bản nháp mật: chưa được đăng"
		a.Publication = core.Publication{Status: core.StatusDraft}
		if err := db.UpdateArticle(ctx, a); err != nil {
			t.Error(err)
		}
	})
	p, err := db.ListArticles(ctx, core.ArticleQuery{Page: core.Page{Limit: 20}, PublicationFilter: published})
	if err != nil {
		t.Fatal(err)
	}
	if !fired {
		t.Fatal("the list read no document by ID: the test no longer puts the write between two queries")
	}
	for _, got := range p.Items {
		t.Errorf("list of published articles returned %q, status %s", got.Title, got.Publication.Status)
	}
	if p.Total != 0 || p.HasNext {
		t.Errorf("total %d, hasNext %v; want 0, false", p.Total, p.HasNext)
	}
}

// A document changed between the two queries of a lookup by key is
// found, at its new version (not NOT_FOUND, not the old one).
func TestLookupAcrossAChangeFindsTheNewVersion(t *testing.T) {
	ctx := t.Context()
	db, arm := betweenReads(t, "galleries")
	g := storetest.FullGallery("cang-ca")
	if err := db.InsertGallery(ctx, g); err != nil {
		t.Fatal(err)
	}
	arm(func() {
		g.Title = "Cảng cá lúc bình minh"
		if err := db.UpdateGallery(ctx, g); err != nil {
			t.Error(err)
		}
	})
	got, err := db.GalleryBySlug(ctx, "cang-ca")
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != g.Title || got.Version != g.Version {
		t.Errorf("got %q at version %d; want %q at version %d", got.Title, got.Version, g.Title, g.Version)
	}
}

// A row deleted between the two queries of a page does not end paging
// early: the page still says more follow, and paging to the end sees
// every row that was never deleted (reconcile and reprocess page through
// every asset this way).
func TestDeleteDuringAPageKeepsPaging(t *testing.T) {
	ctx := t.Context()
	db, arm := betweenReads(t, "assets")
	var ids []string // oldest first
	for i := range 5 {
		a := storetest.FullAsset(fmt.Sprintf("%064x", i+1))
		if err := db.InsertAsset(ctx, a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	arm(func() {
		if err := db.DeleteAsset(ctx, ids[4]); err != nil { // the newest, on the first page
			t.Error(err)
		}
	})
	var seen []string
	page := core.Page{Limit: 2}
	for n := 0; ; n++ {
		p, err := db.ListAssets(ctx, core.AssetQuery{Page: page})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 && !p.HasNext {
			t.Errorf("the first page (%d items) says no page follows, but 4 assets are left", len(p.Items))
		}
		for _, a := range p.Items {
			seen = append(seen, a.ID)
		}
		if !p.HasNext || n > 5 {
			break
		}
		page.After = p.Items[len(p.Items)-1].ID
	}
	want := []string{ids[3], ids[2], ids[1], ids[0]}
	if strings.Join(seen, " ") != strings.Join(want, " ") {
		t.Errorf("paging saw %v; want %v", seen, want)
	}
}
