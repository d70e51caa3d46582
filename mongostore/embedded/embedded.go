// Package embedded runs FerretDB in-process with its SQLite backend, so
// mongostore can be tested without a MongoDB server, and so
// internal/tools/migrateembedded can read a data folder of the versions
// whose embedded database it was. The server does not import it. It listens
// on a Unix socket in a private temporary folder (mode 0700), not on a TCP
// port: FerretDB has no authentication, and a socket only this user can
// reach needs none.
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
	uri     string
	sockDir string
	cancel  context.CancelFunc
	done    chan error
	unlock  func()
}

// Start starts FerretDB with its SQLite files under dir (created if
// missing), locked for this process (ErrInUse when another has it),
// listening on a Unix socket in a new private folder (removed by Close),
// and returns once it answers a ping. FerretDB's own log records below error level are
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

	// A short path: a socket's path is limited to about 100 bytes.
	sockDir, err := os.MkdirTemp("", "stillroom-ferretdb-")
	if err != nil {
		unlock()
		return nil, fmt.Errorf("embedded: %w", err)
	}
	if err := os.Chmod(sockDir, 0o700); err != nil {
		unlock()
		os.RemoveAll(sockDir)
		return nil, fmt.Errorf("embedded: %w", err)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: filepath.Join(sockDir, "mongodb.sock")},
		Logger:    slog.New(minLevel{h: logger.Handler(), min: slog.LevelError}).With("component", "ferretdb"),
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		unlock()
		os.RemoveAll(sockDir)
		return nil, fmt.Errorf("embedded: start ferretdb: %w", err)
	}

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Server{cancel: cancel, done: make(chan error, 1), unlock: unlock, sockDir: sockDir}
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
// "mongodb://%2Ftmp%2Fstillroom-ferretdb-123%2Fmongodb.sock/".
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
	os.RemoveAll(s.sockDir)
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
