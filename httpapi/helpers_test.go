package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/media/localstore"
	"github.com/stillroom/stillroom/sqlitestore"
)

// testLog sends a logger's output to the test log.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func testLogger(t testing.TB) *slog.Logger { return slog.New(slog.NewTextHandler(testLog{t}, nil)) }

// newService is a real app.Service on an embedded database and objects on
// disk, both in a temporary folder.
func newService(t testing.TB) *app.Service {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlitestore.Open(t.Context(), sqlitestore.Config{Path: filepath.Join(dir, "stillroom.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(context.Background()) })
	objects, err := localstore.New(filepath.Join(dir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	return app.New(db, objects, testLogger(t), app.Config{PublicURL: "http://127.0.0.1"})
}

// testServer is an HTTP server of the test's own.
type testServer struct {
	URL string
}

// gqlResult is a GraphQL response.
type gqlResult struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// code returns the first error's extensions.code, or "".
func (r gqlResult) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// gql posts a query as JSON and decodes the answer.
func (s *testServer) gql(t testing.TB, query string) gqlResult {
	t.Helper()
	return s.post(t, map[string]any{"query": query})
}

// post posts a GraphQL request body as JSON and decodes the answer.
func (s *testServer) post(t testing.TB, request map[string]any) gqlResult {
	t.Helper()
	body, _ := json.Marshal(request)
	resp, err := http.Post(s.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r gqlResult
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("HTTP %d, not JSON: %.300s", resp.StatusCode, raw)
	}
	return r
}
