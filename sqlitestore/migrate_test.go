package sqlitestore_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/core/storetest"
)

// A file of schema version 1 (before sort keys) gets its sort key columns
// filled from the stored documents when it is opened.
func TestMigrateSortKeys(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "stillroom.db")
	db := open(t, path)
	for i, title := range []string{"Huế", "Đà Nẵng", "Cần Thơ"} {
		a := storetest.DraftArticle(fmt.Sprint("a-", i))
		a.Title = title
		if err := db.InsertArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		g := storetest.FullGallery(fmt.Sprint("g-", i))
		g.Title = title
		if err := db.InsertGallery(ctx, g); err != nil {
			t.Fatal(err)
		}
		as := storetest.FullAsset(fmt.Sprintf("%064x", i+1))
		as.Filename = title + ".jpg"
		if err := db.InsertAsset(ctx, as); err != nil {
			t.Fatal(err)
		}
	}
	db.Close(ctx)

	// Take the file back to version 1: no sort key columns, no indexes.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"DROP INDEX articles_title_key", "ALTER TABLE articles DROP COLUMN title_key",
		"DROP INDEX galleries_title_key", "ALTER TABLE galleries DROP COLUMN title_key",
		"DROP INDEX assets_filename_key", "ALTER TABLE assets DROP COLUMN filename_key",
		"DROP INDEX assets_taken_asc", "ALTER TABLE assets DROP COLUMN taken_asc",
		"DROP INDEX assets_taken_desc", "ALTER TABLE assets DROP COLUMN taken_desc",
		"DROP INDEX assets_timecode_asc", "ALTER TABLE assets DROP COLUMN timecode_asc",
		"DROP INDEX assets_timecode_desc", "ALTER TABLE assets DROP COLUMN timecode_desc",
		"ALTER TABLE jobs DROP COLUMN again",
		"PRAGMA user_version = 1",
	} {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	raw.Close()

	db = open(t, path)
	want := []string{"Cần Thơ", "Đà Nẵng", "Huế"}
	ap, err := db.ListArticles(ctx, core.ArticleQuery{Page: core.Page{Limit: 10, By: core.SortTitle, Oldest: true}})
	if err != nil {
		t.Fatal(err)
	}
	gp, err := db.ListGalleries(ctx, core.GalleryQuery{Page: core.Page{Limit: 10, By: core.SortTitle, Oldest: true}})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := db.ListAssets(ctx, core.AssetQuery{Page: core.Page{Limit: 10, By: core.SortFilename, Oldest: true}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if len(ap.Items) != 3 || len(gp.Items) != 3 || len(sp.Items) != 3 ||
			ap.Items[i].Title != want[i] || gp.Items[i].Title != want[i] || sp.Items[i].Filename != want[i]+".jpg" {
			t.Fatalf("after migrating, by title: %d articles, %d galleries, %d assets, want %q", len(ap.Items), len(gp.Items), len(sp.Items), want)
		}
	}
	// Every asset has a taken-at key (FullAsset has a taken-at): none is
	// treated as missing, which the column's default '' would sort first.
	tp, err := db.ListAssets(ctx, core.AssetQuery{Page: core.Page{Limit: 10, By: core.SortTakenAt, Desc: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tp.Items) != 3 || tp.Items[0].ID < tp.Items[2].ID {
		t.Fatalf("by taken-at after migrating: %d items, newest-taken-first ties not newest first", len(tp.Items))
	}
}
