package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// corsRequest sends method to path with Origin and headers, and returns
// the response (body closed).
func corsRequest(t *testing.T, s *testServer, method, path, origin string, header map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, nil)
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func varies(resp *http.Response, name string) bool {
	for _, v := range resp.Header.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return true
			}
		}
	}
	return false
}

// wsStatus opens the subscription websocket with Origin and returns the
// upgrade's HTTP status.
func wsStatus(t *testing.T, s *testServer, origin string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: h})
	if err == nil {
		conn.Close(websocket.StatusNormalClosure, "")
	}
	if resp == nil {
		t.Fatalf("websocket from %q: %v", origin, err)
	}
	return resp.StatusCode
}

// TestCORS: preflights and answers for allowed origins on /graphql, /media
// and signed links, nothing for strangers; the websocket's origin check
// follows the same list; Vary: Origin throughout; development also
// allows localhost pages, production only the listed origins and itself.
func TestCORS(t *testing.T) {
	const app = "https://www.example.com"
	for _, env := range []string{"development", "production"} {
		t.Run(env, func(t *testing.T) {
			s := startServer(t, map[string]string{"ENV": env, "CORS_ORIGINS": app + ", http://localhost:5173/",
				"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
			local := "http://localhost:4321"
			for _, tc := range []struct {
				origin string
				want   bool
			}{
				{app, true},
				{"http://localhost:5173", true},
				{local, env == "development"},
				{"http://127.0.0.1:9", env == "development"},
				{"https://localhost:4321", false},
				{"https://evil.example", false},
				{"https://www.example.com.evil.example", false},
				{"null", false},
			} {
				pre := corsRequest(t, s, "OPTIONS", "/graphql", tc.origin, map[string]string{
					"Access-Control-Request-Method":  "POST",
					"Access-Control-Request-Headers": "authorization, content-type, graphql-preflight, apollo-require-preflight",
				})
				get := corsRequest(t, s, "GET", "/graphql?query=%7B__typename%7D", tc.origin, nil)
				ws := wsStatus(t, s, tc.origin)
				if !tc.want {
					if pre.StatusCode != 403 || pre.Header.Get("Access-Control-Allow-Origin") != "" ||
						get.Header.Get("Access-Control-Allow-Origin") != "" || ws != http.StatusForbidden {
						t.Errorf("%s: preflight %d %q, GET %q, websocket %d; want all refused", tc.origin, pre.StatusCode,
							pre.Header.Get("Access-Control-Allow-Origin"), get.Header.Get("Access-Control-Allow-Origin"), ws)
					}
					continue
				}
				allow := pre.Header.Get("Access-Control-Allow-Headers")
				if pre.StatusCode != 204 || pre.Header.Get("Access-Control-Allow-Origin") != tc.origin ||
					!strings.Contains(pre.Header.Get("Access-Control-Allow-Methods"), "POST") ||
					!strings.Contains(allow, "Authorization") || !strings.Contains(allow, "GraphQL-Preflight") ||
					!strings.Contains(allow, "Apollo-Require-Preflight") || !strings.Contains(allow, "Content-Type") || !varies(pre, "Origin") {
					t.Errorf("%s: preflight %d %v", tc.origin, pre.StatusCode, pre.Header)
				}
				if get.StatusCode != 200 || get.Header.Get("Access-Control-Allow-Origin") != tc.origin || !varies(get, "Origin") {
					t.Errorf("%s: GET %d %v", tc.origin, get.StatusCode, get.Header)
				}
				if ws != http.StatusSwitchingProtocols {
					t.Errorf("%s: websocket %d", tc.origin, ws)
				}
			}
			// The server's own origin and requests without one are untouched.
			if ws := wsStatus(t, s, s.URL); ws != http.StatusSwitchingProtocols {
				t.Errorf("same-origin websocket: %d", ws)
			}
			if ws := wsStatus(t, s, ""); ws != http.StatusSwitchingProtocols {
				t.Errorf("websocket without Origin: %d", ws)
			}
			// Answers a cache may keep say they vary by Origin, even
			// without one.
			if r := corsRequest(t, s, "GET", "/graphql?query=%7B__typename%7D", "", nil); !varies(r, "Origin") || r.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("GET without Origin: %v", r.Header)
			}

			// Media and signed links: GET, HEAD and Range from an allowed page.
			tok := login(t, s, adminEmail, adminPassword)
			up := s.upload(t, tok, "a.jpg", photoJPEG(t, 300, 200, 3), "renditions { url } originalUrl")
			ren := dig(up.Data, "uploadAsset", "renditions", 0, "url").(string)
			orig := dig(up.Data, "uploadAsset", "originalUrl").(string)
			auth := map[string]string{"Authorization": "Bearer " + tok}
			for _, u := range []string{ren, orig} {
				path := strings.TrimPrefix(u, s.URL)
				pre := corsRequest(t, s, "OPTIONS", path, app, map[string]string{"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "range, authorization"})
				if pre.StatusCode != 204 || pre.Header.Get("Access-Control-Allow-Origin") != app || !strings.Contains(pre.Header.Get("Access-Control-Allow-Headers"), "Range") {
					t.Errorf("preflight %s: %d %v", path, pre.StatusCode, pre.Header)
				}
				for _, m := range []string{"GET", "HEAD"} {
					r := corsRequest(t, s, m, path, app, map[string]string{"Range": "bytes=0-9", "Authorization": auth["Authorization"]})
					if r.StatusCode != http.StatusPartialContent || r.Header.Get("Access-Control-Allow-Origin") != app ||
						!strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "Content-Range") || !varies(r, "Origin") {
						t.Errorf("%s %s: %d %v", m, path, r.StatusCode, r.Header)
					}
				}
				if r := corsRequest(t, s, "GET", path, "https://evil.example", auth); r.Header.Get("Access-Control-Allow-Origin") != "" {
					t.Errorf("stranger GET %s: %v", path, r.Header)
				}
			}
		})
	}
	for _, bad := range []string{"*", "https://x.example/path", "www.example.com", "https://*.example.com"} {
		if _, err := parseConfig(nil, func(k string) string {
			return map[string]string{"STILLROOM_CORS_ORIGINS": bad}[k]
		}); err == nil || !strings.Contains(err.Error(), "STILLROOM_CORS_ORIGINS") {
			t.Errorf("CORS_ORIGINS %q: %v", bad, err)
		}
	}
}
