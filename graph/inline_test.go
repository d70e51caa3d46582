package graph

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestQuotedStringMatchesGQLGen: quotedString writes exactly what
// graphql.MarshalString writes.
func TestQuotedStringMatchesGQLGen(t *testing.T) {
	for _, s := range []string{"", "plain", "Dân vận khéo — toạ đàm", "quote \" and \\ slash", "tab\tnl\nret\r", "\x00\x01\x1f\x7f", "bad utf8 \xff\xfe end", "\u2028 \U0001F600"} {
		var want, got bytes.Buffer
		graphql.MarshalString(s).MarshalGQL(&want)
		marshalString(s).MarshalGQL(&got)
		if got.String() != want.String() {
			t.Errorf("%q: got %s, want %s", s, got.String(), want.String())
		}
	}
}

// TestSliceErrorPaths: errors raised while marshalling list elements, in
// an element or in a field below it, and panics, carry their element's
// index, though one field context serves every element.
func TestSliceErrorPaths(t *testing.T) {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "items"}}})
	marshalSliceInOrder(ctx, 4, func(ctx context.Context, i int) graphql.Marshaler {
		switch i {
		case 0:
			graphql.AddError(ctx, errors.New("element"))
		case 2:
			child := graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "caption"}}})
			graphql.AddError(child, errors.New("field"))
		case 3:
			panic("boom")
		}
		return graphql.Null
	})
	var got []string
	for _, e := range graphql.GetErrors(ctx) {
		got = append(got, e.Path.String())
	}
	want := []string{"items[0]", "items[2].caption", "items[3]"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("error paths %q, want %q", got, want)
	}
}
