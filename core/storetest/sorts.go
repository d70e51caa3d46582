package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/core/sortkey"
)

// walk reads a whole list through pages of 2 in the order by, desc, and
// returns the names of the items in that order: forward (the key scanned in
// the order's direction, the last key as cursor) and backward (the key
// scanned the other way from the end, each page reversed, as Relay's
// last/before read). Both must agree and every page must count all items.
func walk[T any](t *testing.T, by core.SortBy, desc bool, total int, list func(core.Page) (core.PageOf[T], error),
	key func(T, core.SortBy, bool) string, name func(T) string) []string {
	t.Helper()
	read := func(ascending bool) []string {
		var out []string
		after := ""
		for range total + 1 {
			p, err := list(core.Page{After: after, Limit: 2, By: by, Desc: desc, Oldest: ascending})
			mustNil(t, err)
			if p.Total != int64(total) {
				t.Fatalf("sort %s desc=%v: total %d, want %d", by, desc, p.Total, total)
			}
			for _, it := range p.Items {
				out = append(out, name(it))
			}
			if !p.HasNext {
				return out
			}
			after = key(p.Items[len(p.Items)-1], by, desc)
		}
		t.Fatalf("sort %s desc=%v: pages never end", by, desc)
		return nil
	}
	fwd := read(!desc)
	back := read(desc)
	slices.Reverse(back)
	if !slices.Equal(fwd, back) {
		t.Errorf("sort %s desc=%v: forward %q, backward %q", by, desc, fwd, back)
	}
	return fwd
}

// testSortByTitle: articles and galleries sort by title folded for
// Vietnamese (diacritics and case ignored, đ with d, numbers by value),
// ties by ID in the order's direction, and follow title changes.
func testSortByTitle(t *testing.T, db core.Store) {
	ctx := t.Context()
	// Inserted in this order, so "Da Nang" has the smaller ID of the tie.
	titles := []string{"Huế", "Da Nang", "Ảnh 10", "Đà Lạt", "Cần Thơ", "Đà Nẵng", "ảnh 2", "Dương Đông"}
	want := []string{"ảnh 2", "Ảnh 10", "Cần Thơ", "Đà Lạt", "Da Nang", "Đà Nẵng", "Dương Đông", "Huế"}
	wantDesc := []string{"Huế", "Dương Đông", "Đà Nẵng", "Da Nang", "Đà Lạt", "Cần Thơ", "Ảnh 10", "ảnh 2"}
	var gs []*core.Gallery
	for i, title := range titles {
		a := DraftArticle(fmt.Sprint("t-", i))
		a.Title = title
		mustNil(t, db.InsertArticle(ctx, a))
		g := FullGallery(fmt.Sprint("t-", i))
		g.Title = title
		mustNil(t, db.InsertGallery(ctx, g))
		gs = append(gs, g)
	}
	articleKey := func(a *core.Article, _ core.SortBy, _ bool) string { return sortkey.Text(a.Title, a.ID) }
	articleTitle := func(a *core.Article) string { return a.Title }
	listArticles := func(p core.Page) (core.PageOf[*core.Article], error) {
		return db.ListArticles(ctx, core.ArticleQuery{Page: p})
	}
	galleryKey := func(g *core.Gallery, _ core.SortBy, _ bool) string { return sortkey.Text(g.Title, g.ID) }
	galleryTitle := func(g *core.Gallery) string { return g.Title }
	listGalleries := func(p core.Page) (core.PageOf[*core.Gallery], error) {
		return db.ListGalleries(ctx, core.GalleryQuery{Page: p})
	}
	wantEqual(t, walk(t, core.SortTitle, false, len(titles), listArticles, articleKey, articleTitle), want)
	wantEqual(t, walk(t, core.SortTitle, true, len(titles), listArticles, articleKey, articleTitle), wantDesc)
	wantEqual(t, walk(t, core.SortTitle, false, len(titles), listGalleries, galleryKey, galleryTitle), want)
	wantEqual(t, walk(t, core.SortTitle, true, len(titles), listGalleries, galleryKey, galleryTitle), wantDesc)

	// A filter and a sort together.
	p, err := db.ListArticles(ctx, core.ArticleQuery{Page: core.Page{Limit: 3, By: core.SortTitle, Oldest: true},
		PublicationFilter: core.PublicationFilter{Status: core.StatusDraft}})
	mustNil(t, err)
	wantEqual(t, ids(p.Items, articleTitle), want[:3])

	// A new title moves the gallery.
	g := gs[0] // Huế
	g.Title = "Ánh sáng"
	mustNil(t, db.UpdateGallery(ctx, g))
	got := walk(t, core.SortTitle, false, len(titles), listGalleries, galleryKey, galleryTitle)
	wantEqual(t, got[:3], []string{"ảnh 2", "Ảnh 10", "Ánh sáng"})

	for _, by := range []core.SortBy{core.SortFilename, core.SortTakenAt, core.SortTimecode, "nonsense"} {
		_, err := db.ListArticles(ctx, core.ArticleQuery{Page: core.Page{Limit: 3, By: by}})
		wantCode(t, err, core.CodeBadUserInput)
		_, err = db.ListGalleries(ctx, core.GalleryQuery{Page: core.Page{Limit: 3, By: by}})
		wantCode(t, err, core.CodeBadUserInput)
	}
}

// testSortAssets: assets sort by file name (folded, numbers by value), by
// taken-at and by timecode; assets without the value come last in both
// directions, among themselves in creation order in the order's direction.
func testSortAssets(t *testing.T, db core.Store) {
	ctx := t.Context()
	tc := func(s, f, still int) *core.Timecode { return &core.Timecode{Seconds: s, Frames: f, Still: still} }
	fixtures := []struct {
		name  string
		taken *time.Time
		tc    *core.Timecode
	}{
		{"IMG_10.jpg", ptr(at(2 * time.Hour)), nil},
		{"img_2.jpg", nil, tc(4, 21, 120)},
		{"Ảnh đẹp.jpg", ptr(at(time.Hour)), tc(4, 21, 7)},
		{"anh dep.jpg", nil, nil},
		{"Zebra.png", ptr(at(time.Hour)), tc(1, 0, 0)},
		{"b.jpg", ptr(at(-3 * time.Hour)), nil},
	}
	for i, f := range fixtures {
		a := FullAsset(fmt.Sprintf("%064x", i+1))
		a.Filename, a.TakenAt, a.Timecode = f.name, f.taken, f.tc
		mustNil(t, db.InsertAsset(ctx, a))
	}
	list := func(p core.Page) (core.PageOf[*core.Asset], error) {
		return db.ListAssets(ctx, core.AssetQuery{Page: p})
	}
	name := func(a *core.Asset) string { return a.Filename }
	n := len(fixtures)
	for _, c := range []struct {
		by   core.SortBy
		desc bool
		want []string
	}{
		{core.SortFilename, false, []string{"Ảnh đẹp.jpg", "anh dep.jpg", "b.jpg", "img_2.jpg", "IMG_10.jpg", "Zebra.png"}},
		{core.SortFilename, true, []string{"Zebra.png", "IMG_10.jpg", "img_2.jpg", "b.jpg", "anh dep.jpg", "Ảnh đẹp.jpg"}},
		{core.SortTakenAt, false, []string{"b.jpg", "Ảnh đẹp.jpg", "Zebra.png", "IMG_10.jpg", "img_2.jpg", "anh dep.jpg"}},
		{core.SortTakenAt, true, []string{"IMG_10.jpg", "Zebra.png", "Ảnh đẹp.jpg", "b.jpg", "anh dep.jpg", "img_2.jpg"}},
		{core.SortTimecode, false, []string{"Zebra.png", "Ảnh đẹp.jpg", "img_2.jpg", "IMG_10.jpg", "anh dep.jpg", "b.jpg"}},
		{core.SortTimecode, true, []string{"img_2.jpg", "Ảnh đẹp.jpg", "Zebra.png", "b.jpg", "anh dep.jpg", "IMG_10.jpg"}},
	} {
		wantEqual(t, walk(t, c.by, c.desc, n, list, sortkey.Asset, name), c.want)
	}

	// Filters still apply, and a taken-at range with its order.
	p, err := db.ListAssets(ctx, core.AssetQuery{Page: core.Page{Limit: 10, By: core.SortTakenAt, Desc: true},
		TakenAfter: ptr(at(0))})
	mustNil(t, err)
	wantEqual(t, ids(p.Items, name), []string{"IMG_10.jpg", "Zebra.png", "Ảnh đẹp.jpg"})

	for _, by := range []core.SortBy{core.SortTitle, "nonsense"} {
		_, err := db.ListAssets(ctx, core.AssetQuery{Page: core.Page{Limit: 3, By: by}})
		wantCode(t, err, core.CodeBadUserInput)
	}
}
