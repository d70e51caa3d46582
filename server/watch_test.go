package main

import (
	"testing"
	"time"
)

// TestGalleryChangedSubscription: an editor watching a gallery gets it at
// once, then again within seconds of another editor's reorder (read from
// the store, so it would come from any server process); a deleted gallery
// ends the subscription.
func TestGalleryChangedSubscription(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	tok := login(t, s, adminEmail, adminPassword)
	var ids []any
	for i := range 3 {
		r := s.upload(t, tok, "still.jpg", photoJPEG(t, 64, 48, uint8(i*40)), "id")
		ids = append(ids, dig(r.Data, "uploadAsset", "id"))
	}
	g := s.mustGQL(t, tok, `mutation { g: createGallery(input: {title: "Dân vận khéo"}) { id } }`, nil)
	gid := dig(g, "g", "id")
	s.mustGQL(t, tok, `mutation($g: ID!, $ids: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $ids) { version } }`, map[string]any{"g": gid, "ids": ids})

	type galleryEvent struct {
		Data struct {
			GalleryChanged struct {
				Version int
				Items   []struct{ Asset struct{ ID string } }
			}
		}
	}
	next := func(c *wsClient) (e galleryEvent) {
		c.next(&e)
		return e
	}
	ws := dialWS(t, s, tok)
	ws.subscribe("1", `subscription($id: ID!) { galleryChanged(id: $id) { version items { asset { id } } } }`, map[string]any{"id": gid})
	first := next(ws)
	if got := first.Data.GalleryChanged.Items; len(got) != 3 || got[0].Asset.ID != ids[0] {
		t.Fatalf("first event: %+v", first)
	}
	items := s.mustGQL(t, tok, `query($id: ID!) { gallery(id: $id) { items { id } } }`, map[string]any{"id": gid})
	last := dig(items, "gallery", "items", 2, "id")
	start := time.Now()
	s.mustGQL(t, tok, `mutation($g: ID!, $i: ID!) { moveGalleryItem(galleryId: $g, itemId: $i, position: 0) { version } }`, map[string]any{"g": gid, "i": last})
	moved := next(ws)
	if got := moved.Data.GalleryChanged.Items; len(got) != 3 || got[0].Asset.ID != ids[2] || moved.Data.GalleryChanged.Version <= first.Data.GalleryChanged.Version {
		t.Fatalf("after the move: %+v", moved)
	}
	t.Logf("the move arrived after %v", time.Since(start))

	s.mustGQL(t, tok, `mutation($g: ID!) { deleteGallery(id: $g) }`, map[string]any{"g": gid})
	if m := ws.recv(); m.Type != "complete" {
		t.Fatalf("after delete: %s %s", m.Type, m.Payload)
	}

}
