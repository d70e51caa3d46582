package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stillroom/stillroom/internal/metricstest"
)

// TestAssetUpdatedSubscription: an upload screen subscribed over a
// websocket (graphql-transport-ws) sees the asset become READY.
func TestAssetUpdatedSubscription(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword, "UPLOAD_WAIT": "1ms"}, false)
	tok := login(t, s, adminEmail, adminPassword)
	ws := dialWS(t, s, tok)
	ws.subscribe("1", `subscription { assetUpdated { id status width } }`, nil)
	waitSubscribed(t, s.URL, 1) // before the upload

	r := s.upload(t, tok, "live.jpg", photoJPEG(t, 640, 360, 3), "id")
	id := dig(r.Data, "uploadAsset", "id")
	for {
		var p struct {
			Data struct {
				AssetUpdated struct {
					ID, Status string
					Width      int
				}
			}
		}
		ws.next(&p)
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
	ws := dialWS(t, s, "")
	ws.subscribe("1", `subscription { assetUpdated { id } }`, nil)
	m := ws.recv()
	b, err := json.Marshal(m)
	if err != nil || !strings.Contains(string(b), "UNAUTHENTICATED") {
		t.Errorf("anonymous subscription: %s %v", b, err)
	}
}

// waitSubscribed waits until n GraphQL subscriptions listen on the server
// at base (stillroom_graphql_subscriptions).
func waitSubscribed(t *testing.T, base string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := metricstest.Gauge(t, scrape(t, &testServer{URL: base}), "stillroom_graphql_subscriptions", nil)
		if got >= float64(n) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v subscriptions after 30 s, want %d", got, n)
		}
		time.Sleep(5 * time.Millisecond) // between scrapes
	}
}
