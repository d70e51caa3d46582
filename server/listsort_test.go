package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestListFieldSorts: articles and galleries sort by title folded for
// Vietnamese, assets by file name, taken-at and timecode (missing values
// last both ways), page by page forward and backward; a cursor works only
// with its sort, and a sort a list lacks is refused.
func TestListFieldSorts(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	tok := login(t, s, adminEmail, adminPassword)
	titles := []string{"Huế", "Đà Nẵng", "ảnh 2", "Cần Thơ", "Ảnh 10"}
	for _, title := range titles {
		s.mustGQL(t, tok, `mutation($t: String!) { createArticle(input: {title: $t}) { id } }`, map[string]any{"t": title})
		s.mustGQL(t, tok, `mutation($t: String!) { createGallery(input: {title: $t}) { id } }`, map[string]any{"t": title})
	}
	stills := []string{"b-no-timecode.jpg", "Sequence 01.00_00_04_21.Still120.jpg", "A-no-timecode.jpg", "Sequence 01.00_00_04_03.Still090.jpg"}
	uploadStills(t, s, tok, stills)

	const q = `query($first: Int, $after: String, $last: Int, $before: String, $sort: ListSort) { %s(first: $first, after: $after, last: $last, before: $before, sort: $sort) {
		totalCount edges { cursor node { %s } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`
	// walk reads the whole list 2 at a time, forward (first/after) and
	// backward (last/before), and checks both give the same order.
	walk := func(list, field, sort string) []string {
		t.Helper()
		read := func(backward bool) []string {
			var out []string
			cursor := ""
			for range 10 {
				vars := map[string]any{"sort": sort, "first": 2}
				if backward {
					vars = map[string]any{"sort": sort, "last": 2}
				}
				if cursor != "" {
					vars[map[bool]string{false: "after", true: "before"}[backward]] = cursor
				}
				d := s.mustGQL(t, tok, fmt.Sprintf(q, list, field), vars)
				var page []string
				for _, e := range dig(d, list, "edges").([]any) {
					page = append(page, dig(e, "node", field).(string))
				}
				if backward {
					out = append(page, out...)
					if !dig(d, list, "pageInfo", "hasPreviousPage").(bool) {
						return out
					}
					cursor = dig(d, list, "pageInfo", "startCursor").(string)
				} else {
					out = append(out, page...)
					if !dig(d, list, "pageInfo", "hasNextPage").(bool) {
						return out
					}
					cursor = dig(d, list, "pageInfo", "endCursor").(string)
				}
			}
			t.Fatalf("%s %s: pages never end", list, sort)
			return nil
		}
		fwd, back := read(false), read(true)
		if strings.Join(fwd, "|") != strings.Join(back, "|") {
			t.Errorf("%s %s: forward %q, backward %q", list, sort, fwd, back)
		}
		return fwd
	}
	for _, c := range []struct {
		list, field, sort string
		want              []string
	}{
		{"articles", "title", "TITLE", []string{"ảnh 2", "Ảnh 10", "Cần Thơ", "Đà Nẵng", "Huế"}},
		{"articles", "title", "TITLE_DESC", []string{"Huế", "Đà Nẵng", "Cần Thơ", "Ảnh 10", "ảnh 2"}},
		{"galleries", "title", "TITLE", []string{"ảnh 2", "Ảnh 10", "Cần Thơ", "Đà Nẵng", "Huế"}},
		{"articles", "title", "NEWEST", []string{"Ảnh 10", "Cần Thơ", "ảnh 2", "Đà Nẵng", "Huế"}},
		{"assets", "filename", "FILENAME", []string{stills[2], stills[0], stills[3], stills[1]}},
		{"assets", "filename", "FILENAME_DESC", []string{stills[1], stills[3], stills[0], stills[2]}},
		{"assets", "filename", "TIMECODE", []string{stills[3], stills[1], stills[0], stills[2]}},
		{"assets", "filename", "TIMECODE_DESC", []string{stills[1], stills[3], stills[2], stills[0]}},
		// These stills carry no EXIF date: all without one, in upload order.
		{"assets", "filename", "TAKEN_AT", stills},
		{"assets", "filename", "TAKEN_AT_DESC", []string{stills[3], stills[2], stills[1], stills[0]}},
	} {
		if got := walk(c.list, c.field, c.sort); strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s %s: %q, want %q", c.list, c.sort, got, c.want)
		}
	}

	// A cursor of one sort is refused by another; so is a sort the list lacks.
	d := s.mustGQL(t, tok, fmt.Sprintf(q, "articles", "title"), map[string]any{"first": 1, "sort": "TITLE"})
	titleCursor := dig(d, "articles", "pageInfo", "endCursor").(string)
	d = s.mustGQL(t, tok, fmt.Sprintf(q, "articles", "title"), map[string]any{"first": 1})
	newestCursor := dig(d, "articles", "pageInfo", "endCursor").(string)
	for _, vars := range []map[string]any{
		{"first": 1, "after": titleCursor},
		{"first": 1, "after": titleCursor, "sort": "TITLE_DESC"},
		{"first": 1, "after": newestCursor, "sort": "TITLE"},
		{"last": 1, "before": newestCursor, "sort": "TITLE"},
	} {
		r := s.gql(t, tok, fmt.Sprintf(q, "articles", "title"), vars)
		if r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "another sort") {
			t.Errorf("%v: %+v", vars, r.Errors)
		}
	}
	for _, c := range []struct{ list, field, sort, names string }{
		{"assets", "filename", "TITLE", "NEWEST, OLDEST, FILENAME, FILENAME_DESC, TAKEN_AT, TAKEN_AT_DESC, TIMECODE, TIMECODE_DESC"},
		{"articles", "title", "TIMECODE", "NEWEST, OLDEST, TITLE, TITLE_DESC"},
		{"galleries", "title", "FILENAME_DESC", "NEWEST, OLDEST, TITLE, TITLE_DESC"},
	} {
		r := s.gql(t, tok, fmt.Sprintf(q, c.list, c.field), map[string]any{"first": 1, "sort": c.sort})
		if r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, c.names) {
			t.Errorf("%s sorted %s: %+v", c.list, c.sort, r.Errors)
		}
	}
}

// TestGalleryFilenameSortMatchesLibrary: sortGalleryItems(by: FILENAME)
// orders as the library's FILENAME sort does (numbers by value, Vietnamese
// folded).
func TestGalleryFilenameSortMatchesLibrary(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	tok := login(t, s, adminEmail, adminPassword)
	names := []string{"IMG_10.jpg", "Đà Nẵng 2.jpg", "img_9.jpg", "da nang 10.jpg"}
	assets := uploadStills(t, s, tok, names)
	gid := dig(s.mustGQL(t, tok, `mutation { createGallery(input: {title: "Names"}) { id } }`, nil), "createGallery", "id")
	s.mustGQL(t, tok, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { id } }`, map[string]any{"g": gid, "a": assets})
	s.mustGQL(t, tok, `mutation($g: ID!) { sortGalleryItems(galleryId: $g, by: FILENAME) { id } }`, map[string]any{"g": gid})
	got, _ := galleryAssetIDs(t, s, tok, gid)
	d := s.mustGQL(t, tok, `{ assets(first: 10, sort: FILENAME) { edges { node { id } } } }`, nil)
	var lib []any
	for _, e := range dig(d, "assets", "edges").([]any) {
		lib = append(lib, dig(e, "node", "id"))
	}
	want := []any{assets[1], assets[3], assets[2], assets[0]} // Đà Nẵng 2, da nang 10, img_9, IMG_10
	if fmt.Sprint(got) != fmt.Sprint(want) || fmt.Sprint(lib) != fmt.Sprint(want) {
		t.Errorf("gallery %v, library %v, want %v (%q)", got, lib, want, names)
	}
}
