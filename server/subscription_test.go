package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestAssetUpdatedSubscription: an upload screen subscribed over a
// websocket (graphql-transport-ws) sees the asset become READY.
func TestAssetUpdatedSubscription(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword, "UPLOAD_WAIT": "1ms"}, false)
	tok := login(t, s, adminEmail, adminPassword)
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
	send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + tok}})
	if m := recv(); m.Type != "connection_ack" {
		t.Fatalf("after init: %s %s", m.Type, m.Payload)
	}
	send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": `subscription { assetUpdated { id status width } }`}})
	time.Sleep(200 * time.Millisecond) // let the subscription register before the upload

	r := s.upload(t, tok, "live.jpg", photoJPEG(t, 640, 360, 3), "id")
	id := dig(r.Data, "uploadAsset", "id")
	for {
		m := recv()
		if m.Type != "next" {
			t.Fatalf("message %s %s", m.Type, m.Payload)
		}
		var p struct {
			Data struct {
				AssetUpdated struct {
					ID, Status string
					Width      int
				}
			}
		}
		json.Unmarshal(m.Payload, &p)
		if a := p.Data.AssetUpdated; a.ID == id && a.Status == "READY" {
			if a.Width != 640 {
				t.Errorf("READY event with width %d", a.Width)
			}
			return
		}
	}
}

// TestSubscriptionNeedsSignIn: anonymous subscriptions are refused.
func TestSubscriptionNeedsSignIn(t *testing.T) {
	s := startServer(t, nil, false)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	conn.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init","payload":{}}`))
	conn.Read(ctx) // ack
	conn.Write(ctx, websocket.MessageText, []byte(`{"id":"1","type":"subscribe","payload":{"query":"subscription { assetUpdated { id } }"}}`))
	_, b, err := conn.Read(ctx)
	if err != nil || !strings.Contains(string(b), "UNAUTHENTICATED") {
		t.Errorf("anonymous subscription: %s %v", b, err)
	}
}
