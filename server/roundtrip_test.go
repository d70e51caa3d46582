package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// queryCounter counts the embedded database's reading queries while it is
// on, leaving out the processing queue's polling.
type queryCounter struct {
	mu    sync.Mutex
	on    bool
	names []string
}

// trace is sqlitestore's Config.TraceReads: it notes each query as the
// table it reads first.
func (c *queryCounter) trace(q string) {
	table := "?"
	if _, after, ok := strings.Cut(q, " FROM "); ok {
		table, _, _ = strings.Cut(after+" ", " ")
	} else if strings.HasPrefix(q, "UPDATE jobs") {
		table = "jobs"
	}
	if table == "jobs" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.on {
		c.names = append(c.names, table)
	}
}

func (c *queryCounter) start() {
	c.mu.Lock()
	c.on, c.names = true, nil
	c.mu.Unlock()
}

func (c *queryCounter) stop() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = false
	return c.names
}

// TestListRoundTrips: listing 20 published articles, each with a cover and
// a gallery of 6 items with renditions, reads three tables (articles,
// galleries, assets) once each, however many articles and items there are:
// at most 6 queries, as each read may take a second one for the documents
// the store has not decoded yet (sqlitestore's cache).
func TestListRoundTrips(t *testing.T) {
	var counter queryCounter
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": t.TempDir(), "ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword, "PUBLISH_GATE": "off"}
	s := startLogged(t, env, testLog{T: t}, func(c *config) { c.traceReads = counter.trace }).srv
	admin := login(t, s, adminEmail, adminPassword)

	seedFrontPage(t, s, admin)

	const q = `{ articles(first: 20) { totalCount edges { node { title
		cover { renditions { name url } }
		blocks { ... on GalleryBlock { gallery { title items { caption asset { srcset renditions { name url } } } } } }
	} } } }`
	for _, who := range []struct{ name, token string }{{"anonymous", ""}, {"editor", admin}} {
		t.Run(who.name, func(t *testing.T) {
			counter.start()
			d := s.mustGQL(t, who.token, q, nil)
			cmds := counter.stop()
			edges := dig(d, "articles", "edges").([]any)
			if len(edges) != 20 {
				t.Fatalf("%d articles, want 20", len(edges))
			}
			for _, e := range edges {
				items, _ := dig(e, "node", "blocks", 1, "gallery", "items").([]any)
				if len(items) != 6 || dig(e, "node", "cover", "renditions", 0, "url") == nil {
					t.Fatalf("article not fully resolved: %v", e)
				}
			}
			// A signed-in request also looks up its session and user
			// before the query runs; those are not part of the list's cost.
			list, tables := 0, map[string]bool{}
			for _, c := range cmds {
				if c != "sessions" && c != "users" {
					list++
					tables[c] = true
				}
			}
			if len(tables) != 3 || list > 6 {
				t.Errorf("%d queries of %d tables for the list, want 3 tables and at most 6 queries: %q", list, len(tables), cmds)
			}
			t.Logf("%d queries: %q", len(cmds), cmds)
		})
	}
}

// seedFrontPage makes 20 published articles, each with a cover and a
// published gallery of 6 items, from 8 uploaded stills.
func seedFrontPage(t testing.TB, s *testServer, admin string) {
	t.Helper()
	var assets []any
	for i := 0; i < 8; i++ {
		r := s.upload(t, admin, fmt.Sprintf("still-%d.jpg", i), photoJPEG(t, 300, 200, uint8(i*30)), "id")
		id := dig(r.Data, "uploadAsset", "id")
		if id == nil {
			t.Fatalf("upload %d failed: %+v", i, r.Errors)
		}
		assets = append(assets, id)
	}
	for i := 0; i < 20; i++ {
		g := s.mustGQL(t, admin, `mutation($t: String!) { createGallery(input: {title: $t}) { id } }`, map[string]any{"t": fmt.Sprintf("Gallery %d", i)})
		gid := dig(g, "createGallery", "id")
		items := []any{}
		for j := 0; j < 6; j++ {
			items = append(items, assets[(i+j)%len(assets)])
		}
		s.mustGQL(t, admin, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { id } }`, map[string]any{"g": gid, "a": items})
		s.mustGQL(t, admin, `mutation($g: ID!) { publishGallery(id: $g) { id } }`, map[string]any{"g": gid})
		a := s.mustGQL(t, admin, `mutation($in: ArticleInput!) { createArticle(input: $in) { id } }`, map[string]any{"in": map[string]any{
			"title": fmt.Sprintf("Bài viết số %d", i), "coverAssetId": assets[i%len(assets)],
			"blocks": []any{map[string]any{"paragraph": "Nội dung."}, map[string]any{"gallery": gid}},
		}})
		s.mustGQL(t, admin, `mutation($a: ID!) { publishArticle(id: $a) { id } }`, map[string]any{"a": dig(a, "createArticle", "id")})
	}
}
