package sqlitestore_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/core/sortkey"
	"github.com/stillroom/stillroom/core/storetest"
	"github.com/stillroom/stillroom/sqlitestore"
)

// benchAssets is the library size of the sort benchmarks.
const benchAssets = 10_000

// sortLibrary is a file of benchAssets assets with varied names, taken-at
// (a third missing) and timecodes (half missing).
func sortLibrary(b *testing.B) (string, *sqlitestore.DB) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "stillroom.db")
	db := open(b, path)
	for i := range benchAssets {
		a := storetest.FullAsset(fmt.Sprintf("%064x", i+1))
		a.Filename = fmt.Sprintf("Ảnh %d Đà Nẵng.jpg", (i*7919)%benchAssets)
		a.TakenAt = nil
		if i%3 != 0 {
			t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration((i*104729)%86400) * time.Second)
			a.TakenAt = &t
		}
		a.Timecode = nil
		if i%2 == 0 {
			a.Timecode = &core.Timecode{Minutes: (i / 60) % 60, Seconds: i % 60, Frames: i % 25, Still: i}
		}
		if err := db.InsertAsset(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	return path, db
}

// BenchmarkListAssetsSorted reads the second page of 50 (after a cursor) of a
// 10,000-asset library in each order; NEWEST (the primary key) is the
// reference in the same run.
func BenchmarkListAssetsSorted(b *testing.B) {
	ctx := context.Background()
	_, db := sortLibrary(b)
	for _, c := range []struct {
		name string
		by   core.SortBy
		desc bool
	}{
		{"NEWEST", core.SortCreated, true},
		{"FILENAME", core.SortFilename, false},
		{"TAKEN_AT_DESC", core.SortTakenAt, true},
		{"TIMECODE", core.SortTimecode, false},
	} {
		b.Run(c.name, func(b *testing.B) {
			// The cursor: the last item of the first page.
			p, err := db.ListAssets(ctx, core.AssetQuery{Page: core.Page{Limit: 50, By: c.by, Desc: c.desc, Oldest: c.by != "" && !c.desc}})
			if err != nil {
				b.Fatal(err)
			}
			last := p.Items[len(p.Items)-1]
			after := last.ID
			if c.by != core.SortCreated {
				after = sortkey.Asset(last, c.by, c.desc)
			}
			page := core.Page{Limit: 50, By: c.by, Desc: c.desc, Oldest: c.by != "" && !c.desc, After: after}
			b.ResetTimer()
			for b.Loop() {
				if _, err := db.ListAssets(ctx, core.AssetQuery{Page: page}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMigrateSortKeys opens a 10,000-asset file of schema version 1:
// the time to add and fill the sort keys.
func BenchmarkMigrateSortKeys(b *testing.B) {
	path, db := sortLibrary(b)
	db.Close(context.Background())
	for b.Loop() {
		b.StopTimer()
		raw, err := sql.Open("sqlite", path)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range []string{"filename_key", "taken_asc", "taken_desc", "timecode_asc", "timecode_desc"} {
			for _, s := range []string{"DROP INDEX assets_" + c, "ALTER TABLE assets DROP COLUMN " + c} {
				if _, err := raw.Exec(s); err != nil {
					b.Fatal(err)
				}
			}
		}
		for _, coll := range []string{"articles", "galleries"} {
			for _, s := range []string{"DROP INDEX " + coll + "_title_key", "ALTER TABLE " + coll + " DROP COLUMN title_key"} {
				if _, err := raw.Exec(s); err != nil {
					b.Fatal(err)
				}
			}
		}
		if _, err := raw.Exec("ALTER TABLE jobs DROP COLUMN again"); err != nil {
			b.Fatal(err)
		}
		if _, err := raw.Exec("PRAGMA user_version = 1"); err != nil {
			b.Fatal(err)
		}
		raw.Close()
		b.StartTimer()
		db, err := sqlitestore.Open(context.Background(), sqlitestore.Config{Path: path})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close(context.Background())
		b.StartTimer()
	}
}
