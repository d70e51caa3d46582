package graph

import (
	"context"
	"time"
)

// SessionCookies sets and clears the browser session cookie of the HTTP
// request being answered. The HTTP edge puts one in the context of every
// request that can carry Set-Cookie (not websocket operations).
type SessionCookies interface {
	Set(token string, expires time.Time)
	Clear()
}

type cookiesKey struct{}

// WithSessionCookies returns ctx carrying c for the login and logout
// resolvers.
func WithSessionCookies(ctx context.Context, c SessionCookies) context.Context {
	return context.WithValue(ctx, cookiesKey{}, c)
}

func sessionCookiesFrom(ctx context.Context) SessionCookies {
	c, _ := ctx.Value(cookiesKey{}).(SessionCookies)
	return c
}
