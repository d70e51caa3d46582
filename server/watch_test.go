package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
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

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	send := func(v any) {
		b, _ := json.Marshal(v)
		if err := conn.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	type message struct {
		ID      string          `json:"id"`
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload"`
	}
	recv := func() message {
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var m message
			json.Unmarshal(b, &m)
			if m.Type != "ping" && m.Type != "pong" {
				return m
			}
		}
	}
	type galleryEvent struct {
		Data struct {
			GalleryChanged struct {
				Version int
				Items   []struct{ Asset struct{ ID string } }
			}
		}
	}
	next := func() galleryEvent {
		m := recv()
		if m.Type != "next" {
			t.Fatalf("message %s %s", m.Type, m.Payload)
		}
		var e galleryEvent
		json.Unmarshal(m.Payload, &e)
		return e
	}
	send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + tok}})
	if m := recv(); m.Type != "connection_ack" {
		t.Fatalf("after init: %s %s", m.Type, m.Payload)
	}
	send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query": `subscription($id: ID!) { galleryChanged(id: $id) { version items { asset { id } } } }`, "variables": map[string]any{"id": gid}}})
	first := next()
	if got := first.Data.GalleryChanged.Items; len(got) != 3 || got[0].Asset.ID != ids[0] {
		t.Fatalf("first event: %+v", first)
	}
	items := s.mustGQL(t, tok, `query($id: ID!) { gallery(id: $id) { items { id } } }`, map[string]any{"id": gid})
	last := dig(items, "gallery", "items", 2, "id")
	start := time.Now()
	s.mustGQL(t, tok, `mutation($g: ID!, $i: ID!) { moveGalleryItem(galleryId: $g, itemId: $i, position: 0) { version } }`, map[string]any{"g": gid, "i": last})
	moved := next()
	if got := moved.Data.GalleryChanged.Items; len(got) != 3 || got[0].Asset.ID != ids[2] || moved.Data.GalleryChanged.Version <= first.Data.GalleryChanged.Version {
		t.Fatalf("after the move: %+v", moved)
	}
	t.Logf("the move arrived after %v", time.Since(start))

	s.mustGQL(t, tok, `mutation($g: ID!) { deleteGallery(id: $g) }`, map[string]any{"g": gid})
	if m := recv(); m.Type != "complete" {
		t.Fatalf("after delete: %s %s", m.Type, m.Payload)
	}

}
