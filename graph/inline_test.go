package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
	// Every byte value at every place of strings around the 8-byte steps.
	for n := 1; n <= 19; n++ {
		for at := range n {
			for c := range 256 {
				b := []byte(strings.Repeat("aé", n)[:n])
				b[at] = byte(c)
				s := string(b)
				var want bytes.Buffer
				graphql.MarshalString(s).MarshalGQL(&want)
				if got := appendQuoted(nil, s); string(got) != want.String() {
					t.Fatalf("%q: got %s, want %s", s, got, want.String())
				}
			}
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

// TestResolveFieldMatchesGQLGen: resolveField answers as
// graphql.ResolveField does — value, null, the errors and their paths —
// for a value, an error, a nil result and a panic, on nullable and
// non-null fields.
func TestResolveFieldMatchesGQLGen(t *testing.T) {
	resolvers := map[string]func(ctx context.Context) (any, error){
		"value": func(ctx context.Context) (any, error) { return "Dân vận khéo", nil },
		"error": func(ctx context.Context) (any, error) { return nil, errors.New("no such thing") },
		"nil":   func(ctx context.Context) (any, error) { return nil, nil },
		"typed nil": func(ctx context.Context) (any, error) {
			var s *string
			return s, nil
		},
		"panic":      func(ctx context.Context) (any, error) { panic("boom") },
		"wrong type": func(ctx context.Context) (any, error) { return 42, nil },
	}
	marshal := func(ctx context.Context, sel ast.SelectionSet, v *string) graphql.Marshaler {
		if v == nil {
			return graphql.Null
		}
		return graphql.MarshalString(*v)
	}
	for name, resolve := range resolvers {
		for _, flags := range [][2]bool{{false, false}, {true, true}, {false, true}} {
			nonNull, fcNonNull := flags[0], flags[1]
			answer := func(ours bool) string {
				ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, func(ctx context.Context, err any) error { return fmt.Errorf("recovered: %v", err) })
				oc := &graphql.OperationContext{
					RecoverFunc: func(ctx context.Context, err any) error { return fmt.Errorf("recovered: %v", err) },
					// what the executor sets when no field interceptor is registered
					ResolverMiddleware: func(ctx context.Context, next graphql.Resolver) (any, error) { return next(ctx) },
				}
				ctx = graphql.WithOperationContext(ctx, oc)
				ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "asset"}}})
				field := graphql.CollectedField{Field: &ast.Field{Alias: "caption", Name: "caption"}}
				init := func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {
					return &graphql.FieldContext{Object: "Asset", Field: field, IsResolver: true, NonNull: fcNonNull}, nil
				}
				ptr := func(ctx context.Context) (any, error) {
					v, err := resolve(ctx)
					if s, ok := v.(string); ok {
						return &s, err
					}
					return v, err
				}
				var m graphql.Marshaler
				if ours {
					m = resolveField(ctx, oc, field, init, ptr, nil, marshal, true, nonNull)
				} else {
					m = graphql.ResolveField(ctx, oc, field, init, ptr, nil, marshal, true, nonNull)
				}
				var buf bytes.Buffer
				switch m {
				case nil:
					buf.WriteString("<nil>")
				case graphql.RequiredNull:
					buf.WriteString("<required null>")
				default:
					m.MarshalGQL(&buf)
				}
				for _, e := range graphql.GetErrors(ctx) {
					fmt.Fprintf(&buf, " | %s at %s", e.Message, e.Path)
				}
				return buf.String()
			}
			want, got := answer(false), answer(true)
			if got != want {
				t.Errorf("%s, non-null %v/%v: got %s, want %s", name, nonNull, fcNonNull, got, want)
			}
			t.Logf("%s, non-null %v/%v: %s", name, nonNull, fcNonNull, got)
		}
	}
}

// TestAnswerBufferFollowsLastAnswer: an answer's buffer is made as large
// as the last answer to the same query text, and no larger than the cap.
func TestAnswerBufferFollowsLastAnswer(t *testing.T) {
	front, other := &graphql.OperationContext{RawQuery: "{ articles { totalCount } }"}, &graphql.OperationContext{RawQuery: "{ me { id } }"}
	noteAnswerSize(front, 110_000)
	if c := answerBuffer(front).Cap(); c < 110_000 || c > 130_000 {
		t.Errorf("buffer for a 110 KB answer has room for %d bytes", c)
	}
	if c := answerBuffer(other).Cap(); c != 0 {
		t.Errorf("buffer for an unseen query has room for %d bytes", c)
	}
	noteAnswerSize(other, 1<<30)
	if c := answerBuffer(other).Cap(); c > 2*maxAnswerSizeHint {
		t.Errorf("buffer after a 1 GiB answer has room for %d bytes", c)
	}
}
