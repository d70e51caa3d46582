package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/graph"
	"github.com/stillroom/stillroom/httpapi/gqllimits"
	"github.com/stillroom/stillroom/internal/gqltest"
)

// TestOperationTimeout: a query past its deadline is stopped with a clear
// error; the service goes on answering through a handler without one.
func TestOperationTimeout(t *testing.T) {
	svc := newService(t)
	log := testLogger(t)
	lim := gqllimits.Defaults()
	lim.Timeout = time.Nanosecond
	serve := func(lim gqllimits.Limits) *testServer {
		ts := httptest.NewServer(newGraphQLWith(svc, Config{}, log, lim))
		t.Cleanup(ts.Close)
		return &testServer{URL: ts.URL}
	}
	short, normal := serve(lim), serve(gqllimits.Defaults())

	r := short.gql(t, `{ articles { totalCount } }`)
	if r.Code() != "INTERNAL" || !strings.Contains(r.Errors[0].Message, "took longer than 1ns") {
		t.Fatalf("got %+v, want INTERNAL: took longer than 1ns", r.Errors)
	}
	if r := normal.gql(t, `{ articles { totalCount } }`); len(r.Errors) > 0 || r.Data["articles"].(map[string]any)["totalCount"] != 0.0 {
		t.Errorf("after a timeout: %+v", r)
	}
}

// TestTimeoutMessage: an error of an operation past its deadline is shown
// as a timeout; errors with a code of their own keep it.
func TestTimeoutMessage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	p := presenter{log: slog.New(slog.NewTextHandler(gqltest.Log{T: t}, nil)), timeout: 30 * time.Second}
	if e := p.present(ctx, fmt.Errorf("find articles: %w", context.DeadlineExceeded)); e.Message != "the operation took longer than 30s and was stopped" || e.Extensions["code"] != "INTERNAL" {
		t.Errorf("timed out: %q %v", e.Message, e.Extensions)
	}
	if e := p.present(ctx, core.Errorf(core.CodeNotFound, "no such gallery")); e.Message != "no such gallery" || e.Extensions["code"] != "NOT_FOUND" {
		t.Errorf("coded error after the deadline: %q %v", e.Message, e.Extensions)
	}
	if e := p.present(context.Background(), errors.New("driver: connection reset")); e.Message != "internal error" || e.Extensions["code"] != "INTERNAL" {
		t.Errorf("internal error: %q %v", e.Message, e.Extensions)
	}
}

// TestNoFieldInterceptors: the generated executor marshals plain fields
// without field middleware (internal/tools/gqlgenpost), so no extension of
// the handler may intercept fields.
func TestNoFieldInterceptors(t *testing.T) {
	for _, production := range []bool{false, true} {
		for _, e := range graphqlExtensions(production, gqllimits.Defaults(), lru.New[*ast.QueryDocument](1)) {
			if _, ok := e.(graphql.FieldInterceptor); ok {
				t.Errorf("%T intercepts fields; see internal/tools/gqlgenpost", e)
			}
		}
	}
}

// TestQueryParsedOnce: a new query is parsed once, by the limits, which
// hand it validated to the executor through the query cache: an executor
// whose own parser would refuse every query (a token limit of 1) runs it.
// A query over a limit, a syntax error and a validation error are answered
// as the executor would.
func TestQueryParsedOnce(t *testing.T) {
	newServer := func(executorTokens int) *testServer {
		docs := lru.New[*ast.QueryDocument](10)
		srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}, Complexity: gqllimits.ComplexityRoot()}))
		srv.AddTransport(jsonPOST{})
		srv.SetQueryCache(docs)
		srv.SetParserTokenLimit(executorTokens)
		srv.Use(gqllimits.New(gqllimits.Defaults(), docs))
		ts := httptest.NewServer(srv)
		t.Cleanup(ts.Close)
		return &testServer{URL: ts.URL}
	}
	s := newServer(1)
	for i := range 2 {
		if r := s.gql(t, `{ __typename }`); len(r.Errors) > 0 {
			t.Fatalf("request %d: %+v: the executor parsed the query again", i+1, r.Errors)
		}
	}
	s = newServer(gqllimits.DefaultMaxQueryTokens)
	for _, tc := range []struct{ query, code, msg string }{
		{`{ ` + strings.Repeat("__typename ", 21) + `}`, "QUERY_TOO_COMPLEX", "more than 20 times"},
		{`{ ` + strings.Repeat("__typename ", 5000) + `}`, "QUERY_TOO_COMPLEX", "more than 5000 tokens"},
		{`{ __typename `, "GRAPHQL_PARSE_FAILED", "Expected Name"},
		{`{ nosuchfield }`, "GRAPHQL_VALIDATION_FAILED", `Cannot query field "nosuchfield"`},
	} {
		r := s.gql(t, tc.query)
		if len(r.Errors) != 1 || r.Code() != tc.code || !strings.Contains(r.Errors[0].Message, tc.msg) {
			t.Errorf("%.40s: %+v, want %s %q", tc.query, r.Errors, tc.code, tc.msg)
		}
	}
}
