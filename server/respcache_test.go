package main

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
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
