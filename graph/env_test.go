package graph_test

import (
	"log/slog"
	"net/http"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/graph"
	"github.com/stillroom/stillroom/internal/embeddedtest"
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
	db, objects := embeddedtest.Open(t)
	svc := app.New(db, objects, slog.New(slog.DiscardHandler), app.Config{UploadWait: -1})
	srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{App: svc}}))
	srv.AddTransport(transport.POST{})
	c := client.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.ServeHTTP(w, r.WithContext(app.WithLoader(app.WithUser(r.Context(), user, ""))))
	}))
	return graphEnv{svc: svc, db: db, c: c}
}
