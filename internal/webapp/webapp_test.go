package webapp

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

var build = fstest.MapFS{
	"index.html":         {Data: []byte("<!doctype html><title>app</title>")},
	"assets/app-1a2b.js": {Data: []byte(strings.Repeat("console.log('stillroom');\n", 200))},
	"assets/logo.png":    {Data: []byte("\x89PNG not really")},
}

func get(t *testing.T, h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestPagesAndAssets(t *testing.T) {
	app := App{Name: "test", Files: build, Prefix: "/app/", CSP: "default-src 'self'", Headers: map[string]string{"Cross-Origin-Opener-Policy": "same-origin"}}
	h := app.Handler()

	for _, p := range []string{"/app/", "/app/library", "/app/galleries/42"} {
		w := get(t, h, "GET", p)
		if w.Code != 200 || !strings.Contains(w.Body.String(), "<title>app</title>") {
			t.Fatalf("GET %s: %d %q, want the index page", p, w.Code, w.Body.String())
		}
		if got := w.Header().Get("Content-Security-Policy"); got != app.CSP {
			t.Errorf("GET %s: CSP %q", p, got)
		}
		if got := w.Header().Get("Cache-Control"); got != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache", p, got)
		}
		if got := w.Header().Get("Cross-Origin-Opener-Policy"); got != "same-origin" {
			t.Errorf("GET %s: extra header missing", p)
		}
	}

	w := get(t, h, "GET", "/app/assets/app-1a2b.js", "Accept-Encoding", "br, gzip")
	if w.Code != 200 || w.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(w.Header().Get("Cache-Control"), "immutable") {
		t.Fatalf("script: %d, encoding %q, cache %q", w.Code, w.Header().Get("Content-Encoding"), w.Header().Get("Cache-Control"))
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(zr)
	if string(body) != string(build["assets/app-1a2b.js"].Data) {
		t.Fatal("gzipped script does not inflate to the file")
	}
	if w := get(t, h, "GET", "/app/assets/app-1a2b.js", "Accept-Encoding", "gzip;q=0"); w.Header().Get("Content-Encoding") != "" || w.Body.String() != string(build["assets/app-1a2b.js"].Data) {
		t.Fatal("gzip;q=0 still got gzip")
	}
	if w := get(t, h, "GET", "/app/assets/logo.png", "Accept-Encoding", "gzip"); w.Code != 200 || w.Header().Get("Content-Encoding") != "" {
		t.Fatalf("image: %d, encoding %q", w.Code, w.Header().Get("Content-Encoding"))
	}
	// A path that climbs out of assets/ is a page, never a file.
	if w := get(t, h, "GET", "/app/assets/../../etc/passwd"); strings.Contains(w.Header().Get("Cache-Control"), "immutable") || !strings.Contains(w.Body.String(), "<title>app</title>") {
		t.Errorf("a climbing path answered %d %q", w.Code, w.Body.String())
	}
	if w := get(t, h, "GET", "/app/assets/missing.js"); w.Code != 404 {
		t.Errorf("missing asset: %d, want 404", w.Code)
	}
	// A page of the app's under assets/ (the desk's photo pages,
	// /desk/assets/<id>) is the index page, not a missing file.
	if w := get(t, h, "GET", "/app/assets/01a251abea850fb5b2e01a21"); w.Code != 200 || !strings.Contains(w.Body.String(), "<title>app</title>") || w.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("a page under assets/: %d %q, cache %q", w.Code, w.Body.String(), w.Header().Get("Cache-Control"))
	}
	if w := get(t, h, "POST", "/app/"); w.Code != 405 || w.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d Allow %q", w.Code, w.Header().Get("Allow"))
	}
	if w := get(t, h, "HEAD", "/app/"); w.Code != 200 || w.Body.Len() != 0 {
		t.Errorf("HEAD: %d with %d bytes", w.Code, w.Body.Len())
	}
}

func TestOnlyItsPages(t *testing.T) {
	h := App{Name: "test", Files: build, Prefix: "/ide/", IsPage: func(p string) bool { return p == "/" || p == "/ide" }}.Handler()
	if w := get(t, h, "GET", "/"); w.Code != 200 {
		t.Errorf("/: %d", w.Code)
	}
	if w := get(t, h, "GET", "/ide/"); w.Code != 200 {
		t.Errorf("/ide/: %d", w.Code)
	}
	if w := get(t, h, "GET", "/elsewhere"); w.Code != 404 {
		t.Errorf("/elsewhere: %d, want 404", w.Code)
	}
	if w := get(t, h, "GET", "/ide/assets/app-1a2b.js"); w.Code != 200 {
		t.Errorf("asset: %d", w.Code)
	}
}

func TestMissingIndexPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a build without index.html")
		}
	}()
	App{Name: "empty", Files: fstest.MapFS{}, Prefix: "/x/"}.Handler()
}

// TestAcceptsGzip: gzip named in Accept-Encoding, in any case and with any
// q above zero, allows it; a zero q however written, or its absence, does
// not.
func TestAcceptsGzip(t *testing.T) {
	for v, want := range map[string]bool{
		"gzip": true, "GZIP": true, "br, gzip;q=0.8": true, "gzip; q=1": true,
		"": false, "identity": false, "deflate, br": false, "gzip;q=0": false, "gzip; q=0.0": false, "gzip;q=0.000": false,
	} {
		if got := AcceptsGzip(v); got != want {
			t.Errorf("AcceptsGzip(%q) = %v, want %v", v, got, want)
		}
	}
}
