package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stillroom/stillroom/httpapi/gqllimits"
)

// TestQueryTextBytes: a query text longer than the byte limit is refused
// with QUERY_TOO_COMPLEX before it is parsed or kept, even as a persisted
// query being registered (a comment is one token, so the token limit
// alone let a query be as long as the request); one just under it runs.
func TestQueryTextBytes(t *testing.T) {
	svc := newService(t)
	ts := httptest.NewServer(newGraphQL(svc, Config{}, testLogger(t)))
	defer ts.Close()
	s := &testServer{URL: ts.URL}
	pad := func(n int) string { return "{ __typename } #" + strings.Repeat("x", n-len("{ __typename } #")) }

	if r := s.gql(t, pad(gqllimits.DefaultMaxQueryBytes)); len(r.Errors) > 0 {
		t.Errorf("a query of exactly the limit: %+v", r.Errors)
	}
	if r := s.gql(t, pad(gqllimits.DefaultMaxQueryBytes+1)); r.Code() != "QUERY_TOO_COMPLEX" {
		t.Errorf("a query one byte over the limit: %+v, want QUERY_TOO_COMPLEX", r.Errors)
	}

	big := pad(gqllimits.DefaultMaxQueryBytes + 1)
	sum := sha256.Sum256([]byte(big))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
	if r := s.post(t, map[string]any{"query": big, "extensions": ext}); r.Code() != "QUERY_TOO_COMPLEX" {
		t.Errorf("registering a persisted query over the limit: %+v", r.Errors)
	}
	if r := s.post(t, map[string]any{"extensions": ext}); len(r.Errors) == 0 || r.Errors[0].Message != "PersistedQueryNotFound" {
		t.Errorf("the refused text was kept as a persisted query: %+v", r)
	}
}
