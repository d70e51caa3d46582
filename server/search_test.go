package main

import (
	"testing"
)

// searchArticle is a text of the project's own in the shape of a city
// news portal's article.
var searchArticle = map[string]any{
	"title":   "Ban chỉ đạo phong trào Thi đua “Dân vận khéo” thành phố tổ chức toạ đàm",
	"section": "Tin tức - Sự kiện",
	"summary": "Các đại biểu trao đổi kinh nghiệm xây dựng mô hình dân vận khéo ở cơ sở.",
	"tags":    []any{"dân vận", "Đà Nẵng"},
	"blocks": []any{
		map[string]any{"paragraph": "Sáng nay, Ban Chỉ đạo phong trào thi đua tổ chức buổi toạ đàm với sự tham dự của đại diện các phường."},
		map[string]any{"heading": map[string]any{"text": "Những mô hình hiệu quả", "level": 2}},
		map[string]any{"paragraph": "Nhiều mô hình được nhân rộng, góp phần xây dựng khu dân cư văn minh."},
	},
}

// TestSearchVietnamese: search is case- and diacritic-insensitive, every
// word must match (in any order), and the last word is a prefix.
func TestSearchVietnamese(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, true)
	tok := login(t, s, adminEmail, adminPassword)
	a := s.mustGQL(t, tok, `mutation($in: ArticleInput!) { createArticle(input: $in) { id } }`, map[string]any{"in": searchArticle})
	s.mustGQL(t, tok, `mutation($in: ArticleInput!) { createArticle(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"title": "Hội chợ xuân", "blocks": []any{map[string]any{"paragraph": "Gian hàng đặc sản."}}}})
	s.mustGQL(t, tok, `mutation($a: ID!) { publishArticle(id: $a) { id } }`, map[string]any{"a": dig(a, "createArticle", "id")})
	g := s.mustGQL(t, tok, `mutation { createGallery(input: {title: "Toạ đàm Dân vận khéo", description: "Ảnh sự kiện"}) { id } }`, nil)

	for _, tc := range []struct {
		q    string
		want bool
	}{
		{"dan van kheo", true},
		{"DÂN VẬN KHÉO", true},
		{"Dân vận khéo", true},
		{"toạ đàm", true},
		{"tọa đàm", true},
		{"toa da", true}, // the last word is a prefix
		{"kheo dan", true},
		{"da nang", true},             // a tag
		{"khu dan cu van minh", true}, // a paragraph
		{"hieu qua", true},            // a heading
		{"dan van xyz", false},
		{"xyz", false},
		{"kheo qz", false},
	} {
		t.Run(tc.q, func(t *testing.T) {
			for _, who := range []string{"", tok} {
				d := s.mustGQL(t, who, `query($q: String) { articles(filter: {search: $q}) { totalCount edges { node { slug } } } }`, map[string]any{"q": tc.q})
				n := dig(d, "articles", "totalCount")
				if want := map[bool]float64{true: 1, false: 0}[tc.want]; n != want {
					t.Errorf("signed in %v: %q found %v articles, want %v", who != "", tc.q, n, want)
				}
			}
		})
	}
	d := s.mustGQL(t, tok, `{ galleries(filter: {search: "DAN VAN"}) { totalCount edges { node { id } } } }`, nil)
	if dig(d, "galleries", "edges", 0, "node", "id") != dig(g, "createGallery", "id") {
		t.Errorf("gallery search: %v", d)
	}
	// Anonymous readers do not find the draft gallery.
	if d := s.mustGQL(t, "", `{ galleries(filter: {search: "dan van"}) { totalCount } }`, nil); dig(d, "galleries", "totalCount") != 0.0 {
		t.Errorf("anonymous gallery search: %v", d)
	}
}
