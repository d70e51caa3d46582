package sqlitestore_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/core/storetest"
	"github.com/stillroom/stillroom/sqlitestore"
)

// Two stores on one file stand for two processes: each has its own
// connections and its own in-process write lock, so only SQLite's
// transactions make their conditional writes atomic. (TestTwoProcesses in
// package server runs real processes.)
func TestTwoStoresOneFile(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "stillroom.db")
	a, b := open(t, path), open(t, path)
	stores := []*sqlitestore.DB{a, b}

	t.Run("each job claimed once", func(t *testing.T) {
		const jobs = 40
		for i := range jobs {
			j := &core.Job{Kind: "process", AssetID: fmt.Sprint("asset-", i), RunAt: time.UnixMilli(int64(i)), CreatedAt: time.UnixMilli(0)}
			if err := stores[i%2].EnqueueJob(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		claims := map[string]int{}
		var wg sync.WaitGroup
		for w := range 8 {
			db := stores[w%2]
			wg.Go(func() {
				for {
					j, err := db.ClaimJob(ctx, fmt.Sprint("w", w), time.UnixMilli(1000), time.Minute)
					if core.IsCode(err, core.CodeNotFound) {
						return
					}
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					claims[j.ID]++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(claims) != jobs {
			t.Errorf("%d jobs claimed, want %d", len(claims), jobs)
		}
		for id, n := range claims {
			if n != 1 {
				t.Errorf("job %s claimed %d times", id, n)
			}
		}
	})

	t.Run("one versioned update wins", func(t *testing.T) {
		g := storetest.FullGallery("shared")
		if err := a.InsertGallery(ctx, g); err != nil {
			t.Fatal(err)
		}
		// The other store sees the write at once.
		if _, err := b.GalleryBySlug(ctx, "shared"); err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 16)
		for i := range 16 {
			go func() {
				mine := *g
				mine.Title = fmt.Sprint("writer ", i)
				errs <- stores[i%2].UpdateGallery(ctx, &mine)
			}()
		}
		wins := 0
		for range 16 {
			err := <-errs
			switch {
			case err == nil:
				wins++
			case !core.IsCode(err, core.CodeConflict):
				t.Error(err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d updates at one version succeeded, want 1", wins)
		}
	})

	t.Run("one ticket use wins", func(t *testing.T) {
		tk := &core.UploadTicket{ID: core.NewID(), Key: "incoming/x", ExpiresAt: time.Now().Add(time.Hour)}
		if err := a.InsertTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 8)
		for i := range 8 {
			go func() { errs <- stores[i%2].UseTicket(ctx, tk.ID, time.Now()) }()
		}
		wins := 0
		for range 8 {
			if err := <-errs; err == nil {
				wins++
			} else if !core.IsCode(err, core.CodeConflict) {
				t.Error(err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d uses won, want 1", wins)
		}
	})
}

// Data written survives closing and opening the file again.
func TestReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "stillroom.db")
	db, err := sqlitestore.Open(ctx, sqlitestore.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	a := storetest.FullArticle("kept")
	if err := db.InsertArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(ctx); err != nil {
		t.Fatal(err)
	}
	db = open(t, path)
	got, err := db.ArticleBySlug(ctx, "kept")
	if err != nil || got.ID != a.ID {
		t.Fatalf("after reopening: %v, %v", got, err)
	}
	p, err := db.ListArticles(ctx, core.ArticleQuery{Page: core.Page{Limit: 5}, Search: []string{"harb"}})
	if err != nil || len(p.Items) != 1 {
		t.Fatalf("search after reopening: %+v, %v", p, err)
	}
}

// A file made by a newer schema is refused with a message saying so, and
// left untouched.
func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stillroom.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	_, err = sqlitestore.Open(context.Background(), sqlitestore.Config{Path: path})
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Open = %v, want a newer-schema error", err)
	}
}

// The file and its journal are readable by their owner only: they hold
// password and session hashes.
func TestFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stillroom.db")
	db := open(t, path)
	if err := db.InsertUser(t.Context(), &core.User{ID: "u", Email: "u@example.com"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m&0o077 != 0 {
			t.Errorf("%s: mode %v, want no access for group and others", p, m)
		}
	}
}

// Decoded documents are cached by version: a change made through another
// store (process) is seen at once, and changing a value read does not
// change what the next read gets.
func TestCacheFollowsOtherWriters(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "stillroom.db")
	a, b := open(t, path), open(t, path)
	g := storetest.FullGallery("cached")
	if err := a.InsertGallery(ctx, g); err != nil {
		t.Fatal(err)
	}
	first, err := a.GalleryByID(ctx, g.ID) // now cached in a
	if err != nil {
		t.Fatal(err)
	}
	first.Title = "changed by the reader"
	first.Items[0].Caption = "changed by the reader"
	again, err := a.GalleryByID(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Title != g.Title || again.Items[0].Caption != g.Items[0].Caption {
		t.Fatalf("a reader's change reached the cache: %q, %q", again.Title, again.Items[0].Caption)
	}
	other, err := b.GalleryByID(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	other.Title = "Renamed elsewhere"
	if err := b.UpdateGallery(ctx, other); err != nil {
		t.Fatal(err)
	}
	for _, read := range []func() (*core.Gallery, error){
		func() (*core.Gallery, error) { return a.GalleryByID(ctx, g.ID) },
		func() (*core.Gallery, error) {
			p, err := a.ListGalleries(ctx, core.GalleryQuery{Page: core.Page{Limit: 5}})
			if err != nil || len(p.Items) != 1 {
				return nil, fmt.Errorf("list: %+v, %v", p, err)
			}
			return p.Items[0], nil
		},
	} {
		got, err := read()
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "Renamed elsewhere" || got.Version != g.Version+1 {
			t.Fatalf("a reads %q version %d after b's update", got.Title, got.Version)
		}
	}
}
