package app

import (
	"context"

	"github.com/stillroom/stillroom/core"
)

type actorKey struct{}

// actor is who is calling: a signed-in user and the hash of the token
// they signed in with, or nobody.
type actor struct {
	user      *core.User
	tokenHash string
}

// WithUser returns ctx carrying the signed-in user and their token hash.
func WithUser(ctx context.Context, u *core.User, tokenHash string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor{user: u, tokenHash: tokenHash})
}

// UserFrom returns the signed-in user, or nil for anonymous callers.
func UserFrom(ctx context.Context) *core.User {
	a, _ := ctx.Value(actorKey{}).(actor)
	return a.user
}

func tokenHashFrom(ctx context.Context) string {
	a, _ := ctx.Value(actorKey{}).(actor)
	return a.tokenHash
}

// require returns the caller when they have at least role min:
// UNAUTHENTICATED for anonymous callers, FORBIDDEN for too small a role.
func require(ctx context.Context, min core.Role) (*core.User, error) {
	u := UserFrom(ctx)
	if u == nil {
		return nil, core.Errorf(core.CodeUnauthenticated, "sign in first")
	}
	if !u.Role.AtLeast(min) {
		return nil, core.Errorf(core.CodeForbidden, "%s role required", min)
	}
	return u, nil
}

// CanSeeDrafts reports whether the caller may read unpublished galleries
// and articles: editors and admins.
func CanSeeDrafts(ctx context.Context) bool {
	u := UserFrom(ctx)
	return u != nil && u.Role.AtLeast(core.RoleEditor)
}

// CanSeePrivate reports whether the caller may read the library and the
// private fields of assets (location, originalUrl, uploadedBy):
// any signed-in user.
func CanSeePrivate(ctx context.Context) bool {
	return UserFrom(ctx) != nil
}
