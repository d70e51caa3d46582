package desk

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, path string) *http.Response {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, path, nil))
	return w.Result()
}

func TestServesAppForEveryPath(t *testing.T) {
	h := Handler(Options{ImageOrigins: []string{"https://cdn.example"}})
	for _, p := range []string{"/desk/", "/desk/assets-of-nobody", "/desk/galleries/abc", "/desk/a/b/c?x=1"} {
		res := get(t, h, http.MethodGet, p)
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `<div id="app">`) {
			t.Errorf("GET %s = %d, want the app's index.html", p, res.StatusCode)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("GET %s Cache-Control = %q, want no-cache", p, cc)
		}
		csp := res.Header.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "img-src 'self' data: blob: https://cdn.example"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s CSP %q lacks %q", p, csp, want)
			}
		}
	}
}

func TestHashedAssetsAreImmutable(t *testing.T) {
	h := Handler(Options{})
	entries, err := fs.ReadDir(dist, "dist/assets")
	if err != nil || len(entries) == 0 {
		t.Fatalf("no built assets embedded: %v", err)
	}
	for _, e := range entries {
		res := get(t, h, http.MethodGet, "/desk/assets/"+e.Name())
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET assets/%s = %d", e.Name(), res.StatusCode)
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("assets/%s Cache-Control = %q, want immutable", e.Name(), cc)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("assets/%s lacks nosniff", e.Name())
		}
	}
	if res := get(t, h, http.MethodGet, "/desk/assets/missing.js"); res.StatusCode != http.StatusNotFound {
		t.Errorf("missing asset = %d, want 404 (not the app)", res.StatusCode)
	}
	if res := get(t, h, http.MethodGet, "/desk/assets/../../desk.go"); res.StatusCode == http.StatusOK {
		body, _ := io.ReadAll(res.Body)
		if strings.Contains(string(body), "package desk") {
			t.Error("a path with .. reached a file outside the build")
		}
	}
}

func TestRefusesOtherMethods(t *testing.T) {
	if res := get(t, Handler(Options{}), http.MethodPost, "/desk/"); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /desk/ = %d, want 405", res.StatusCode)
	}
}
