// Package embedded runs FerretDB in-process with its SQLite backend, so
// Stillroom can speak the MongoDB wire protocol without a MongoDB server:
// for tests, demos and single-machine installs.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// startTimeout bounds how long Start waits for the server to answer a ping.
const startTimeout = 30 * time.Second

// ErrInUse is returned by Start when another process runs on the folder.
var ErrInUse = errors.New("the embedded database folder is in use by another Stillroom process (stop it first)")

// Server is a running in-process FerretDB. Close stops it.
type Server struct {
	uri    string
	cancel context.CancelFunc
	done   chan error
	unlock func()
}

// Start starts FerretDB with its SQLite files under dir (created if
// missing), locked for this process (ErrInUse when another has it), listening on a free port of 127.0.0.1, and returns once it
// answers a ping. FerretDB's own log records below error level are
// dropped; the rest go to logger (nil discards them). The server runs until
// Close, even if ctx is canceled later; ctx only bounds the start.
func Start(ctx context.Context, dir string, logger *slog.Logger) (*Server, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	unlock, err := lockFolder(abs)
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// FerretDB parses the SQLite URI as a URL; building it as one keeps
	// unusual characters in dir intact. The trailing slash marks a directory.
	sqliteURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs) + "/"}).String()

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Logger:    slog.New(minLevel{h: logger.Handler(), min: slog.LevelError}).With("component", "ferretdb"),
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		unlock()
		return nil, fmt.Errorf("embedded: start ferretdb: %w", err)
	}

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Server{cancel: cancel, done: make(chan error, 1), unlock: unlock}
	go func() { s.done <- f.Run(runCtx) }()
	// New has already bound the listener, so this does not block.
	s.uri = f.MongoDBURI()

	if err := s.waitReady(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// waitReady pings the server until it answers. The listener accepts
// connections as soon as it is bound; the ping proves the handler and its
// SQLite backend answer too.
func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	client, err := mongo.Connect(options.Client().ApplyURI(s.uri).SetServerSelectionTimeout(startTimeout))
	if err != nil {
		return fmt.Errorf("embedded: connect: %w", err)
	}
	defer func() { _ = client.Disconnect(context.WithoutCancel(ctx)) }()
	if err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "ping", Value: 1}}).Err(); err != nil {
		return fmt.Errorf("embedded: ping ferretdb at %s: %w", s.uri, err)
	}
	return nil
}

// URI returns the MongoDB connection string of the server, such as
// "mongodb://127.0.0.1:41234/".
func (s *Server) URI() string { return s.uri }

// Close stops the server, closing its connections and SQLite files, and
// waits until it has stopped. Calling it again returns nil.
func (s *Server) Close() error {
	s.cancel()
	err, ok := <-s.done
	if !ok {
		return nil
	}
	close(s.done)
	s.unlock()
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("embedded: ferretdb: %w", err)
	}
	return nil
}

// minLevel is a slog.Handler that drops records below min. FerretDB logs
// every connection at info level and dumps every failed command at warning
// level, including expected ones such as duplicate keys and the driver's
// endSessions (which FerretDB does not implement); that would drown an
// application's own log.
type minLevel struct {
	h   slog.Handler
	min slog.Level
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.min && m.h.Enabled(ctx, l)
}

func (m minLevel) Handle(ctx context.Context, r slog.Record) error { return m.h.Handle(ctx, r) }

func (m minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{h: m.h.WithAttrs(as), min: m.min}
}

func (m minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h: m.h.WithGroup(name), min: m.min}
}
