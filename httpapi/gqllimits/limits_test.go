package gqllimits

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/stillroom/stillroom/graph"
)

// TestQueryCost: the cost multiplies by first and by list estimates, so
// the frontend's queries fit under the default limit and nested lists
// that could reach 10^5 objects do not.
func TestQueryCost(t *testing.T) {
	es := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}, Complexity: ComplexityRoot()})
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
			if fits := c <= DefaultMaxQueryCost; fits != tc.fits {
				t.Errorf("cost %d, limit %d: fits = %v, want %v", c, DefaultMaxQueryCost, fits, tc.fits)
			}
			t.Logf("cost %d", c)
		})
	}
	if a, b := cost(t, `{ assets(first: 10) { edges { node { id } } } }`), cost(t, `{ assets(first: 40) { edges { node { id } } } }`); b < 3*a {
		t.Errorf("first: 40 costs %d, first: 10 costs %d: first does not multiply", b, a)
	}
}

// TestOperationTimeoutSkipsSubscriptions: queries and mutations get a
// deadline that ends with their response; subscriptions get none.
func TestOperationTimeoutSkipsSubscriptions(t *testing.T) {
	mw := OperationTimeout(time.Minute)
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

// frontendList is the list page of the front end: 20 articles, each with
// its cover's renditions and its gallery's items with renditions.
const frontendList = `{ articles(first: 20) { totalCount edges { node { title
	cover { renditions { name url } }
	blocks { ... on GalleryBlock { gallery { title items { caption asset { srcset renditions { name url } } } } } }
} } } }`
