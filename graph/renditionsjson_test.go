package graph

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/graph/model"
)

// TestRenditionsJSONMatchesGenerated: renditionsJSON writes, byte for
// byte, what the generated executor writes for the same selections:
// aliases, repeats, fragments, __typename, @skip/@include with variables,
// @defer, and strings that need escaping.
//
// It switches renditionsFast, a setting of the whole package, so it never
// runs in parallel (no test of this package does) and restores it when done.
func TestRenditionsJSONMatchesGenerated(t *testing.T) {
	t.Cleanup(func() { renditionsFast = true })
	renditions := []*model.Rendition{
		{Rendition: core.Rendition{Name: "w1024", Width: 1024, Height: 683, Format: "jpeg", ByteSize: 181_234}, URL: "/media/0193a/w1024?v=0123456789abcdef"},
		{Rendition: core.Rendition{Name: "toạ đàm \"x\"\\", Width: 0, Height: -1, Format: "png", ByteSize: 1 << 40}, URL: "https://cdn.example/a?b=1&c=\t\n\x01\u2028"},
		{Rendition: core.Rendition{Name: "square512", Width: 512, Height: 512, Format: "jpeg"}},
	}
	selections := []string{
		`name url`,
		`__typename name width height format byteSize url`,
		`u: url url w: width name`,
		`name name url width name`,
		`...R ... on Rendition { width name } fragment R on Rendition { name url }`,
		`name @include(if: $yes) url @skip(if: $yes) width @skip(if: $no) height @include(if: $no)`,
		`name ... @defer { url } ... @defer(label: "x") { width }`,
		`__typename`,
	}
	es := NewExecutableSchema(Config{Resolvers: &Resolver{}}).(*executableSchema)
	exec := executor.New(es)
	for _, s := range selections {
		query, fragments := s, ""
		if i := strings.Index(s, "} fragment "); i >= 0 {
			query, fragments = s[:i+1], s[i+1:]
		}
		params := &graphql.RawParams{Query: `{ asset(id: "a") { renditions { ` + query + ` } } } ` + fragments}
		if strings.Contains(s, "$") {
			params.Query = `query($yes: Boolean!, $no: Boolean!) ` + params.Query
			params.Variables = map[string]any{"yes": true, "no": false}
		}
		ctx := graphql.StartOperationTrace(context.Background())
		oc, errs := exec.CreateOperationContext(ctx, params)
		if errs != nil {
			t.Fatalf("%s: %v", s, errs)
		}
		asset := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"})[0]
		var sel graphql.CollectedField
		for _, f := range graphql.CollectFields(oc, asset.Selections, assetImplementors) {
			if f.Name == "renditions" {
				sel = f
			}
		}
		answer := func(fast bool) string {
			renditionsFast = fast
			ctx := graphql.WithResponseContext(graphql.WithOperationContext(ctx, oc), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
			ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: sel})
			ec := newExecutionContext(oc, es, nil)
			var buf bytes.Buffer
			ec.marshalNRendition2ᚕᚖgithubᚗcomᚋstillroomᚋstillroomᚋgraphᚋmodelᚐRenditionᚄ(ctx, sel.Selections, renditions).MarshalGQL(&buf)
			if errs := graphql.GetErrors(ctx); len(errs) > 0 {
				t.Fatalf("%s: errors %v", s, errs)
			}
			return buf.String()
		}
		slow, fast := answer(false), answer(true)
		if fast != slow {
			t.Errorf("%s:\n fast %s\n want %s", s, fast, slow)
		}
		m, ok := renditionsJSON(graphql.CollectFields(oc, sel.Selections, renditionImplementors), renditions)
		if !ok {
			t.Fatalf("%s: renditionsJSON declined", s)
		}
		var other strings.Builder // not the executor's bytes.Buffer
		m.MarshalGQL(&other)
		if other.String() != slow {
			t.Errorf("%s, to another writer:\n fast %s\n want %s", s, other.String(), slow)
		}
	}
	// A nil element is left to the generated path, which reports it.
	if _, ok := renditionsJSON(nil, []*model.Rendition{nil}); ok {
		t.Error("renditionsJSON took a list with a nil element")
	}
}

// TestCollectedFieldsPerOperation: the executor keeps parsed documents, so
// two operations of one document share its selection sets; what
// collectFields remembers must still follow each operation's variables.
func TestCollectedFieldsPerOperation(t *testing.T) {
	es := NewExecutableSchema(Config{Resolvers: &Resolver{}}).(*executableSchema)
	exec := executor.New(es)
	exec.SetQueryCache(lru.New[*ast.QueryDocument](10)) // as the server does
	const doc = `query($yes: Boolean!) { me @include(if: $yes) { id } asset(id: "a") @skip(if: $yes) { id } }`
	var seen []string
	var sels []*ast.Selection
	for _, yes := range []bool{true, false, true} {
		oc, errs := exec.CreateOperationContext(graphql.StartOperationTrace(context.Background()), &graphql.RawParams{Query: doc, Variables: map[string]any{"yes": yes}})
		if errs != nil {
			t.Fatal(errs)
		}
		ec := newExecutionContext(oc, es, nil)
		sels = append(sels, unsafe.SliceData(oc.Operation.SelectionSet))
		for range 2 { // the second time from the cache
			var names []string
			for _, f := range ec.collectFields(oc.Operation.SelectionSet, queryImplementors) {
				names = append(names, f.Name)
			}
			seen = append(seen, strings.Join(names, " "))
		}
	}
	if want := []string{"me", "me", "asset", "asset", "me", "me"}; !slices.Equal(seen, want) {
		t.Errorf("fields %q, want %q", seen, want)
	}
	if sels[0] != sels[1] {
		t.Error("the operations did not share the parsed document; the test proves nothing")
	}
}
