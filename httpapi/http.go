package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/desk"
	"github.com/stillroom/stillroom/graph"
	"github.com/stillroom/stillroom/graphiql"
)

// New routes every endpoint of the server. obs wraps them all:
// request ids, one log line and metrics per request.
func New(svc *app.Service, cfg Config, log *slog.Logger, obs *Observability) http.Handler {
	mux := http.NewServeMux()
	gql := newGraphQL(svc, cfg, log)
	adm := newAdmission(cfg.OperationSlots, cfg.OperationQueue, cfg.OperationQueueWait)
	cache := newResponseCache(svc, cfg.ResponseCacheBytes)
	obs.metrics.watchResponseCache(cache)
	mux.Handle("/graphql", privateAnswers(cache.wrap(requirePreflight(limitBody(adm.wrap(gql), cfg.MaxBodyBytes)))))
	mux.Handle("GET /media/{asset}/{rendition}", mediaHandler(svc, log))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.Handle("GET /readyz", obs.readiness())
	mux.Handle("GET /metrics", obs.metrics.handler())
	mux.Handle("GET /originals/{asset}", originalHandler(svc, log))
	mux.Handle("PUT /uploads/{ticket}", uploadHandler(svc, log))
	deskApp := desk.Handler(deskOptions(cfg))
	mux.Handle("GET /desk/", deskApp)
	mux.Handle("HEAD /desk/", deskApp)
	mux.Handle("GET /desk", http.RedirectHandler(desk.Prefix, http.StatusMovedPermanently))
	if !cfg.Production {
		// GraphiQL, a development tool, built into the binary: it loads
		// nothing from outside the server.
		mux.Handle("GET /{$}", graphiql.Handler())
		mux.Handle("GET "+graphiql.Prefix, graphiql.Handler())
	}
	return obs.middleware(mux, paceBodies(cfg.BodyIdle, cfg.BodyMinRate, newOriginPolicy(cfg).wrap(authenticate(svc, log, cfg.Production, cfg.TrustedProxies, noteUser(mux)))))
}

// authenticate puts the caller's address (clientAddress: the sign-in
// limits count it), the session cookie jar and the caller's user into the
// request context: the bearer token's user, else the session cookie's (see
// sessioncookie.go). A bearer token that is present but invalid is refused
// (401), so a client never silently reads as anonymous. An anonymous
// request is copied once.
func authenticate(svc *app.Service, log *slog.Logger, production bool, proxies []netip.Prefix, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := app.WithClientAddr(r.Context(), clientAddress(r, proxies))
		ctx = graph.WithSessionCookies(ctx, cookieJar{w: w, production: production})
		r = r.WithContext(ctx)
		h := r.Header.Get("Authorization")
		if h == "" {
			uctx, err := userFromCookie(ctx, svc, w, r, production)
			if err != nil {
				writeError(w, log, err)
				return
			}
			if uctx != ctx {
				r = r.WithContext(uctx)
			}
			next.ServeHTTP(w, r)
			return
		}
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			writeError(w, log, core.Errorf(core.CodeUnauthenticated, "Authorization must be 'Bearer <token>'"))
			return
		}
		u, hash, err := svc.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			writeError(w, log, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(app.WithUser(r.Context(), u, hash)))
	})
}

// requirePreflight refuses multipart requests without a header that a
// plain HTML form cannot send, so another site cannot post uploads or
// mutations with a visitor's cookies or network position.
func requirePreflight(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if r.Method == http.MethodPost && mt == "multipart/form-data" &&
			r.Header.Get("GraphQL-Preflight") == "" && r.Header.Get("Apollo-Require-Preflight") == "" {
			writeJSONError(w, http.StatusBadRequest, core.CodeBadUserInput,
				"multipart requests need a GraphQL-Preflight or Apollo-Require-Preflight header")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody caps request bodies: JSON requests at MaxJSONBodyBytes,
// multipart ones at max. Too large a body is answered 413 whatever the
// GraphQL transport would have said.
func limitBody(next http.Handler, max int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := int64(MaxJSONBodyBytes)
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
			limit = max
		}
		if r.ContentLength > limit {
			writeJSONError(w, http.StatusRequestEntityTooLarge, core.CodePayloadTooLarge, "request body is too large")
			return
		}
		lb := &limitedBody{ReadCloser: http.MaxBytesReader(w, r.Body, limit)}
		r.Body = lb
		next.ServeHTTP(&tooLargeWriter{ResponseWriter: w, body: lb}, r)
	})
}

type limitedBody struct {
	io.ReadCloser
	over atomic.Bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		b.over.Store(true)
	}
	return n, err
}

// tooLargeWriter replaces the response with a 413 when the body limit was
// hit while the handler read the request.
type tooLargeWriter struct {
	http.ResponseWriter
	body    *limitedBody
	written bool
	dropped bool
}

func (w *tooLargeWriter) WriteHeader(code int) {
	if w.written {
		return
	}
	w.written = true
	if w.body.over.Load() {
		w.dropped = true
		// The handler's answer is replaced: so is any length it declared.
		w.ResponseWriter.Header().Del("Content-Length")
		writeJSONError(w.ResponseWriter, http.StatusRequestEntityTooLarge, core.CodePayloadTooLarge, "request body is too large")
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *tooLargeWriter) Write(p []byte) (int, error) {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	if w.dropped {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

func (w *tooLargeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// httpStatus maps an error code to an HTTP status: the one place it is done.
func httpStatus(code core.Code) int {
	switch code {
	case core.CodeUnauthenticated:
		return http.StatusUnauthorized
	case core.CodeForbidden:
		return http.StatusForbidden
	case core.CodeNotFound:
		return http.StatusNotFound
	case core.CodeBadUserInput, core.CodeQueryTooComplex:
		return http.StatusBadRequest
	case core.CodeConflict:
		return http.StatusConflict
	case core.CodePayloadTooLarge:
		return http.StatusRequestEntityTooLarge
	case core.CodeUnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	case core.CodeTooManyPixels:
		return http.StatusUnprocessableEntity
	case core.CodeNotImplemented:
		return http.StatusNotImplemented
	case core.CodeRateLimited:
		return http.StatusTooManyRequests
	case core.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// writeError answers a non-GraphQL request with err in the GraphQL error
// shape, logging internal errors once.
func writeError(w http.ResponseWriter, log *slog.Logger, err error) {
	code := core.ErrorCode(err)
	if code == core.CodeInternal {
		log.Error("request failed", "err", err)
	}
	writeJSONError(w, httpStatus(code), code, core.ErrorMessage(err))
}

func writeJSONError(w http.ResponseWriter, status int, code core.Code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{"message": msg, "extensions": map[string]any{"code": code}}},
	})
}

// deskOptions tells the desk's Content-Security-Policy which other origins
// it talks to: the S3 endpoint that takes direct uploads and serves
// original downloads, and a CDN serving renditions.
func deskOptions(cfg Config) desk.Options {
	var o desk.Options
	if cfg.ObjectStoreOrigin != "" {
		o.ConnectOrigins = append(o.ConnectOrigins, cfg.ObjectStoreOrigin)
		o.ImageOrigins = append(o.ImageOrigins, cfg.ObjectStoreOrigin)
	}
	if u, err := url.Parse(cfg.PublicMediaURL); err == nil && u.Scheme != "" && u.Host != "" {
		o.ImageOrigins = append(o.ImageOrigins, u.Scheme+"://"+u.Host)
	}
	// URLs the API hands out start with the public URL, which need not be
	// the origin the desk was opened at (localhost against 127.0.0.1).
	if u, err := url.Parse(cfg.PublicURL); err == nil && u.Scheme != "" && u.Host != "" {
		o.ImageOrigins = append(o.ImageOrigins, u.Scheme+"://"+u.Host)
		o.ConnectOrigins = append(o.ConnectOrigins, u.Scheme+"://"+u.Host)
	}
	return o
}

// privateAnswers marks the answers to signed-in callers as private and
// never to be stored (their data depends on who asks), and says so to
// caches in Vary.
func privateAnswers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if app.UserFrom(r.Context()) != nil {
			h := w.Header()
			h.Set("Cache-Control", "private, no-store")
			h.Add("Vary", "Authorization")
			h.Add("Vary", "Cookie")
		}
		next.ServeHTTP(w, r)
	})
}
