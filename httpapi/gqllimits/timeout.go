package gqllimits

import (
	"context"
	"errors"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/stillroom/stillroom/core"
)

// OperationTimeout gives each query and mutation a deadline. The
// response handler runs the operation, so the deadline is released once
// it has produced its last response. Subscriptions are left alone: they
// last as long as their connection.
func OperationTimeout(d time.Duration) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		opCtx := graphql.GetOperationContext(ctx)
		if d <= 0 || opCtx.Operation == nil || opCtx.Operation.Operation == ast.Subscription {
			return next(ctx)
		}
		ctx, cancel := context.WithTimeout(ctx, d)
		h := next(ctx)
		first := true
		return func(ctx context.Context) *graphql.Response {
			resp := h(ctx)
			if resp == nil && first && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				// gqlgen answers nothing at all for an operation whose
				// context ended before it started.
				resp = &graphql.Response{Errors: gqlerror.List{TimeoutError(d)}}
			}
			first = false
			if resp == nil || resp.HasNext == nil || !*resp.HasNext {
				cancel()
			}
			return resp
		}
	}
}

// TimeoutError is what a client sees of an operation stopped at its
// deadline.
func TimeoutError(d time.Duration) *gqlerror.Error {
	err := gqlerror.Errorf("the operation took longer than %s and was stopped", d)
	errcode.Set(err, string(core.CodeInternal))
	return err
}
