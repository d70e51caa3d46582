package httpapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestResponseCacheBoundedByBytes: the kept answers never weigh more than
// the bound, and expired ones are dropped without further traffic. The
// TTL (2 s) outlasts the hundred puts even on a stalled machine, so some
// answers are still kept when the test looks.
func TestResponseCacheBoundedByBytes(t *testing.T) {
	c := newResponseCacheTTL(nil, 4<<20, 2*time.Second)
	body := bytes.Repeat([]byte("x"), 900<<10)
	for i := range 100 {
		key := fmt.Sprintf("q%d", i)
		c.put(&cachedResponse{key: key, body: body, expires: time.Now().Add(time.Minute)})
		c.entries.CleanUp()
		if w := c.entries.WeightedSize(); w > 4<<20 {
			t.Fatalf("after %d answers the cache weighs %d bytes (bound %d)", i+1, w, 4<<20)
		}
	}
	if c.entries.EstimatedSize() == 0 {
		t.Error("nothing was kept")
	}
	deadline := time.Now().Add(10 * time.Second)
	for c.entries.EstimatedSize() > 0 || c.entries.WeightedSize() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("10 s after expiry the cache still holds %d entries, %d bytes", c.entries.EstimatedSize(), c.entries.WeightedSize())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestCachedAnswerHeaders: a cached answer (built once, its header values
// shared by every hit) carries exactly the headers of a fresh one, hit
// after hit, with and without an allowed page's Origin; If-None-Match gets
// a 304; a signed-in caller is never answered from the cache.
func TestCachedAnswerHeaders(t *testing.T) {
	log := testLogger(t)
	ping := func(context.Context) error { return nil }
	svc := newService(t)
	srv := httptest.NewServer(New(svc, Config{PublicURL: "http://127.0.0.1"}, log, NewObservability(log, ping, ping, nil)))
	t.Cleanup(srv.Close)
	u := srv.URL + "/graphql?" + url.Values{"query": {`{ articles { totalCount } }`}}.Encode()
	get := func(header ...string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		for i := 0; i < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	first, body := get()
	if first.StatusCode != http.StatusOK || first.Header.Get("X-Cache") != "MISS" {
		t.Fatalf("first GET: HTTP %d, X-Cache %q: %s", first.StatusCode, first.Header.Get("X-Cache"), body)
	}
	etag := first.Header.Get("ETag")
	want := func(what string, resp *http.Response, got, xcache string, vary []string) {
		t.Helper()
		h := resp.Header
		if resp.StatusCode != http.StatusOK || got != body || h.Get("X-Cache") != xcache ||
			h.Get("Content-Type") != "application/json" || h.Get("ETag") != etag || len(etag) != 34 ||
			h.Get("Cache-Control") != "public, max-age=10" || h.Get("Content-Length") != strconv.Itoa(len(body)) ||
			!slices.Equal(h.Values("Vary"), vary) || h.Get("X-Request-Id") == "" {
			t.Errorf("%s: HTTP %d %v, body %q", what, resp.StatusCode, h, got)
		}
	}
	want("first GET", first, body, "MISS", []string{"Origin", "Accept, Accept-Encoding, Authorization, Cookie"})
	for i := range 3 {
		resp, got := get()
		want(fmt.Sprintf("hit %d", i), resp, got, "HIT", []string{"Origin", "Accept, Accept-Encoding, Authorization, Cookie"})
	}
	page := "http://localhost:5173" // allowed in development
	resp, got := get("Origin", page)
	want("hit from an allowed page", resp, got, "HIT", []string{"Origin", "Accept, Accept-Encoding, Authorization, Cookie"})
	if resp.Header.Get("Access-Control-Allow-Origin") != page || resp.Header.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("hit from an allowed page: CORS headers %v", resp.Header)
	}
	resp, got = get("Accept", "application/graphql-response+json")
	if resp.Header.Get("X-Cache") != "MISS" || got == "" {
		t.Errorf("another Accept: X-Cache %q (it is part of the key)", resp.Header.Get("X-Cache"))
	}
	if resp, got := get("If-None-Match", etag); resp.StatusCode != http.StatusNotModified || got != "" ||
		resp.Header.Get("ETag") != etag || resp.Header.Get("Cache-Control") != "public, max-age=10" {
		t.Errorf("If-None-Match: HTTP %d %v", resp.StatusCode, resp.Header)
	}

	if _, err := svc.Bootstrap(t.Context(), "admin@example.com", "a long enough password 1"); err != nil {
		t.Fatal(err)
	}
	tok, _, _, err := svc.Login(t.Context(), "admin@example.com", "a long enough password 1")
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range [][]string{{"Authorization", "Bearer " + tok}, {"Cookie", sessionCookieName(false) + "=" + tok}} {
		resp, got := get(h...)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Cache") != "" || resp.Header.Get("ETag") != "" ||
			resp.Header.Get("Cache-Control") != "private, no-store" || got == "" {
			t.Errorf("signed in by %s: HTTP %d %v", h[0], resp.StatusCode, resp.Header)
		}
	}
}

// TestCachedAnswerGzip: a client that accepts gzip gets a cached answer
// gzipped (the same bytes once unpacked), under its own ETag and with
// Accept-Encoding in Vary; one that does not, or refuses it with q=0, gets
// it as is; either tag revalidates with a 304.
func TestCachedAnswerGzip(t *testing.T) {
	log := testLogger(t)
	ping := func(context.Context) error { return nil }
	svc := newService(t)
	srv := httptest.NewServer(New(svc, Config{PublicURL: "http://127.0.0.1"}, log, NewObservability(log, ping, ping, nil)))
	t.Cleanup(srv.Close)
	u := srv.URL + "/graphql?" + url.Values{"query": {`{ __schema { types { name description } } }`}}.Encode()
	raw := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	get := func(header ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		for i := 0; i < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := raw.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	plain, body := get()
	if plain.Header.Get("Content-Encoding") != "" || len(body) < gzipMinBytes {
		t.Fatalf("without Accept-Encoding: %v, %d bytes", plain.Header, len(body))
	}
	for _, ae := range []string{"gzip", "br, gzip;q=0.8", "GZIP"} {
		resp, zipped := get("Accept-Encoding", ae)
		if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Content-Length") != strconv.Itoa(len(zipped)) ||
			resp.Header.Get("ETag") == plain.Header.Get("ETag") || !slices.Contains(resp.Header.Values("Vary"), "Accept, Accept-Encoding, Authorization, Cookie") {
			t.Fatalf("Accept-Encoding %q: %v", ae, resp.Header)
		}
		zr, err := gzip.NewReader(bytes.NewReader(zipped))
		if err != nil {
			t.Fatal(err)
		}
		unpacked, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(unpacked, body) {
			t.Errorf("Accept-Encoding %q: unpacks to %d bytes (%v), want the %d of the plain answer", ae, len(unpacked), err, len(body))
		}
		t.Logf("%d bytes as is, %d gzipped", len(body), len(zipped))
		if resp, _ := get("Accept-Encoding", ae, "If-None-Match", resp.Header.Get("ETag")); resp.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match with the gzip tag: HTTP %d", resp.StatusCode)
		}
	}
	for _, ae := range []string{"identity", "gzip;q=0", "deflate"} {
		if resp, got := get("Accept-Encoding", ae); resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(got, body) {
			t.Errorf("Accept-Encoding %q: %v", ae, resp.Header)
		}
	}
	if resp, _ := get("Accept-Encoding", "gzip", "If-None-Match", plain.Header.Get("ETag")); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match with the plain tag from a gzip client: HTTP %d", resp.StatusCode)
	}
}
