package graph_test

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/graph"
	"github.com/stillroom/stillroom/media/localstore"
	"github.com/stillroom/stillroom/sqlitestore"
)

// graphEnv is the schema on a real app.Service (an embedded database and
// objects on disk in a temporary folder), and a gqlgen test client that
// asks as user, each request with its own loader.
type graphEnv struct {
	svc *app.Service
	db  *sqlitestore.DB
	c   *client.Client
}

func newGraphEnv(t *testing.T, user *core.User) graphEnv {
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
	svc := app.New(db, objects, slog.New(slog.DiscardHandler), app.Config{UploadWait: -1})
	srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{App: svc}}))
	srv.AddTransport(transport.POST{})
	c := client.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.ServeHTTP(w, r.WithContext(app.WithLoader(app.WithUser(r.Context(), user, ""))))
	}))
	return graphEnv{svc: svc, db: db, c: c}
}
