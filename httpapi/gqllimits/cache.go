package gqllimits

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/maypok86/otter/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// The two caches a client can fill (the parsed queries, keyed by their
// text, and the automatic persisted queries, text by hash) are bounded by
// the bytes they hold, not by a count: any client may send a thousand
// distinct queries, and a count bound lets each be as heavy as the limits
// allow (64 KiB of text, a thousand selections).
const (
	DefaultQueryCacheBytes     = 32 << 20
	DefaultPersistedQueryBytes = 16 << 20
	// astNodeBytes is what one parsed node weighs, about: gqlparser's
	// Field with its position, arguments and definitions.
	astNodeBytes = 320
	entryBytes   = 256 // a cache entry's own bookkeeping
)

// weighedCache is a graphql.Cache bounded by weight (W-TinyLFU eviction).
type weighedCache[T any] struct {
	c *otter.Cache[string, T]
}

func newWeighedCache[T any](maxBytes int64, weigh func(key string, v T) uint32) *weighedCache[T] {
	return &weighedCache[T]{c: otter.Must(&otter.Options[string, T]{
		MaximumWeight: uint64(maxBytes),
		Weigher:       weigh,
	})}
}

func (w *weighedCache[T]) Get(_ context.Context, key string) (T, bool) {
	return w.c.GetIfPresent(key)
}

func (w *weighedCache[T]) Add(_ context.Context, key string, v T) {
	w.c.Set(key, v)
}

// NewQueryCache is the parsed-query cache, holding at most maxBytes of
// query text and (estimated) syntax tree.
func NewQueryCache(maxBytes int64) graphql.Cache[*ast.QueryDocument] {
	return newWeighedCache(maxBytes, func(key string, doc *ast.QueryDocument) uint32 {
		return uint32(len(key) + astNodeBytes*countNodes(doc) + entryBytes)
	})
}

// NewPersistedQueryCache is the cache of automatic persisted queries,
// holding at most maxBytes of hashes and texts.
func NewPersistedQueryCache(maxBytes int64) graphql.Cache[string] {
	return newWeighedCache(maxBytes, func(key, query string) uint32 {
		return uint32(len(key) + len(query) + entryBytes)
	})
}

// countNodes counts a document's operations, variables, fragments,
// selections, arguments and directives: what its syntax tree holds.
func countNodes(doc *ast.QueryDocument) int {
	n := 0
	var set func(ast.SelectionSet)
	set = func(ss ast.SelectionSet) {
		for _, s := range ss {
			n++
			switch s := s.(type) {
			case *ast.Field:
				n += len(s.Arguments) + len(s.Directives)
				set(s.SelectionSet)
			case *ast.InlineFragment:
				n += len(s.Directives)
				set(s.SelectionSet)
			case *ast.FragmentSpread:
				n += len(s.Directives)
			}
		}
	}
	for _, op := range doc.Operations {
		n += 1 + len(op.VariableDefinitions) + len(op.Directives)
		set(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		n += 1 + len(f.Directives)
		set(f.SelectionSet)
	}
	return n
}
