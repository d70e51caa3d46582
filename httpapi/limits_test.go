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

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/graph"
)

// TestQueryCost: the cost multiplies by first and by list estimates, so
// the frontend's queries fit under the default limit and nested lists
// that could reach 10^5 objects do not.
func TestQueryCost(t *testing.T) {
	es := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}, Complexity: complexityRoot()})
	cost := func(t *testing.T, q string) int {
		t.Helper()
		doc, errs := gqlparser.LoadQueryWithRules(es.Schema(), q, nil) // nil: the default rules
		if errs != nil {
			t.Fatal(errs)
		}
		return complexity.Calculate(context.Background(), es, doc.Operations[0], nil)
	}
	for _, tc := range []struct {
		name string
		q    string
		fits bool
	}{
		{"frontend list page", frontendList, true},
		{"article page", `query($s: String!) { article(slug: $s) { title section status blocks {
			__typename
			... on ParagraphBlock { text }
			... on ImageBlock { caption assets { id renditions { name url } } }
			... on GalleryBlock { gallery { title items { position asset { id renditions { name url } } } } }
		} } }`, true},
		{"a library page of 100", `{ assets(first: 100) { edges { node { id filename width height renditions { name url width height } usedIn { title } } } } }`, true},
		{"100 articles with their galleries", strings.Replace(frontendList, "first: 20", "first: 100", 1), false},
		{"where each asset is used, and what else is there", `{ assets(first: 100) { edges { node { usedIn { items { asset { renditions { url } } } } } } } }`, false},
		{"galleries of galleries", `{ galleries { edges { node { items { asset { usedIn { items { asset { id } } } } } } } } }`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cost(t, tc.q)
			if fits := c <= defaultMaxQueryCost; fits != tc.fits {
				t.Errorf("cost %d, limit %d: fits = %v, want %v", c, defaultMaxQueryCost, fits, tc.fits)
			}
			t.Logf("cost %d", c)
		})
	}
	if a, b := cost(t, `{ assets(first: 10) { edges { node { id } } } }`), cost(t, `{ assets(first: 40) { edges { node { id } } } }`); b < 3*a {
		t.Errorf("first: 40 costs %d, first: 10 costs %d: first does not multiply", b, a)
	}
}

// TestOperationTimeout: a query past its deadline is stopped with a clear
// error; the service goes on answering through a handler without one.
func TestOperationTimeout(t *testing.T) {
	svc := newService(t)
	log := testLogger(t)
	lim := defaultGraphQLLimits()
	lim.Timeout = time.Nanosecond
	serve := func(lim graphqlLimits) *testServer {
		ts := httptest.NewServer(newGraphQLWith(svc, Config{}, log, lim))
		t.Cleanup(ts.Close)
		return &testServer{URL: ts.URL}
	}
	short, normal := serve(lim), serve(defaultGraphQLLimits())

	r := short.gql(t, `{ articles { totalCount } }`)
	if r.code() != "INTERNAL" || !strings.Contains(r.Errors[0].Message, "took longer than 1ns") {
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
	p := presenter{log: slog.New(slog.NewTextHandler(testLog{t}, nil)), timeout: 30 * time.Second}
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

// TestOperationTimeoutSkipsSubscriptions: queries and mutations get a
// deadline that ends with their response; subscriptions get none.
func TestOperationTimeoutSkipsSubscriptions(t *testing.T) {
	mw := operationTimeout(time.Minute)
	for _, op := range []ast.Operation{ast.Query, ast.Mutation, ast.Subscription} {
		ctx := graphql.WithOperationContext(context.Background(),
			&graphql.OperationContext{Operation: &ast.OperationDefinition{Operation: op}})
		var runCtx context.Context
		h := mw(ctx, func(ctx context.Context) graphql.ResponseHandler {
			runCtx = ctx
			return graphql.OneShot(&graphql.Response{})
		})
		_, has := runCtx.Deadline()
		if want := op != ast.Subscription; has != want {
			t.Errorf("%s: deadline %v, want %v", op, has, want)
		}
		h(runCtx)
		if want := op != ast.Subscription; (runCtx.Err() != nil) != want {
			t.Errorf("%s: after the response, context error %v", op, runCtx.Err())
		}
	}
}

// TestNoFieldInterceptors: the generated executor marshals plain fields
// without field middleware (internal/tools/gqlgenpost), so no extension of
// the handler may intercept fields.
func TestNoFieldInterceptors(t *testing.T) {
	for _, production := range []bool{false, true} {
		for _, e := range graphqlExtensions(production, defaultGraphQLLimits(), lru.New[*ast.QueryDocument](1)) {
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
		srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}, Complexity: complexityRoot()}))
		srv.AddTransport(jsonPOST{})
		srv.SetQueryCache(docs)
		srv.SetParserTokenLimit(executorTokens)
		srv.Use(newQueryLimits(defaultGraphQLLimits(), docs))
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
	s = newServer(defaultMaxQueryTokens)
	for _, tc := range []struct{ query, code, msg string }{
		{`{ ` + strings.Repeat("__typename ", 21) + `}`, "QUERY_TOO_COMPLEX", "more than 20 times"},
		{`{ ` + strings.Repeat("__typename ", 5000) + `}`, "QUERY_TOO_COMPLEX", "more than 5000 tokens"},
		{`{ __typename `, "GRAPHQL_PARSE_FAILED", "Expected Name"},
		{`{ nosuchfield }`, "GRAPHQL_VALIDATION_FAILED", `Cannot query field "nosuchfield"`},
	} {
		r := s.gql(t, tc.query)
		if len(r.Errors) != 1 || r.code() != tc.code || !strings.Contains(r.Errors[0].Message, tc.msg) {
			t.Errorf("%.40s: %+v, want %s %q", tc.query, r.Errors, tc.code, tc.msg)
		}
	}
}
