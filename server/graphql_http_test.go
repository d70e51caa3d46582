package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestGraphQLOverHTTP: persisted queries and response media types, on one
// server.
func TestGraphQLOverHTTP(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	t.Run("response media type", func(t *testing.T) { testResponseMediaType(t, s) })
	t.Run("persisted queries", func(t *testing.T) { testPersistedQueries(t, s) })
	t.Run("an argument gqlgen cannot read is the client's mistake", func(t *testing.T) {
		tok := login(t, s, adminEmail, adminPassword)
		for _, r := range []gqlResult{
			s.gql(t, tok, `{ assets(filter: {takenAfter: "yesterday"}) { totalCount } }`, nil),
			s.gql(t, tok, `query($t: Time) { assets(filter: {takenAfter: $t}) { totalCount } }`, map[string]any{"t": "yesterday"}),
		} {
			if r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "RFC3339") {
				t.Errorf("got %+v, want BAD_USER_INPUT about the time format", r.Errors)
			}
		}
	})
}

// testPersistedQueries: automatic persisted queries over GET and POST. A
// hash the server does not know is PersistedQueryNotFound; sent once with
// its query, the hash alone then works, and the limits still apply to a
// query sent by its hash.
func testPersistedQueries(t *testing.T, s *testServer) {
	tok := login(t, s, adminEmail, adminPassword)
	s.mustGQL(t, tok, `mutation { createArticle(input: {title: "Hội chợ xuân"}) { id } }`, nil)

	const q = `query($s: String) { articles(filter: {search: $s}) { totalCount } }`
	vars := map[string]any{"s": "hoi cho"}
	hash := sha256Hex(q)
	count := func(t *testing.T, r gqlResult) {
		t.Helper()
		if len(r.Errors) > 0 || dig(r.Data, "articles", "totalCount") != 1.0 {
			t.Fatalf("got %v %+v, want 1 article", r.Data, r.Errors)
		}
	}

	t.Run("unknown hash", func(t *testing.T) {
		for _, r := range []gqlResult{s.apqGET(t, tok, "", hash, vars), s.apqPOST(t, tok, "", hash, vars)} {
			if r.Code() != "PERSISTED_QUERY_NOT_FOUND" || r.Errors[0].Message != "PersistedQueryNotFound" {
				t.Errorf("got %+v, want PersistedQueryNotFound", r.Errors)
			}
		}
	})
	t.Run("a hash that is not the query's", func(t *testing.T) {
		r := s.apqPOST(t, tok, q, sha256Hex(q+" "), vars)
		if r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "hash does not match") {
			t.Errorf("got %+v, want BAD_USER_INPUT: hash does not match", r.Errors)
		}
	})
	t.Run("registered over POST, then by hash alone", func(t *testing.T) {
		count(t, s.apqPOST(t, tok, q, hash, vars))
		count(t, s.apqGET(t, tok, "", hash, vars))
		count(t, s.apqPOST(t, tok, "", hash, vars))
	})
	t.Run("registered over GET", func(t *testing.T) {
		q2 := `{ articles(first: 3) { totalCount } }`
		h2 := sha256Hex(q2)
		if r := s.apqGET(t, "", "", h2, nil); r.Code() != "PERSISTED_QUERY_NOT_FOUND" {
			t.Fatalf("before: %+v", r.Errors)
		}
		for _, r := range []gqlResult{s.apqGET(t, "", q2, h2, nil), s.apqGET(t, "", "", h2, nil)} {
			if len(r.Errors) > 0 || dig(r.Data, "articles", "totalCount") != 0.0 {
				t.Errorf("got %v %+v, want 0 published articles", r.Data, r.Errors)
			}
		}
	})
	t.Run("a persisted query is still checked", func(t *testing.T) {
		deep := `{ articles(first: 1) { edges { node { galleries { cover { usedIn { cover { usedIn { cover { usedIn { cover { uploadedBy { id } } } } } } } } } } } } }`
		h := sha256Hex(deep)
		for _, r := range []gqlResult{s.apqPOST(t, tok, deep, h, nil), s.apqPOST(t, tok, "", h, nil), s.apqGET(t, tok, "", h, nil)} {
			if r.Code() != "QUERY_TOO_COMPLEX" {
				t.Errorf("got %+v, want QUERY_TOO_COMPLEX", r.Errors)
			}
		}
	})
	t.Run("GET runs no mutation", func(t *testing.T) {
		m := `mutation { createGallery(input: {title: "by GET"}) { id } }`
		h := sha256Hex(m)
		s.apqPOST(t, tok, m, h, nil)
		resp, _ := s.fetch(t, "/graphql?"+apqParams("", h, nil).Encode(), map[string]string{"Authorization": "Bearer " + tok})
		if resp.StatusCode != http.StatusNotAcceptable {
			t.Errorf("GET of a persisted mutation: HTTP %d, want 406", resp.StatusCode)
		}
		d := s.mustGQL(t, tok, `{ galleries { totalCount } }`, nil)
		if dig(d, "galleries", "totalCount") != 1.0 {
			t.Errorf("galleries: %v, want only the one created over POST", d)
		}
	})
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func apqExtensions(hash string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
}

func apqParams(query, hash string, vars map[string]any) url.Values {
	v := url.Values{}
	if query != "" {
		v.Set("query", query)
	}
	ext, _ := json.Marshal(apqExtensions(hash))
	v.Set("extensions", string(ext))
	if vars != nil {
		vj, _ := json.Marshal(vars)
		v.Set("variables", string(vj))
	}
	return v
}

func (s *testServer) apqGET(t testing.TB, token, query, hash string, vars map[string]any) gqlResult {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+"/graphql?"+apqParams(query, hash, vars).Encode(), nil)
	return s.do(t, token, req)
}

func (s *testServer) apqPOST(t testing.TB, token, query, hash string, vars map[string]any) gqlResult {
	t.Helper()
	body := map[string]any{"extensions": apqExtensions(hash), "variables": vars}
	if query != "" {
		body["query"] = query
	}
	b, _ := json.Marshal(body)
	_, r := s.post(t, token, "application/json", strings.NewReader(string(b)), nil)
	return r
}

// testResponseMediaType: a client that accepts
// application/graphql-response+json gets it, with 400 for a request that
// cannot run; one that accepts application/json (or says nothing) gets
// that, as gqlgen answers it. Runs before anything is published.
func testResponseMediaType(t *testing.T, s *testServer) {
	const gqlResponse = "application/graphql-response+json"
	for _, tc := range []struct {
		name, accept, query string
		wantType            string
		wantStatus          int
	}{
		{"graphql-response: ok", gqlResponse, `{ articles { totalCount } }`, gqlResponse, 200},
		{"graphql-response: invalid", gqlResponse, `{ articel { id } }`, gqlResponse, 400},
		{"graphql-response: syntax", gqlResponse, `{ articles {`, gqlResponse, 400},
		{"graphql-response: too complex", gqlResponse, `{ ` + strings.Repeat("__typename ", 21) + `}`, gqlResponse, 400},
		{"graphql-response first", gqlResponse + ", application/json;q=0.9", `{ articles { totalCount } }`, gqlResponse, 200},
		{"json: ok", "application/json", `{ articles { totalCount } }`, "application/json", 200},
		{"json: invalid", "application/json", `{ articel { id } }`, "application/json", 422},
		{"no Accept", "", `{ articles { totalCount } }`, "application/json", 200},
		{"any", "*/*", `{ articles { totalCount } }`, "application/json", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, method := range []string{"POST", "GET"} {
				var req *http.Request
				if method == "POST" {
					b, _ := json.Marshal(map[string]any{"query": tc.query})
					req, _ = http.NewRequest("POST", s.URL+"/graphql", strings.NewReader(string(b)))
					req.Header.Set("Content-Type", "application/json; charset=utf-8")
				} else {
					req, _ = http.NewRequest("GET", s.URL+"/graphql?"+url.Values{"query": {tc.query}}.Encode(), nil)
				}
				if tc.accept != "" {
					req.Header.Set("Accept", tc.accept)
				}
				resp, r := s.send(t, "", req)
				mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
				if mt != tc.wantType || resp.StatusCode != tc.wantStatus {
					t.Errorf("%s: HTTP %d %s, want %d %s (%+v)", method, resp.StatusCode, mt, tc.wantStatus, tc.wantType, r.Errors)
				}
				if (tc.wantStatus == 200) != (r.Data != nil && len(r.Errors) == 0) {
					t.Errorf("%s: data %v errors %+v", method, r.Data, r.Errors)
				}
			}
		})
	}
}
