package main

import (
	"fmt"
	"testing"
	"time"
)

// TestScheduledSlugsAndPages: a future publish time is SCHEDULED and
// hidden until then, a past one is PUBLISHED; slug collisions get -2, -3;
// pages hold at most 100 and cursors walk the list without gaps.
func TestScheduledSlugsAndPages(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	tok := login(t, s, adminEmail, adminPassword)
	create := func(title string) (string, string) {
		d := s.mustGQL(t, tok, `mutation($t: String!) { createArticle(input: {title: $t}) { id slug } }`, map[string]any{"t": title})
		return dig(d, "createArticle", "id").(string), dig(d, "createArticle", "slug").(string)
	}
	var slugs []string
	for range 3 {
		_, slug := create("Đà Nẵng đón Tết")
		slugs = append(slugs, slug)
	}
	if fmt.Sprint(slugs) != "[da-nang-don-tet da-nang-don-tet-2 da-nang-don-tet-3]" {
		t.Errorf("slugs %v", slugs)
	}
	if r := s.gql(t, tok, `mutation { createArticle(input: {title: "x", slug: "da-nang-don-tet"}) { id } }`, nil); r.Code() != "CONFLICT" {
		t.Errorf("an explicit taken slug: %+v", r.Errors)
	}

	future, _ := create("Lịch hẹn")
	at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	d := s.mustGQL(t, tok, `mutation($a: ID!, $at: Time) { publishArticle(id: $a, at: $at) { status publishAt } }`, map[string]any{"a": future, "at": at})
	if dig(d, "publishArticle", "status") != "SCHEDULED" {
		t.Errorf("future publish: %v", d)
	}
	if d := s.mustGQL(t, "", `query($id: ID) { article(id: $id) { id } }`, map[string]any{"id": future}); d["article"] != nil {
		t.Errorf("anonymous sees a scheduled article: %v", d)
	}
	past, _ := create("Đã đăng")
	at = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	d = s.mustGQL(t, tok, `mutation($a: ID!, $at: Time) { publishArticle(id: $a, at: $at) { status } }`, map[string]any{"a": past, "at": at})
	if dig(d, "publishArticle", "status") != "PUBLISHED" {
		t.Errorf("past publish: %v", d)
	}
	d = s.mustGQL(t, tok, `{ articles(filter: {status: SCHEDULED}) { totalCount } }`, nil)
	if dig(d, "articles", "totalCount") != 1.0 {
		t.Errorf("scheduled filter: %v", d)
	}

	if r := s.gql(t, tok, `{ articles(first: 101) { totalCount } }`, nil); r.Code() != "BAD_USER_INPUT" {
		t.Errorf("first: 101: %+v", r.Errors)
	}
	if r := s.gql(t, tok, `{ articles(after: "not-a-cursor") { totalCount } }`, nil); r.Code() != "BAD_USER_INPUT" {
		t.Errorf("bad cursor: %+v", r.Errors)
	}
	// Walk all 5 articles two at a time, newest first, with a new article
	// added midway: nothing is skipped or repeated.
	var seen []string
	after := ""
	for page := 0; ; page++ {
		d := s.mustGQL(t, tok, `query($a: String) { articles(first: 2, after: $a) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
			map[string]any{"a": after})
		for _, e := range dig(d, "articles", "edges").([]any) {
			seen = append(seen, dig(e, "node", "id").(string))
		}
		if page == 0 {
			create("Mới thêm")
		}
		if dig(d, "articles", "pageInfo", "hasNextPage") != true {
			break
		}
		after = dig(d, "articles", "pageInfo", "endCursor").(string)
	}
	if len(seen) != 5 || len(map[string]bool{seen[0]: true, seen[1]: true, seen[2]: true, seen[3]: true, seen[4]: true}) != 5 {
		t.Errorf("walked %v", seen)
	}
}
