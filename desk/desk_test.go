package desk

import (
	"bytes"
	"compress/gzip"
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

// Scripts and styles go gzipped to clients that take gzip, and decompress
// to exactly the built file; others get the file as built.
func TestAssetsAreGzipped(t *testing.T) {
	h := Handler(Options{})
	entries, _ := fs.ReadDir(dist, "dist/assets")
	seen := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".js") && !strings.HasSuffix(e.Name(), ".css") {
			continue
		}
		seen++
		want, _ := fs.ReadFile(dist, "dist/assets/"+e.Name())
		req := httptest.NewRequest(http.MethodGet, "/desk/assets/"+e.Name(), nil)
		req.Header.Set("Accept-Encoding", "br, gzip")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		res := rec.Result()
		if res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("%s: Content-Encoding %q, Vary %q", e.Name(), res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
		}
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(zr)
		if !bytes.Equal(got, want) || rec.Body.Len() >= len(want) {
			t.Errorf("%s: gzipped %d bytes decompress to %d, want the %d built bytes", e.Name(), rec.Body.Len(), len(got), len(want))
		}
		if ct := res.Header.Get("Content-Type"); !strings.Contains(ct, "javascript") && !strings.Contains(ct, "css") {
			t.Errorf("%s: Content-Type %q", e.Name(), ct)
		}
		plain := get(t, h, http.MethodGet, "/desk/assets/"+e.Name())
		body, _ := io.ReadAll(plain.Body)
		if plain.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, want) {
			t.Errorf("%s without Accept-Encoding: encoding %q, %d bytes", e.Name(), plain.Header.Get("Content-Encoding"), len(body))
		}
	}
	if seen == 0 {
		t.Fatal("no scripts or styles in the build")
	}
}
