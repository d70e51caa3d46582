package app

import "context"

type yieldKey struct{}

// WithYield returns ctx carrying give, which a use case calls before a
// long wait that needs no CPU (an upload waiting for its renditions), so
// the caller's execution slot (the server's admission) goes to others.
// give may be called more than once.
func WithYield(ctx context.Context, give func()) context.Context {
	return context.WithValue(ctx, yieldKey{}, give)
}

func yieldSlot(ctx context.Context) {
	if give, ok := ctx.Value(yieldKey{}).(func()); ok {
		give()
	}
}
