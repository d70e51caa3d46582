package sqlitestore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/sqlitestore"
)

// Every sort reads its key's index in order: SQLite's plan for the page
// query uses the index and sorts nothing itself.
func TestSortsUseIndexes(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "stillroom.db")
	var mu sync.Mutex
	var queries []string
	db, err := sqlitestore.Open(ctx, sqlitestore.Config{Path: path, TraceReads: func(q string) {
		mu.Lock()
		queries = append(queries, q)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()

	for _, c := range []struct {
		list  func(core.Page) error
		by    core.SortBy
		index string
	}{
		{func(p core.Page) error { _, err := db.ListArticles(ctx, core.ArticleQuery{Page: p}); return err }, core.SortTitle, "articles_title_key"},
		{func(p core.Page) error { _, err := db.ListGalleries(ctx, core.GalleryQuery{Page: p}); return err }, core.SortTitle, "galleries_title_key"},
		{func(p core.Page) error { _, err := db.ListAssets(ctx, core.AssetQuery{Page: p}); return err }, core.SortFilename, "assets_filename_key"},
		{func(p core.Page) error { _, err := db.ListAssets(ctx, core.AssetQuery{Page: p}); return err }, core.SortTakenAt, "assets_taken_"},
		{func(p core.Page) error { _, err := db.ListAssets(ctx, core.AssetQuery{Page: p}); return err }, core.SortTimecode, "assets_timecode_"},
	} {
		for _, desc := range []bool{false, true} {
			for _, after := range []string{"", "k"} {
				mu.Lock()
				queries = nil
				mu.Unlock()
				if err := c.list(core.Page{Limit: 5, By: c.by, Desc: desc, Oldest: !desc, After: after}); err != nil {
					t.Fatal(err)
				}
				mu.Lock()
				q := queries[0]
				mu.Unlock()
				args := make([]any, strings.Count(q, "?"))
				rows, err := raw.Query("EXPLAIN QUERY PLAN "+q, args...)
				if err != nil {
					t.Fatal(err)
				}
				var plan []string
				for rows.Next() {
					var id, parent, unused int
					var detail string
					if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
						t.Fatal(err)
					}
					plan = append(plan, detail)
				}
				rows.Close()
				p := strings.Join(plan, "; ")
				if !strings.Contains(p, "USING INDEX "+c.index) || strings.Contains(p, "TEMP B-TREE") {
					t.Errorf("%s desc=%v after=%q: plan %q for %s", c.by, desc, after, p, q)
				}
			}
		}
	}
}
