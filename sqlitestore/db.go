// Package sqlitestore implements core.Store on SQLite through
// modernc.org/sqlite (pure Go): the embedded default, one file
// (<data>/stillroom.db) that several processes may open at once.
//
// Layout: users, assets, galleries and articles are stored as a JSON
// document of the core type (column doc) beside the columns that are
// queried (email, sha256, slug, status, publish_at, ...), each indexed.
// Multi-valued fields that are queried (search tokens, tags, the assets and
// galleries content uses) are rows of the terms table, written in the same
// transaction as their document. Sessions, jobs, upload tickets and
// settings are plain rows. Times are stored as Unix milliseconds (and in
// documents as RFC 3339 in UTC), so they read back in UTC rounded down to
// the millisecond, as on MongoDB; empty slices read back as nil.
//
// Concurrency: the database runs in WAL mode, so readers never wait for a
// writer. Every write that depends on what is stored (versioned replace,
// claim a job, use a ticket) is one statement or one IMMEDIATE
// transaction, which SQLite makes atomic across connections and
// processes; writers in other processes wait for each other up to the
// busy timeout. Within a process, writes also take a mutex, so they queue
// in Go instead of polling SQLite's lock.
package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/stillroom/stillroom/core"
)

// BusyTimeout is how long a write waits for another process's write to
// finish before it fails.
const BusyTimeout = 10 * time.Second

// Config says where the database file is.
type Config struct {
	// Path is the database file, created if missing (its folder must exist).
	Path string
	// Logger receives a line when the store opens; nil discards it.
	Logger *slog.Logger
	// TraceReads, if set, sees the text of every reading query before it
	// runs (tests count round trips with it).
	TraceReads func(query string)
}

// DB is the metadata store on one SQLite file. It is safe for concurrent
// use, also by several processes on one file.
type DB struct {
	db    *sql.DB
	path  string
	trace func(string)
	// caches hold decoded documents by collection name (*docCache[T]).
	caches map[string]any
	// writeMu queues this process's writes (see the package comment).
	writeMu sync.Mutex
	stmts   stmtCache
}

var _ core.Store = (*DB)(nil)

// schemaVersion is stored in PRAGMA user_version: 1 is schema, 2 adds the
// sort keys (migrateSortKeys), 3 the jobs' run-again mark (jobs.again).
const schemaVersion = 3

// schema creates every table and index of version 1; it runs once, on an
// empty file, and the migrations after it bring it to schemaVersion.
const schema = `
CREATE TABLE users (
	id TEXT PRIMARY KEY,
	email TEXT NOT NULL UNIQUE,
	doc TEXT NOT NULL
);
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions(expires_at);
CREATE INDEX sessions_user_id ON sessions(user_id);
CREATE TABLE assets (
	id TEXT PRIMARY KEY,
	sha256 TEXT NOT NULL UNIQUE,
	status TEXT NOT NULL,
	uploaded_by TEXT NOT NULL,
	taken_at INTEGER,
	pipeline_version INTEGER NOT NULL,
	version INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE INDEX assets_status ON assets(status);
CREATE INDEX assets_uploaded_by ON assets(uploaded_by);
CREATE INDEX assets_taken_at ON assets(taken_at);
CREATE TABLE galleries (
	id TEXT PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE,
	status TEXT NOT NULL,
	publish_at INTEGER,
	version INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE INDEX galleries_status_publish_at ON galleries(status, publish_at);
CREATE TABLE articles (
	id TEXT PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE,
	status TEXT NOT NULL,
	publish_at INTEGER,
	section TEXT NOT NULL,
	version INTEGER NOT NULL,
	doc TEXT NOT NULL
);
CREATE INDEX articles_status_publish_at ON articles(status, publish_at);
CREATE INDEX articles_section ON articles(section);
-- terms: the values of multi-valued fields, by collection ("assets",
-- "galleries", "articles") and field: "s" a search token, "tag" a tag,
-- "asset" an asset the document uses, "gallery" a gallery it shows.
CREATE TABLE terms (
	coll TEXT NOT NULL,
	field TEXT NOT NULL,
	value TEXT NOT NULL,
	id TEXT NOT NULL,
	PRIMARY KEY (coll, field, value, id)
) WITHOUT ROWID;
CREATE INDEX terms_doc ON terms(coll, id);
CREATE TABLE jobs (
	id TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	asset_id TEXT NOT NULL,
	attempts INTEGER NOT NULL,
	run_at INTEGER NOT NULL,
	lease_owner TEXT NOT NULL,
	lease_until INTEGER NOT NULL,
	last_error TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (kind, asset_id)
);
CREATE INDEX jobs_run_at ON jobs(run_at, id);
CREATE TABLE uploads (
	id TEXT PRIMARY KEY,
	key TEXT NOT NULL,
	user_id TEXT NOT NULL,
	filename TEXT NOT NULL,
	content_type TEXT NOT NULL,
	byte_size INTEGER NOT NULL,
	max_bytes INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at INTEGER,
	created_at INTEGER NOT NULL
);
CREATE INDEX uploads_expires_at ON uploads(expires_at);
CREATE TABLE settings (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
`

// Open opens (creating if needed) the database file at cfg.Path and its
// schema.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.Path == "" {
		return nil, errors.New("sqlitestore: no database path")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	// The file holds password and session hashes: readable by its owner
	// only. SQLite gives its -wal and -shm files the same mode.
	f, err := os.OpenFile(cfg.Path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", cfg.Path, err)
	}
	f.Close()
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(OFF)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: cfg.Path}).EscapedPath() + "?" + q.Encode()
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", cfg.Path, err)
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	sdb.SetMaxOpenConns(n)
	sdb.SetMaxIdleConns(n)
	db := &DB{db: sdb, path: cfg.Path, trace: cfg.TraceReads, caches: map[string]any{
		collAssets:    newDocCache(cloneAsset),
		collGalleries: newDocCache(cloneGallery),
		collArticles:  newDocCache(cloneArticle),
	}}
	if err := db.migrate(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	if err := db.refold(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	logger.InfoContext(ctx, "metadata store open", "sqlite", cfg.Path, "duration", time.Since(start))
	return db, nil
}

// migrate creates the schema on a new file, brings an older file to
// schemaVersion (in one transaction, so another process opening the file
// meanwhile waits and then finds it done) and refuses a file made by a
// newer version.
func (db *DB) migrate(ctx context.Context) error {
	var v int
	if err := db.queryRow(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("sqlitestore: open %s: %w", db.path, err)
	}
	if v == schemaVersion {
		return nil
	}
	if v > schemaVersion {
		return fmt.Errorf("sqlitestore: %s has schema version %d, newer than this program's %d: upgrade Stillroom", db.path, v, schemaVersion)
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		// Another process may have migrated it meanwhile.
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
			return err
		}
		if v == 0 {
			if _, err := tx.ExecContext(ctx, schema); err != nil {
				return fmt.Errorf("sqlitestore: create schema in %s: %w", db.path, err)
			}
			v = 1
		}
		if v == 1 {
			if err := migrateSortKeys(ctx, tx); err != nil {
				return fmt.Errorf("sqlitestore: add sort keys to %s: %w", db.path, err)
			}
		}
		if v <= 2 {
			if _, err := tx.ExecContext(ctx, "ALTER TABLE jobs ADD COLUMN again INTEGER NOT NULL DEFAULT 0"); err != nil {
				return fmt.Errorf("sqlitestore: add jobs.again to %s: %w", db.path, err)
			}
		}
		_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", schemaVersion))
		return err
	})
}

// write runs fn in an IMMEDIATE transaction (it holds the database's write
// lock from the start), committing when fn returns nil.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// exec runs one writing statement (atomic by itself) and returns the
// number of rows it changed.
func (db *DB) exec(ctx context.Context, query string, args ...any) (int64, error) {
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	var res sql.Result
	var err error
	if st := db.stmts.get(ctx, db.db, query); st != nil {
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = db.db.ExecContext(ctx, query, args...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// query runs a reading query.
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if db.trace != nil {
		db.trace(q)
	}
	if st := db.stmts.get(ctx, db.db, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.db.QueryContext(ctx, q, args...)
}

// queryRow runs a reading query that returns one row.
func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if db.trace != nil {
		db.trace(q)
	}
	if st := db.stmts.get(ctx, db.db, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.db.QueryRowContext(ctx, q, args...)
}

// Ping checks that the database file answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.queryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("sqlitestore: ping: %w", err)
	}
	return nil
}

// Close closes the database. Operations in progress finish first.
func (db *DB) Close(context.Context) error {
	db.stmts.close()
	if err := db.db.Close(); err != nil {
		return fmt.Errorf("sqlitestore: close: %w", err)
	}
	return nil
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// translate turns a database error into the store's error: NOT_FOUND
// ("<what> not found") for no row, CONFLICT (conflict) for a unique
// constraint, and otherwise the error wrapped with op and what. It returns
// nil for nil.
func translate(err error, op, what, conflict string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return core.Errorf(core.CodeNotFound, "%s not found", what)
	case isUnique(err):
		return core.WrapError(core.CodeConflict, err, "%s", conflict)
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return err
	}
	return fmt.Errorf("sqlitestore: %s %s: %w", op, what, err)
}

// isUnique reports whether err is a unique or primary key violation.
func isUnique(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code()
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// ms is t as stored: Unix milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

// fromMS is a stored time read back, in UTC.
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// msPtr is ms for optional times: nil is NULL.
func msPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

// storedTime is t as it reads back: UTC, rounded down to the millisecond.
func storedTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func storedTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	s := storedTime(*t)
	return &s
}

// nilIfEmpty makes empty slices nil, as they read back.
func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}
