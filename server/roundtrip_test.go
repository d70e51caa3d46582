package main

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/event"
)

// commandCounter counts the database commands sent while it is on,
// leaving out the processing queue's polling.
type commandCounter struct {
	mu    sync.Mutex
	on    bool
	names []string
}

func (c *commandCounter) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		coll, _ := e.Command.Index(0).Value().StringValueOK()
		if coll == "jobs" {
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.on {
			c.names = append(c.names, e.CommandName+" "+coll)
		}
	}}
}

func (c *commandCounter) start() {
	c.mu.Lock()
	c.on, c.names = true, nil
	c.mu.Unlock()
}

func (c *commandCounter) stop() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = false
	return c.names
}

// TestListRoundTrips: listing 20 published articles, each with a cover and
// a gallery of 6 items with renditions, costs a fixed number of database
// round trips (at most 4), however many articles and items there are. The
// database is asked every time (STILLROOM_EMBEDDED_READS=database), as on
// MongoDB; TestListFromMemory is the embedded default.
func TestListRoundTrips(t *testing.T) {
	testListRoundTrips(t, "database")
}

// TestListFromMemory: on the embedded default the same list asks the
// database nothing: content is read from memory.
func TestListFromMemory(t *testing.T) {
	testListRoundTrips(t, "memory")
}

func testListRoundTrips(t *testing.T, reads string) {
	var counter commandCounter
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": t.TempDir(), "ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword, "PUBLISH_GATE": "off", "EMBEDDED_READS": reads}
	s := startLogged(t, env, testLog{t}, func(c *config) { c.monitor = counter.monitor() }).srv
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
			// (2 round trips) before the query runs; those are not part
			// of the list's cost.
			list := 0
			for _, c := range cmds {
				if c != "find sessions" && c != "find users" {
					list++
				}
			}
			switch {
			case reads == "memory" && list > 0:
				t.Errorf("%d round trips for the list, want none: %q", list, cmds)
			case reads == "database" && (list == 0 || list > 4):
				t.Errorf("%d round trips for the list, want 1 to 4: %q", list, cmds)
			}
			t.Logf("%d round trips: %q", len(cmds), cmds)
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
