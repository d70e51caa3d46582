package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestPublicReadCache: anonymous GET queries, plain or persisted, are
// answered with Cache-Control and ETag from a cache that publishing
// invalidates.
func TestPublicReadCache(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	tok := login(t, s, adminEmail, adminPassword)
	publish := func(title string) {
		a := s.mustGQL(t, tok, `mutation($t: String!) { createArticle(input: {title: $t}) { id } }`, map[string]any{"t": title})
		s.mustGQL(t, tok, `mutation($a: ID!) { publishArticle(id: $a) { id } }`, map[string]any{"a": dig(a, "createArticle", "id")})
	}
	publish("Một")
	const q = `{ articles(first: 20) { totalCount edges { node { title } } } }`
	get := func(params url.Values, header map[string]string) (*http.Response, string) {
		resp, body := s.fetch(t, "/graphql?"+params.Encode(), header)
		return resp, string(body)
	}
	plain := url.Values{"query": {q}}

	resp, body := get(plain, nil)
	if resp.StatusCode != 200 || resp.Header.Get("X-Cache") != "MISS" || !strings.Contains(body, `"totalCount":1`) ||
		resp.Header.Get("Cache-Control") != "public, max-age=10" || resp.Header.Get("ETag") == "" {
		t.Fatalf("first GET: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	etag := resp.Header.Get("ETag")
	resp, body2 := get(plain, nil)
	if resp.Header.Get("X-Cache") != "HIT" || body2 != body {
		t.Errorf("second GET: %s", resp.Header.Get("X-Cache"))
	}
	if resp, _ := get(plain, map[string]string{"If-None-Match": etag}); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: HTTP %d", resp.StatusCode)
	}
	// Signed-in readers are never served from the public cache.
	if resp, _ := get(plain, map[string]string{"Authorization": "Bearer " + tok}); resp.Header.Get("X-Cache") != "" {
		t.Errorf("signed-in GET went through the cache: %s", resp.Header.Get("X-Cache"))
	}

	publish("Hai")
	resp, body = get(plain, nil)
	if resp.Header.Get("X-Cache") != "MISS" || !strings.Contains(body, `"totalCount":2`) {
		t.Errorf("after publishing: %s %s", resp.Header.Get("X-Cache"), body)
	}

	// Automatic persisted queries over GET: the hash alone, once known.
	sum := sha256.Sum256([]byte(q))
	ext := `{"persistedQuery":{"version":1,"sha256Hash":"` + hex.EncodeToString(sum[:]) + `"}}`
	hashOnly := url.Values{"extensions": {ext}}
	if resp, body := get(hashOnly, nil); !strings.Contains(body, "PersistedQueryNotFound") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("unknown hash: %s %s", resp.Header.Get("Cache-Control"), body)
	}
	if _, body := get(url.Values{"query": {q}, "extensions": {ext}}, nil); !strings.Contains(body, `"totalCount":2`) {
		t.Errorf("registering: %s", body)
	}
	resp, body = get(hashOnly, nil)
	if !strings.Contains(body, `"totalCount":2`) || resp.Header.Get("ETag") == "" {
		t.Errorf("hash only: %s %s", resp.Header.Get("X-Cache"), body)
	}
}

// TestResponseCacheBoundedByBytes: the kept answers never weigh more than
// the bound, and expired ones are dropped without further traffic.
func TestResponseCacheBoundedByBytes(t *testing.T) {
	c := newResponseCacheTTL(nil, 4<<20, 300*time.Millisecond)
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
