package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/graph"
	"github.com/stillroom/stillroom/httpapi/gqllimits"
)

// newGraphQL builds the GraphQL handler with explicit transports and the
// default request limits.
func newGraphQL(svc *app.Service, cfg Config, log *slog.Logger) http.Handler {
	return newGraphQLWith(svc, cfg, log, gqllimits.Defaults())
}

// graphqlExtensions are the extensions of the GraphQL handler, in order.
// None may be a graphql.FieldInterceptor, and the handler has no
// AroundFields: the generated executor marshals plain fields without
// calling field middleware (see internal/tools/gqlgenpost).
// docs is the handler's query cache, which the limits fill.
func graphqlExtensions(production bool, lim gqllimits.Limits, docs graphql.Cache[*ast.QueryDocument]) []graphql.HandlerExtension {
	var es []graphql.HandlerExtension
	if !production {
		es = append(es, extension.Introspection{})
	}
	return append(es,
		// Before the other operation interceptors, so it times and counts
		// every operation, refused ones too.
		graphqlMetrics{},
		// Before APQ, which keeps the texts it is sent.
		gqllimits.QueryBytes(lim.MaxQueryBytes),
		extension.AutomaticPersistedQuery{Cache: gqllimits.NewPersistedQueryCache(gqllimits.DefaultPersistedQueryBytes)},
		// After APQ, so a query sent by its hash is checked too.
		gqllimits.New(lim, docs),
	)
}

// newGraphQLWith builds the GraphQL handler with the limits lim (see
// package gqllimits): each is enforced before any resolver runs.
func newGraphQLWith(svc *app.Service, cfg Config, log *slog.Logger, lim gqllimits.Limits) *handler.Server {
	production := cfg.Production
	srv := handler.New(graph.NewExecutableSchema(graph.Config{
		Resolvers:  &graph.Resolver{App: svc},
		Complexity: gqllimits.ComplexityRoot(),
	}))
	srv.AddTransport(boundedWebsocket{addrs: &wsAddresses{}, Websocket: transport.Websocket{
		Implementation:        newOriginCheckedWebsocket(newOriginPolicy(cfg)),
		KeepAlivePingInterval: 10 * time.Second, // the older graphql-ws protocol
		PingPongInterval:      wsPingInterval,   // graphql-transport-ws
		InitTimeout:           wsInitTimeout,
		InitFunc: func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			return websocketAuth(ctx, svc, p)
		},
	}})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(jsonPOST{})
	srv.AddTransport(multipartUploads{
		MaxFiles:        lim.MaxUploadFiles,
		MaxPathsPerFile: lim.MaxPathsPerFile,
		MaxFileBytes:    cfg.MaxUploadBytes,
		MaxBodyBytes:    cfg.MaxBodyBytes,
		Budget:          newUploadBudget(cfg.UploadBytesInFlight),
	})
	docs := gqllimits.NewQueryCache(gqllimits.DefaultQueryCacheBytes)
	srv.SetQueryCache(docs)
	// gqllimits parses new queries with this limit; the executor parses
	// again only a query that failed validation.
	srv.SetParserTokenLimit(lim.MaxTokens)
	if production {
		srv.SetDisableSuggestion(true)
	}
	for _, e := range graphqlExtensions(production, lim, docs) {
		srv.Use(e)
	}
	srv.AroundOperations(checkWebsocketSession(svc))
	srv.AroundOperations(boundWebsocketOperations)
	srv.AroundOperations(gqllimits.OperationTimeout(lim.Timeout))
	// A fresh loader per response batches nested loads and never serves
	// one response's reads to another: a query or mutation has one
	// response, a subscription one per event, so each event of
	// galleryChanged shows its assets as they are now, not as the first
	// event loaded them.
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		return next(app.WithLoader(ctx))
	})
	p := presenter{log: log, production: production, timeout: lim.Timeout}
	srv.SetErrorPresenter(p.present)
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		log.Error("resolver panic", "panic", p)
		return core.Errorf(core.CodeInternal, "internal error")
	})
	return srv
}

// presenter gives every error an extensions.code; internal errors are
// logged here, once, and shown only as "internal error". In production,
// validation errors lose their "Did you mean" suggestions, which would
// otherwise reveal the schema that introspection hides.
type presenter struct {
	log        *slog.Logger
	production bool
	timeout    time.Duration
}

func (p presenter) present(ctx context.Context, err error) *gqlerror.Error {
	gerr := graphql.DefaultErrorPresenter(ctx, err)
	var ce *core.Error
	if errors.As(err, &ce) && ce.Code != core.CodeInternal {
		gerr.Message = core.ErrorMessage(err)
		setCode(gerr, ce.Code)
		if len(ce.Problems) > 0 {
			gerr.Extensions["problems"] = ce.Problems
		}
		return gerr
	}
	var ge *gqlerror.Error
	if ce == nil && errors.As(err, &ge) && (ge.Path == nil || gerr.Extensions["code"] != nil) {
		// An error of the request rather than of a resolver (which
		// always has a path): parse, validation, limits, persisted
		// queries, transport. Its message is written for the client.
		p.stripSuggestions(gerr)
		if gerr.Extensions["code"] == nil {
			setCode(gerr, core.CodeBadUserInput)
		}
		return gerr
	}
	if ce == nil && isIntrospectionRefusal(ctx, err) {
		// Not a failure of the server: a client asked for what production
		// does not answer. Logged below WARN so nobody can fill the error
		// log with it.
		p.log.Debug("graphql: introspection refused", "path", gerr.Path.String())
		gerr.Message = "introspection is disabled on this server"
		setCode(gerr, core.CodeForbidden)
		return gerr
	}
	if ce == nil && ge != nil && isArgumentError(ctx, ge) {
		// A value gqlgen could not read into an argument, such as a
		// Time that is not RFC 3339: the client's mistake.
		setCode(gerr, core.CodeBadUserInput)
		return gerr
	}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		p.log.Warn("graphql: operation timed out", "path", gerr.Path.String(), "err", err)
		gerr.Message = gqllimits.TimeoutError(p.timeout).Message
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		p.log.Warn("graphql", "path", gerr.Path.String(), "err", err)
		gerr.Message = "internal error"
	default:
		p.log.Error("graphql", "path", gerr.Path.String(), "err", err)
		gerr.Message = "internal error"
	}
	setCode(gerr, core.CodeInternal)
	return gerr
}

// isIntrospectionRefusal reports whether err is gqlgen's refusal of
// __schema or __type while introspection is off (a plain error, so it is
// recognised by its field and text).
func isIntrospectionRefusal(ctx context.Context, err error) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return false
	}
	name := fc.Field.Name
	return (name == "__schema" || name == "__type") && strings.Contains(err.Error(), "introspection disabled")
}

// isArgumentError reports whether e was raised reading the arguments of
// the field being resolved: its path runs past that field's, into the
// argument (a resolver's own errors carry the field's path exactly).
func isArgumentError(ctx context.Context, e *gqlerror.Error) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return false
	}
	fp := fc.Path()
	if len(e.Path) <= len(fp) {
		return false
	}
	for i := range fp {
		if e.Path[i] != fp[i] {
			return false
		}
	}
	return true
}

// stripSuggestions cuts gqlparser's " Did you mean ...?" tail, which its
// rules always append at the end of the message, in production.
func (p presenter) stripSuggestions(e *gqlerror.Error) {
	if !p.production {
		return
	}
	if i := strings.Index(e.Message, " Did you mean "); i >= 0 {
		e.Message = e.Message[:i]
	}
}

func setCode(e *gqlerror.Error, code core.Code) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = string(code)
}

// websocketAuth authenticates a subscription connection from its
// connection_init payload: {"Authorization": "Bearer <token>"}.
func websocketAuth(ctx context.Context, svc *app.Service, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	h := p.Authorization()
	if h == "" {
		if v, ok := p["authorization"].(string); ok {
			h = v
		}
	}
	if h != "" {
		u, hash, err := svc.Authenticate(ctx, strings.TrimSpace(strings.TrimPrefix(h, "Bearer ")))
		if err != nil {
			return ctx, nil, err
		}
		ctx = app.WithUser(ctx, u, hash)
	}
	// The connection (signed in by the payload or by the upgrade's
	// cookie) lives only as long as its session: it is closed when the
	// session ends, and each operation checks the session again
	// (checkWebsocketSession). The ack carries no payload: echoing the
	// init payload would send the token back.
	return context.WithValue(svc.BindSession(ctx), websocketKey{}, &wsState{}), nil, nil
}

type websocketKey struct{}

// checkWebsocketSession refuses an operation sent over a websocket whose
// session has ended (signed out, expired, revoked, role changed or user
// disabled, here or in another process), before it runs.
func checkWebsocketSession(svc *app.Service) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if ctx.Value(websocketKey{}) == nil {
			return next(ctx)
		}
		if err := svc.CheckSession(ctx); err != nil {
			return refuse(err)
		}
		return next(ctx)
	}
}
