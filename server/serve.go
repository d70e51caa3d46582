package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/httpapi"
	"github.com/stillroom/stillroom/internal/memtune"
)

// Shutdown deadlines. On stop the server stops accepting at once, gives
// in-flight requests shutdownGrace to finish, then cuts what remains and
// gives the cut handlers handlersStopGrace to return (an upload cut while
// it stored its original removes it again) before the stores close.
// Workers stop last: a job they are running is released to the queue; a
// worker that has not returned within workersStopGrace leaves its job to
// be taken again when its lease expires. The sum stays under the 30 s
// most orchestrators wait between SIGTERM and SIGKILL.
var shutdownGrace = 15 * time.Second // a variable only so tests can shorten it

const (
	handlersStopGrace = 5 * time.Second
	workersStopGrace  = 5 * time.Second
)

// serve runs the server until ctx ends. When ready is not nil it receives
// the listening address once requests are accepted.
func serve(ctx context.Context, cfg config, stdout io.Writer, ready chan<- string) error {
	log, closeLog := bufferedLogger(cfg, stdout)
	defer closeLog()
	// The address first: a port in use must fail the start before
	// anything is created (the first admin's one-time password included).
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	addr := ln.Addr().String()
	cfg.PublicURL = cfg.publicURL(addr)
	if cfg.tuneRuntime {
		memtune.Apply(cfg.MemoryBudget, os.Getenv, log)
	}
	st, err := openStores(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.close()

	var svc *app.Service
	obs := httpapi.NewObservability(log, st.meta.Ping, st.objects.Ping,
		func(ctx context.Context) (int64, time.Duration, error) { return svc.QueueStats(ctx) })
	appCfg := cfg.appConfig()
	appCfg.Observer = obs.Observer()
	svc = app.New(st.meta, st.objects, log, appCfg)
	boot, err := svc.Bootstrap(ctx, cfg.AdminEmail, cfg.AdminPassword)
	if err != nil {
		return fmt.Errorf("admin bootstrap: %w", err)
	}
	logBootstrap(log, boot, cfg)

	// Requests run under base, not ctx: stopping must let them finish.
	// base ends when the grace period is over, and as soon as the plain
	// requests are done for hijacked connections (subscriptions), which
	// http.Server.Shutdown does not wait for.
	base, endRequests := context.WithCancel(context.WithoutCancel(ctx))
	defer endRequests()
	srv := &http.Server{
		Handler:           httpapi.New(svc, cfg.httpConfig(), log, obs),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return base },
	}

	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	workersDone := make(chan struct{})
	go func() {
		defer close(workersDone)
		svc.RunWorkers(workCtx)
	}()

	if cfg.demo {
		// Before the first request is answered: readers find it there.
		if err := seedDemoWith(ctx, svc, cfg.PublicURL, log); err != nil {
			stopWork()
			<-workersDone
			return err
		}
	}
	if cfg.DebugAddr != "" {
		startDebug(ctx, cfg.DebugAddr, log)
	}
	logServing(log, cfg, addr, st)
	if ready != nil {
		ready <- addr
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	select {
	case err = <-errc:
		log.Error("server failed; stopping", "err", err)
	case <-ctx.Done():
	}
	stopHTTP(srv, endRequests, obs, log)
	stopWork()
	select {
	case <-workersDone:
	case <-time.After(workersStopGrace):
		log.Warn("workers did not stop in time; their jobs are taken again when their leases expire", "after", workersStopGrace)
	}
	log.Info("stopped")
	return err
}

// stopHTTP stops accepting, waits up to shutdownGrace for in-flight
// requests, then cuts the rest and waits up to handlersStopGrace for their
// handlers to return.
func stopHTTP(srv *http.Server, endRequests context.CancelFunc, obs *httpapi.Observability, log *slog.Logger) {
	log.Info("shutting down: no new connections; waiting for requests in flight", "in_flight", obs.InFlight(), "grace", shutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := srv.Shutdown(sctx)
	endRequests()
	if err != nil {
		log.Warn("grace period over; cutting the requests still in flight", "in_flight", obs.InFlight())
		srv.Close()
	}
	if !obs.WaitIdle(handlersStopGrace) {
		log.Warn("requests still running after shutdown", "in_flight", obs.InFlight())
	}
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
