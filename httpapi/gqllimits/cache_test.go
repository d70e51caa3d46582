package gqllimits

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// TestCachesBoundedByBytes: a thousand distinct heavy queries (long texts,
// many selections) leave the caches within their byte bounds, not a
// thousand entries each; light queries still fit by the hundred.
func TestCachesBoundedByBytes(t *testing.T) {
	ctx := context.Background()
	const max = 4 << 20
	docs := NewQueryCache(max).(*weighedCache[*ast.QueryDocument])
	apq := NewPersistedQueryCache(max).(*weighedCache[string])
	fields := strings.Repeat(" a { b c d e f g h i }", 100)
	for i := range 1000 {
		text := fmt.Sprintf("{ x%d: q {%s } } #%s", i, fields, strings.Repeat("y", 60<<10))
		doc, err := parser.ParseQuery(&ast.Source{Input: text})
		if err != nil {
			t.Fatal(err)
		}
		docs.Add(ctx, text, doc)
		apq.Add(ctx, fmt.Sprintf("%064d", i), text)
	}
	for name, c := range map[string]interface {
		CleanUp()
		WeightedSize() uint64
		EstimatedSize() int
	}{"parsed": docs.c, "persisted": apq.c} {
		c.CleanUp()
		if w := c.WeightedSize(); w > max {
			t.Errorf("%s queries: %d bytes kept, over the bound of %d", name, w, max)
		}
		t.Logf("%s queries: %d entries, %d bytes", name, c.EstimatedSize(), c.WeightedSize())
	}
	light := NewQueryCache(max).(*weighedCache[*ast.QueryDocument])
	for i := range 500 {
		text := fmt.Sprintf("{ articles(first: %d) { totalCount } }", i)
		doc, _ := parser.ParseQuery(&ast.Source{Input: text})
		light.Add(ctx, text, doc)
	}
	light.c.CleanUp()
	if n := light.c.EstimatedSize(); n < 400 {
		t.Errorf("500 light queries: only %d kept", n)
	}
}
