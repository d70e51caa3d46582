package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
)

// The browser edge: which pages on other origins may use the API, one
// policy for CORS, the websocket's origin check and the session cookie.
//
// An origin is allowed when it is listed in STILLROOM_CORS_ORIGINS (exact
// origins: scheme, host, port) or, in development only, any
// http://localhost:* or http://127.0.0.1:* page. Allowed origins get CORS
// answers with credentials on /graphql, /media, /originals and /uploads,
// may open the subscription websocket, and may use the session cookie.
// Requests from any other origin are answered without CORS headers (the
// browser keeps the answer from the page), their websocket upgrade is 403,
// and their cookie is ignored. Requests without an Origin header (curl,
// servers, plain <img>) and same-origin ones are not affected.

// corsPaths are the path prefixes answered with CORS headers, and the
// methods a preflight may ask for on each.
var corsPaths = []struct {
	prefix  string
	methods string
}{
	{"/graphql", "GET, POST, OPTIONS"},
	{"/media/", "GET, HEAD, OPTIONS"},
	{"/originals/", "GET, HEAD, OPTIONS"},
	{"/uploads/", "PUT, OPTIONS"},
}

// corsAllowHeaders are the request headers a page may send.
const corsAllowHeaders = "Authorization, Content-Type, GraphQL-Preflight, Apollo-Require-Preflight, Range, If-None-Match, If-Modified-Since, If-Range, X-Request-Id"

// corsExposeHeaders are the response headers a page may read.
const corsExposeHeaders = "ETag, Content-Length, Content-Range, Accept-Ranges, X-Request-Id, Retry-After"

// varyOrigin is the Vary header of the answers on corsPaths.
var varyOrigin = []string{"Origin"}

// corsMaxAge is how long a browser may remember a preflight's answer.
const corsMaxAge = 600

// originPolicy decides which origins are allowed (see above).
type originPolicy struct {
	self     string          // the public URL's origin
	listed   map[string]bool // STILLROOM_CORS_ORIGINS
	localDev bool            // development: http://localhost:*, http://127.0.0.1:*
}

// ParseOrigins checks STILLROOM_CORS_ORIGINS: comma-separated exact
// origins such as https://www.example.com or http://localhost:5173.
func ParseOrigins(v string) ([]string, error) {
	var out []string
	var errs []error
	for _, o := range strings.Split(v, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		n, ok := normalOrigin(strings.TrimRight(o, "/"))
		if !ok {
			errs = append(errs, fmt.Errorf("STILLROOM_CORS_ORIGINS: %q is not an origin such as https://www.example.com (scheme and host, no path, no wildcard)", o))
			continue
		}
		out = append(out, n)
	}
	return out, errors.Join(errs...)
}

// normalOrigin returns origin in the form browsers send in Origin
// (lowercase scheme and host, no default port), and whether it is one.
func normalOrigin(origin string) (string, bool) {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || u.Opaque != "" || strings.Contains(u.Host, "*") {
		return "", false
	}
	host := strings.ToLower(u.Host)
	if p := u.Port(); (u.Scheme == "http" && p == "80") || (u.Scheme == "https" && p == "443") {
		host = strings.ToLower(u.Hostname())
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
	}
	return u.Scheme + "://" + host, true
}

func newOriginPolicy(cfg Config) originPolicy {
	p := originPolicy{listed: map[string]bool{}, localDev: !cfg.Production}
	for _, o := range cfg.CORSOrigins {
		p.listed[o] = true
	}
	if u, err := url.Parse(cfg.PublicURL); err == nil {
		p.self, _ = normalOrigin(u.Scheme + "://" + u.Host)
	}
	return p
}

// crossAllowed reports whether a page on origin (another origin than the
// server's) may use the API.
func (p originPolicy) crossAllowed(origin string) bool {
	n, ok := normalOrigin(origin)
	if !ok {
		return false // "null" (sandboxed frames, files) among others
	}
	if p.listed[n] {
		return true
	}
	if p.localDev && strings.HasPrefix(n, "http://") {
		u, _ := url.Parse(n)
		h := u.Hostname()
		return h == "localhost" || h == "127.0.0.1"
	}
	return false
}

// sameOrigin reports whether origin is the server's own: its public URL's
// origin, or the host the request was sent to (a browser names in Origin
// the page's origin, and in Host the server it is talking to).
func (p originPolicy) sameOrigin(origin string, r *http.Request) bool {
	n, ok := normalOrigin(origin)
	if !ok {
		return false
	}
	if n == p.self {
		return true
	}
	u, _ := url.Parse(n)
	return strings.EqualFold(u.Host, r.Host)
}

// allowed reports whether r comes from no page (no Origin header), from
// the server's own origin or from an allowed one.
func (p originPolicy) allowed(r *http.Request) bool {
	o := r.Header.Get("Origin")
	return o == "" || p.sameOrigin(o, r) || p.crossAllowed(o)
}

// corsMethods returns the methods allowed on path, or "" when the path
// has no CORS answers.
func corsMethods(path string) string {
	for _, c := range corsPaths {
		if strings.HasPrefix(path, c.prefix) {
			return c.methods
		}
	}
	return ""
}

// wrap answers preflights and adds CORS headers for allowed origins, and
// drops the session cookie of requests from origins that are not.
func (p originPolicy) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		methods := corsMethods(r.URL.Path)
		if methods != "" {
			// The answer depends on Origin: caches must keep them apart.
			h := w.Header()
			if v := h["Vary"]; len(v) == 0 {
				h["Vary"] = varyOrigin // shared: see respcache.go
			} else {
				h["Vary"] = append(v, "Origin")
			}
		}
		if origin == "" || p.sameOrigin(origin, r) {
			next.ServeHTTP(w, r)
			return
		}
		if !p.crossAllowed(origin) {
			// A stranger's page: no CORS headers, and none of the
			// visitor's cookies count.
			r.Header.Del("Cookie")
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				http.Error(w, "origin not allowed", http.StatusForbidden)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if methods == "" {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			want := r.Header.Get("Access-Control-Request-Method")
			if !slices.Contains(strings.Split(methods, ", "), want) {
				http.Error(w, "method not allowed here", http.StatusForbidden)
				return
			}
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			h.Set("Access-Control-Allow-Methods", methods)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", strconv.Itoa(corsMaxAge))
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		next.ServeHTTP(w, r)
	})
}

// originCheckedWebsocket accepts a subscription websocket only from the
// pages the policy allows (coder/websocket's own check, same host only,
// is replaced by it): 403 for the rest.
type originCheckedWebsocket struct {
	policy originPolicy
	inner  transport.CoderWebsocketImplementation
}

func newOriginCheckedWebsocket(p originPolicy) originCheckedWebsocket {
	return originCheckedWebsocket{policy: p, inner: transport.CoderWebsocketImplementation{
		AcceptOptions: coderws.AcceptOptions{InsecureSkipVerify: true}, // checked here instead
	}}
}

func (ws originCheckedWebsocket) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	if !ws.policy.allowed(r) {
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return nil, fmt.Errorf("websocket from origin %q refused", r.Header.Get("Origin"))
	}
	conn, err := ws.inner.Accept(w, r, opts)
	if err != nil {
		return nil, err
	}
	return bound(r, conn), nil
}
