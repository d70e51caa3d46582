package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stillroom/stillroom/app"
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

// TestLogoutClosesWebsocket: a logout closes its session's websocket at
// once, by the logout's own signal: with app.SessionRecheck, the periodic
// look-up, set to an hour, the socket must still close within 10 s.
func TestLogoutClosesWebsocket(t *testing.T) {
	old := app.SessionRecheck
	app.SessionRecheck = time.Hour
	t.Cleanup(func() { app.SessionRecheck = old })
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	tok := login(t, s, adminEmail, adminPassword)
	ws := dialWS(t, s, tok)
	ws.subscribe("1", `subscription { assetUpdated { id } }`, nil)
	waitSubscribed(t, s.URL, 1)

	s.mustGQL(t, tok, `mutation { logout }`, nil)
	answered := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, b, err := ws.conn.Read(ctx)
		if err == nil {
			t.Logf("after logout: %s", b)
			continue
		}
		if ctx.Err() != nil {
			t.Fatal("the socket was still open 10 s after logout")
		}
		t.Logf("figure: the socket was closed %s after the logout's answer (%v)", time.Since(answered).Round(time.Millisecond), err)
		return
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
