// Package mongotest gives tests a mongostore.DB on a database of their own:
// on the MongoDB named by $STILLROOM_TEST_MONGODB_URI when it is set, else
// on an embedded FerretDB started once per test binary.
//
//	func TestMain(m *testing.M) { mongotest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		db := mongotest.Open(t, mongostore.Config{})
//		...
//	}
package mongotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stillroom/stillroom/mongostore"
	"github.com/stillroom/stillroom/mongostore/embedded"
)

// EnvURI names the environment variable that points tests at a real
// MongoDB instead of the embedded server.
const EnvURI = "STILLROOM_TEST_MONGODB_URI"

// timeout bounds starting, opening and dropping.
const timeout = 2 * time.Minute

// uri is the shared server's URI, set by Main.
var uri string

// Main runs the tests of m against a shared server and exits with their
// status. Call it from TestMain. It starts an embedded FerretDB in a
// temporary directory unless EnvURI is set, and removes both afterwards.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if uri = os.Getenv(EnvURI); uri != "" {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "stillroom-mongotest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "mongotest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	srv, err := embedded.Start(ctx, dir, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "mongotest:", err)
		return 1
	}
	defer srv.Close()
	uri = srv.URI()
	return m.Run()
}

// URI returns the shared server's URI. Main must be running.
func URI(tb testing.TB) string {
	tb.Helper()
	if uri == "" {
		tb.Fatal("mongotest: call mongotest.Main from TestMain")
	}
	return uri
}

// Open opens a store on a new database named after tb (or on
// cfg.Database, when set), and drops the database and closes the store in
// tb.Cleanup. cfg's URI is filled in; its other fields (such as a Monitor) are used as given.
func Open(tb testing.TB, cfg mongostore.Config) *mongostore.DB {
	tb.Helper()
	cfg.URI = URI(tb)
	if cfg.Database == "" {
		cfg.Database = DatabaseName(tb)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	db, err := mongostore.Open(ctx, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if err := db.DropDatabase(ctx); err != nil {
			tb.Error(err)
		}
		if err := db.Close(ctx); err != nil {
			tb.Error(err)
		}
	})
	return db
}

// DatabaseName returns a new database name that says which test it is for:
// at most 63 characters of [a-z0-9_], as both MongoDB and FerretDB accept.
func DatabaseName(tb testing.TB) string {
	var b strings.Builder
	b.WriteString("t_")
	for _, r := range strings.ToLower(tb.Name()) {
		if b.Len() >= 44 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	b.WriteByte('_')
	b.WriteString(hex.EncodeToString(suffix))
	return b.String()
}
