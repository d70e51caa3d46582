package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/stillroom/stillroom/app"
)

// shutdownGrace is how long in-flight requests get to finish on stop.
const shutdownGrace = 15 * time.Second

// serve runs the server until ctx ends. When ready is not nil it receives
// the listening address once requests are accepted.
func serve(ctx context.Context, cfg config, stdout io.Writer, ready chan<- string) error {
	log := newLogger(cfg, stdout)
	st, err := openStores(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.close()

	svc := app.New(st.meta, st.objects, log, cfg.appConfig())
	boot, err := svc.Bootstrap(ctx, cfg.AdminEmail, cfg.AdminPassword)
	if err != nil {
		return fmt.Errorf("admin bootstrap: %w", err)
	}
	logBootstrap(log, boot, cfg)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           newHandler(svc, cfg, log),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		svc.RunWorkers(workCtx)
	}()

	addr := ln.Addr().String()
	log.Info("serving", "graphql", "http://"+addr+"/graphql", "media", st.objectsDesc, "database", st.metaDesc)
	if ready != nil {
		ready <- addr
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err = <-errc:
	case <-ctx.Done():
		log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		err = srv.Shutdown(sctx)
		cancel()
	}
	stopWork()
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func newLogger(cfg config, w io.Writer) *slog.Logger {
	if cfg.Env == "production" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

func logBootstrap(log *slog.Logger, b app.BootstrapResult, cfg config) {
	switch {
	case b.GeneratedPassword != "":
		log.Warn("created the first admin with a generated password; it is shown only this once",
			"email", b.Email, "password", b.GeneratedPassword)
	case b.Created:
		log.Info("created admin from STILLROOM_ADMIN_EMAIL", "email", b.Email)
	case cfg.AdminEmail != "":
		log.Info("admin from STILLROOM_ADMIN_EMAIL already exists", "email", b.Email)
	default:
		log.Info("users exist; sign in with an existing account (set STILLROOM_ADMIN_EMAIL and STILLROOM_ADMIN_PASSWORD to add an admin)")
	}
}
