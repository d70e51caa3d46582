package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
)

func testSearchArticles(t *testing.T, db core.Store) {
	ctx := t.Context()
	tokens := map[string][]string{
		"a1": {"harbour", "wakes", "dawn"},
		"a2": {"harbour", "wonder"},
		"a3": {"hardware"},
		"a4": {"dawn", "harbour"},
		"a5": {"a.b", "x+y"},
		"a6": nil,
		"a7": {"東京", "ålesund"},
	}
	for slug, ts := range tokens {
		a := DraftArticle(slug)
		a.SearchTokens = ts
		a.Section = "news"
		if slug == "a4" {
			a.Section = "sport"
			a.Tags = []string{"sailing"}
		}
		mustNil(t, db.InsertArticle(ctx, a))
	}
	tests := []struct {
		name    string
		search  []string
		section string
		tag     string
		want    []string
	}{
		{"prefix", []string{"har"}, "", "", []string{"a1", "a2", "a3", "a4"}},
		{"whole word is a prefix of itself", []string{"harbour"}, "", "", []string{"a1", "a2", "a4"}},
		{"all words, last as prefix", []string{"harbour", "w"}, "", "", []string{"a1", "a2"}},
		{"order of full words does not matter", []string{"dawn", "harbour", "wa"}, "", "", []string{"a1"}},
		{"full word must match exactly", []string{"harb", "dawn"}, "", "", nil},
		{"no match", []string{"dawn", "x"}, "", "", nil},
		{"regexp characters are literal", []string{"a.b"}, "", "", []string{"a5"}},
		{"regexp characters are literal, prefix", []string{"x+"}, "", "", []string{"a5"}},
		{"dot is not a wildcard", []string{"a.c"}, "", "", nil},
		{"empty words are ignored", []string{"", "har", ""}, "", "", []string{"a1", "a2", "a3", "a4"}},
		{"non-ASCII prefix", []string{"東"}, "", "", []string{"a7"}},
		{"non-ASCII words", []string{"東京", "åle"}, "", "", []string{"a7"}},
		{"no words: everything", nil, "", "", []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7"}},
		{"with section", []string{"dawn"}, "news", "", []string{"a1"}},
		{"with tag", []string{"har"}, "", "sailing", []string{"a4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := db.ListArticles(ctx, core.ArticleQuery{
				Page: core.Page{Limit: 50}, Search: tt.search, Section: tt.section, Tag: tt.tag,
			})
			mustNil(t, err)
			var got []string
			for _, a := range p.Items {
				got = append(got, a.Slug)
			}
			slices.Sort(got)
			wantEqual(t, got, tt.want)
		})
	}
}

func testListAssets(t *testing.T, db core.Store) {
	ctx := t.Context()
	mk := func(sha string, status core.AssetStatus, by string, taken *time.Time, tokens ...string) *core.Asset {
		a := &core.Asset{
			ID: core.NewID(), Status: status, SHA256: sha, UploadedBy: by, TakenAt: taken,
			SearchTokens: tokens, Version: 1, CreatedAt: at(0), UpdatedAt: at(0),
		}
		mustNil(t, db.InsertAsset(ctx, a))
		return a
	}
	a1 := mk("s1", core.AssetReady, "ann", ptr(at(-3*time.Hour)), "harbour", "boats")
	a2 := mk("s2", core.AssetReady, "bob", ptr(at(-2*time.Hour)), "harbour")
	a3 := mk("s3", core.AssetProcessing, "ann", ptr(at(-1*time.Hour)), "boats")
	a4 := mk("s4", core.AssetFailed, "bob", nil)
	a2.PipelineVersion = 2
	mustNil(t, db.UpdateAsset(ctx, a2))

	tests := []struct {
		name string
		q    core.AssetQuery
		want []*core.Asset // newest first
	}{
		{"all", core.AssetQuery{}, []*core.Asset{a4, a3, a2, a1}},
		{"status", core.AssetQuery{Status: core.AssetReady}, []*core.Asset{a2, a1}},
		{"uploaded by", core.AssetQuery{UploadedBy: "ann"}, []*core.Asset{a3, a1}},
		{"ids", core.AssetQuery{IDs: []string{a1.ID, a4.ID, "missing"}}, []*core.Asset{a4, a1}},
		{"empty ids match nothing", core.AssetQuery{IDs: []string{}}, nil},
		{"exclude ids", core.AssetQuery{ExcludeIDs: []string{a2.ID, a3.ID}}, []*core.Asset{a4, a1}},
		{"ids and exclude ids", core.AssetQuery{IDs: []string{a1.ID, a2.ID}, ExcludeIDs: []string{a2.ID}}, []*core.Asset{a1}},
		{"taken after, inclusive", core.AssetQuery{TakenAfter: ptr(at(-2 * time.Hour))}, []*core.Asset{a3, a2}},
		{"taken before, exclusive", core.AssetQuery{TakenBefore: ptr(at(-2 * time.Hour))}, []*core.Asset{a1}},
		{"taken between", core.AssetQuery{TakenAfter: ptr(at(-150 * time.Minute)), TakenBefore: ptr(at(-30 * time.Minute))}, []*core.Asset{a3, a2}},
		{"search", core.AssetQuery{Search: []string{"harbour", "bo"}}, []*core.Asset{a1}},
		{"made by an older pipeline", core.AssetQuery{PipelineBelow: 2}, []*core.Asset{a4, a3, a1}},
		{"search and uploader", core.AssetQuery{Search: []string{"bo"}, UploadedBy: "ann", Status: core.AssetProcessing}, []*core.Asset{a3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Limit = 10
			p, err := db.ListAssets(ctx, tt.q)
			mustNil(t, err)
			wantEqual(t, p.Items, append([]*core.Asset{}, tt.want...))
			if p.Total != int64(len(tt.want)) || p.HasNext {
				t.Errorf("Total %d, HasNext %v", p.Total, p.HasNext)
			}
		})
	}

	// Paging with a cursor and a filter: Total counts the filter only.
	p, err := db.ListAssets(ctx, core.AssetQuery{Page: core.Page{Limit: 1}, UploadedBy: "bob"})
	mustNil(t, err)
	wantEqual(t, p, core.PageOf[*core.Asset]{Items: []*core.Asset{a4}, HasNext: true, Total: 2})
	p, err = db.ListAssets(ctx, core.AssetQuery{Page: core.Page{Limit: 1, After: a4.ID}, UploadedBy: "bob"})
	mustNil(t, err)
	wantEqual(t, p, core.PageOf[*core.Asset]{Items: []*core.Asset{a2}, HasNext: false, Total: 2})
}
