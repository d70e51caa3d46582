package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/stillroom/stillroom/app"
)

// withDuplicates runs an upload with its duplicates noted, and reports
// them in the response's extensions.duplicates (one list for the whole
// operation): uploads whose bytes the library had already, answered with
// the existing asset.
func withDuplicates[T any](ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	var d app.Duplicates
	v, err := fn(app.WithDuplicates(ctx, &d))
	if list := d.List(); len(list) > 0 {
		if prev, ok := graphql.GetExtension(ctx, "duplicates").(*[]app.Duplicate); ok {
			*prev = append(*prev, list...)
		} else {
			graphql.RegisterExtension(ctx, "duplicates", &list)
		}
	}
	return v, err
}
