package sqlitestore_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/core/storetest"
)

// TestRefoldOnOpen guards records folded by an older fold.Version (before
// "Ð" folded to d and long numbers sorted by value): opening the file
// refolds their sort keys and search tokens, so "Ðà Nẵng" sorts among the
// D titles and is found by "da", and "Ảnh 999999999" sorts before
// "Ảnh 1000000000".
func TestRefoldOnOpen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "stillroom.db")
	db := open(t, path)
	var eth string
	for i, title := range []string{"Huế", "Ðà Nẵng", "Cần Thơ"} {
		a := storetest.DraftArticle(fmt.Sprint("a-", i))
		a.Title = title
		if err := db.InsertArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			eth = a.ID
		}
	}
	for i, name := range []string{"Ảnh 1000000000.jpg", "Ảnh 999999999.jpg"} {
		as := storetest.FullAsset(fmt.Sprintf("%064x", i+1))
		as.Filename = name
		if err := db.InsertAsset(ctx, as); err != nil {
			t.Fatal(err)
		}
	}
	// What the older folding stored: its search tokens and sort keys.
	a, err := db.ArticleByID(ctx, eth)
	if err != nil {
		t.Fatal(err)
	}
	a.SearchTokens = []string{"ða", "nang"}
	if err := db.UpdateArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	db.Close(ctx)
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		q    string
		args []any
	}{
		{"UPDATE articles SET title_key = ? WHERE id = ?", []any{"ða nang\x01" + eth, eth}},
		{"UPDATE assets SET filename_key = 'anh 91000000000 jpg' || char(1) || id WHERE doc LIKE '%1000000000.jpg%'", nil},
		{"UPDATE assets SET filename_key = 'anh 9999999999 jpg' || char(1) || id WHERE doc LIKE '%999999999.jpg%'", nil},
		{"DELETE FROM settings WHERE name = 'sqlitestore.foldVersion'", nil},
	} {
		if _, err := raw.Exec(s.q, s.args...); err != nil {
			t.Fatalf("%s: %v", s.q, err)
		}
	}
	raw.Close()

	db = open(t, path)
	ap, err := db.ListArticles(ctx, core.ArticleQuery{Page: core.Page{Limit: 10, By: core.SortTitle, Oldest: true}})
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, a := range ap.Items {
		titles = append(titles, a.Title)
	}
	if want := []string{"Cần Thơ", "Ðà Nẵng", "Huế"}; !slices.Equal(titles, want) {
		t.Errorf("by title: %q, want %q", titles, want)
	}
	found, err := db.ListArticles(ctx, core.ArticleQuery{Search: []string{"da", "nang"}, Page: core.Page{Limit: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if len(found.Items) != 1 || found.Items[0].ID != eth || !slices.Equal(found.Items[0].SearchTokens, []string{"da", "nang"}) {
		t.Errorf("search \"da nang\" found %d articles (want %s with tokens [da nang])", len(found.Items), eth)
	}
	sp, err := db.ListAssets(ctx, core.AssetQuery{Page: core.Page{Limit: 10, By: core.SortFilename, Oldest: true}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range sp.Items {
		names = append(names, a.Filename)
	}
	if want := []string{"Ảnh 999999999.jpg", "Ảnh 1000000000.jpg"}; !slices.Equal(names, want) {
		t.Errorf("by file name: %q, want %q", names, want)
	}
}
