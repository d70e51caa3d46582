package main

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
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/graph"
)

// newGraphQL builds the GraphQL handler with explicit transports.
func newGraphQL(svc *app.Service, cfg config, log *slog.Logger) http.Handler {
	srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{App: svc}}))
	srv.AddTransport(transport.Websocket{
		KeepAlivePingInterval: 10 * time.Second,
		InitFunc: func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			return websocketAuth(ctx, svc, p)
		},
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.AddTransport(transport.MultipartForm{MaxUploadSize: cfg.MaxBodyBytes, MaxMemory: multipartMemory})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if cfg.Env != "production" {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	// A fresh loader per operation batches nested loads and never serves
	// one operation's reads to another.
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(app.WithLoader(ctx))
	})
	srv.SetErrorPresenter(func(ctx context.Context, err error) *gqlerror.Error {
		return presentError(ctx, log, err)
	})
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		log.Error("resolver panic", "panic", p)
		return core.Errorf(core.CodeInternal, "internal error")
	})
	return srv
}

// presentError gives every error an extensions.code; internal errors are
// logged here, once, and shown only as "internal error".
func presentError(ctx context.Context, log *slog.Logger, err error) *gqlerror.Error {
	gerr := graphql.DefaultErrorPresenter(ctx, err)
	var ce *core.Error
	if errors.As(err, &ce) {
		if ce.Code == core.CodeInternal {
			log.Error("graphql", "path", gerr.Path.String(), "err", err)
		}
		gerr.Message = core.ErrorMessage(err)
		setCode(gerr, ce.Code)
		return gerr
	}
	if gerr.Extensions != nil && gerr.Extensions["code"] != nil {
		return gerr // parse and validation errors from the executor
	}
	var ge *gqlerror.Error
	if errors.As(err, &ge) && ge.Path == nil && ge.Rule != "" {
		return gerr
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		log.Warn("graphql", "path", gerr.Path.String(), "err", err)
	} else {
		log.Error("graphql", "path", gerr.Path.String(), "err", err)
	}
	gerr.Message = "internal error"
	setCode(gerr, core.CodeInternal)
	return gerr
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
	if h == "" {
		return ctx, &p, nil
	}
	u, hash, err := svc.Authenticate(ctx, strings.TrimSpace(strings.TrimPrefix(h, "Bearer ")))
	if err != nil {
		return ctx, nil, err
	}
	return app.WithUser(ctx, u, hash), &p, nil
}
