package httpapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/internal/embeddedtest"
	"github.com/stillroom/stillroom/internal/gqltest"
	"github.com/stillroom/stillroom/sqlitestore"
)

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(gqltest.Log{T: t}, nil))
}

// newService is a real app.Service on an embedded database and objects on
// disk, both in a temporary folder.
func newService(t testing.TB) *app.Service {
	t.Helper()
	svc, _ := newServiceOn(t)
	return svc
}

// newServiceOn is newService with its database, for tests that write to
// it directly.
func newServiceOn(t testing.TB) (*app.Service, *sqlitestore.DB) {
	t.Helper()
	db, objects := embeddedtest.Open(t)
	return app.New(db, objects, testLogger(t), app.Config{PublicURL: "http://127.0.0.1"}), db
}

// testServer is an HTTP server of the test's own.
type testServer struct {
	URL string
}

// gqlResult is a GraphQL response.
type gqlResult = gqltest.Result

// gql posts a query as JSON and decodes the answer.
func (s *testServer) gql(t testing.TB, query string) gqlResult {
	t.Helper()
	return s.post(t, map[string]any{"query": query})
}

// post posts a GraphQL request body as JSON and decodes the answer.
func (s *testServer) post(t testing.TB, request map[string]any) gqlResult {
	t.Helper()
	body, _ := json.Marshal(request)
	req, _ := http.NewRequest("POST", s.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	_, r := gqltest.Send(t, "", req)
	return r
}
