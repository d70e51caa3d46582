package httpapi

import (
	"context"
	"mime"
	"net/http"
	"time"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/graph"
)

// Browser sessions (the desk): login(cookie: true) puts the session token in
// an HttpOnly, SameSite=Strict cookie that page scripts cannot read. In
// production the cookie is Secure and named with the __Host- prefix, so
// only this origin over HTTPS can set or read it; in development (plain
// http on localhost) it is neither.
//
// The cookie is honoured only on requests another site cannot forge
// without a CORS preflight: GET and HEAD (queries, media, originals, the
// websocket upgrade, whose origin the websocket library checks), JSON POSTs
// and multipart POSTs carrying a preflight header. A form post from another
// site is read as anonymous, whatever cookies it carries.
const (
	cookieNameDev  = "stillroom_session"
	cookieNameProd = "__Host-stillroom_session"
)

// sessionCookieName is the cookie's name in the given environment.
func sessionCookieName(production bool) string {
	if production {
		return cookieNameProd
	}
	return cookieNameDev
}

// cookieUsable reports whether r may be authenticated by its cookie.
func cookieUsable(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return true
	case http.MethodPost:
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		switch mt {
		case "application/json":
			return true
		case "multipart/form-data":
			return r.Header.Get("GraphQL-Preflight") != "" || r.Header.Get("Apollo-Require-Preflight") != ""
		}
	}
	return false
}

// cookieJar sets and clears the session cookie on one response.
type cookieJar struct {
	w          http.ResponseWriter
	production bool
}

var _ graph.SessionCookies = cookieJar{}

func (j cookieJar) cookie(value string, maxAge int, expires time.Time) *http.Cookie {
	return &http.Cookie{
		Name: sessionCookieName(j.production), Value: value, Path: "/",
		Expires: expires, MaxAge: maxAge,
		HttpOnly: true, Secure: j.production, SameSite: http.SameSiteStrictMode,
	}
}

func (j cookieJar) Set(token string, expires time.Time) {
	http.SetCookie(j.w, j.cookie(token, max(1, int(time.Until(expires).Seconds())), expires))
}

func (j cookieJar) Clear() {
	http.SetCookie(j.w, j.cookie("", -1, time.Unix(0, 0)))
}

// userFromCookie authenticates r by its session cookie. A cookie that names
// no live session (expired, signed out, the account disabled) is cleared by
// the GraphQL POST that is told why.
// On a GraphQL POST (the desk's own calls) that is an UNAUTHENTICATED
// answer saying why, so an open desk tells its user at their next action
// (the cookie is gone by then, so signing in again just works);
// anywhere else (images, original links, GET queries) the request goes on
// as anonymous: a public image must not fail because of a stale cookie.
func userFromCookie(ctx context.Context, svc *app.Service, w http.ResponseWriter, r *http.Request, production bool) (context.Context, error) {
	c, err := r.Cookie(sessionCookieName(production))
	if err != nil || c.Value == "" || !cookieUsable(r) {
		return ctx, nil
	}
	u, hash, err := svc.Authenticate(ctx, c.Value)
	if core.IsCode(err, core.CodeUnauthenticated) {
		// Cleared only where the reason is told: a websocket reconnecting
		// after its session ended must leave the cookie for the desk's
		// next POST, which learns why.
		if r.Method == http.MethodPost && r.URL.Path == "/graphql" {
			cookieJar{w: w, production: production}.Clear()
			return ctx, err
		}
		return ctx, nil
	}
	if err != nil {
		return ctx, err
	}
	return app.WithUser(ctx, u, hash), nil
}
