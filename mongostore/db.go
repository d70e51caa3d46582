// Package mongostore implements core.Store on MongoDB. It uses only what
// MongoDB and FerretDB v1 (the embedded server in mongostore/embedded) both
// support: single-document writes, unique and compound indexes, $in, $all,
// $regex and simple counts. Documents are persistence structs with explicit
// bson tags, converted to and from the core types in one place per type.
//
// Times are stored as BSON datetimes: UTC with millisecond precision. Values
// read back are in UTC and rounded down to the millisecond, and empty slices
// read back as nil.
package mongostore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/stillroom/stillroom/core"
)

// Collection names.
const (
	collUsers     = "users"
	collSessions  = "sessions"
	collAssets    = "assets"
	collGalleries = "galleries"
	collArticles  = "articles"
	collJobs      = "jobs"
	collUploads   = "uploads"
	collSettings  = "settings"
)

// Config says where the database is and how to reach it.
type Config struct {
	URI      string // mongodb://host:port/ or mongodb+srv://...
	Database string // database name

	// Logger receives a line when the store opens; nil discards it.
	Logger *slog.Logger
	// Monitor, if set, sees every command the driver sends (tests count
	// round trips with it).
	Monitor *event.CommandMonitor
	// ClientOptions, if set, are applied after URI and Monitor.
	ClientOptions *options.ClientOptions
	// ReadOnly opens without creating indexes or backfilling documents,
	// for a reader such as internal/tools/migrateembedded: on FerretDB a
	// backfill of 10,000 documents took many minutes.
	ReadOnly bool
}

// DB is the metadata store on one database. It is safe for concurrent use.
type DB struct {
	client    *mongo.Client
	db        *mongo.Database
	users     *mongo.Collection
	sessions  *mongo.Collection
	assets    *mongo.Collection
	galleries *mongo.Collection
	articles  *mongo.Collection
	jobs      *mongo.Collection
	uploads   *mongo.Collection
	settings  *mongo.Collection

	// atomic is false on FerretDB v1, which runs a filtered update as
	// "read matching documents, then write them back by _id", with
	// nothing in between to stop another connection doing the same: two
	// ClaimJob calls could lease the same job. FerretDB is for tests
	// only; see AtomicConditionalWrites.
	atomic bool
	// readOnly is Config.ReadOnly.
	readOnly bool
}

var _ core.Store = (*DB)(nil)

// Open connects to the database, checks that it answers and creates the
// indexes the store relies on that are missing.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.Database == "" {
		return nil, errors.New("mongostore: no database name")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	opts := options.Client().ApplyURI(cfg.URI)
	if cfg.Monitor != nil {
		opts.SetMonitor(cfg.Monitor)
	}
	all := []*options.ClientOptions{opts}
	if cfg.ClientOptions != nil {
		all = append(all, cfg.ClientOptions)
	}
	client, err := mongo.Connect(all...)
	if err != nil {
		return nil, fmt.Errorf("mongostore: connect: %w", err)
	}
	mdb := client.Database(cfg.Database)
	db := &DB{
		readOnly:  cfg.ReadOnly,
		client:    client,
		db:        mdb,
		users:     mdb.Collection(collUsers),
		sessions:  mdb.Collection(collSessions),
		assets:    mdb.Collection(collAssets),
		galleries: mdb.Collection(collGalleries),
		articles:  mdb.Collection(collArticles),
		jobs:      mdb.Collection(collJobs),
		uploads:   mdb.Collection(collUploads),
		settings:  mdb.Collection(collSettings),
	}
	start := time.Now()
	if err := db.setup(ctx); err != nil {
		_ = client.Disconnect(context.WithoutCancel(ctx))
		return nil, err
	}
	logger.InfoContext(ctx, "metadata store open", "database", cfg.Database,
		"ferretdb", !db.atomic, "duration", time.Since(start))
	return db, nil
}

// AtomicConditionalWrites reports whether conditional writes (claim a
// job, a versioned replace, use a ticket) are atomic across connections:
// true on MongoDB, false on FerretDB v1, which only tests use. The
// contract suite (core/storetest) skips the races that need it where it
// does not hold.
func (db *DB) AtomicConditionalWrites() bool { return db.atomic }

// setup pings, detects FerretDB and creates the indexes.
func (db *DB) setup(ctx context.Context) error {
	// buildInfo doubles as the ping: it needs a server to answer.
	var info bson.Raw
	if err := db.db.RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return fmt.Errorf("mongostore: ping: %w", err)
	}
	_, err := info.LookupErr("ferretdbVersion")
	db.atomic = err != nil
	if db.readOnly {
		return nil
	}
	if err := db.ensureIndexes(ctx); err != nil {
		return err
	}
	if err := db.backfillSortKeys(ctx); err != nil {
		return err
	}
	return db.refold(ctx)
}

// indexSpec is an index the store needs, with its name.
type indexSpec struct {
	name  string
	model mongo.IndexModel
}

// index is an index on keys, in order, ascending, named the way MongoDB
// would name it ("status_1_publishAt_1").
func index(unique bool, keys ...string) indexSpec {
	d := make(bson.D, len(keys))
	parts := make([]string, len(keys))
	for i, k := range keys {
		d[i] = bson.E{Key: k, Value: 1}
		parts[i] = k + "_1"
	}
	name := strings.Join(parts, "_")
	opts := options.Index().SetName(name)
	if unique {
		opts.SetUnique(true)
	}
	return indexSpec{name: name, model: mongo.IndexModel{Keys: d, Options: opts}}
}

// indexes lists the indexes each collection needs.
func (db *DB) indexes() map[*mongo.Collection][]indexSpec {
	m := map[*mongo.Collection][]indexSpec{
		db.users: {index(true, "email")},
		// Sessions are keyed by token hash (_id); expiresAt serves the sweep.
		db.sessions: {index(false, "expiresAt"), index(false, "userId")},
		db.uploads:  {index(false, "expiresAt")},
		db.assets: {
			index(true, "sha256"),
			index(false, "uploadedBy"),
			index(false, "searchTokens"),
		},
		db.galleries: {
			index(true, "slug"),
			index(false, "items.assetId"),
			index(false, "coverAssetId"),
			index(false, "searchTokens"),
			index(false, "status", "publishAt"),
		},
		db.articles: {
			index(true, "slug"),
			index(false, "coverAssetId"),
			index(false, "blocks.assetIds"),
			index(false, "blocks.galleryId"),
			index(false, "searchTokens"),
			index(false, "status", "publishAt"),
			index(false, "section"),
			index(false, "tags"),
			index(false, "importKey"),
		},
		db.jobs: {
			index(true, "kind", "assetId"),
			index(false, "runAt"),
		},
	}
	for _, c := range []*mongo.Collection{db.assets, db.galleries, db.articles} {
		m[c] = append(m[c], sortIndexes(c.Name())...)
	}
	return m
}

// ensureIndexes creates the indexes that do not exist yet, by name: an
// existing index with the right name is kept even if its options differ.
// Asking only for missing ones also avoids a FerretDB v1.24 bug: a
// createIndexes listing two or more existing indexes makes it panic and
// drop the connection.
func (db *DB) ensureIndexes(ctx context.Context) error {
	for coll, wanted := range db.indexes() {
		specs, err := coll.Indexes().ListSpecifications(ctx)
		if err != nil {
			return fmt.Errorf("mongostore: list indexes of %s: %w", coll.Name(), err)
		}
		have := make(map[string]bool, len(specs))
		for _, s := range specs {
			have[s.Name] = true
		}
		var missing []mongo.IndexModel
		for _, w := range wanted {
			if !have[w.name] {
				missing = append(missing, w.model)
			}
		}
		if len(missing) == 0 {
			continue
		}
		if _, err := coll.Indexes().CreateMany(ctx, missing); err != nil {
			return fmt.Errorf("mongostore: create indexes on %s: %w", coll.Name(), err)
		}
	}
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.client.Ping(ctx, nil); err != nil {
		return fmt.Errorf("mongostore: ping: %w", err)
	}
	return nil
}

// Close disconnects, waiting for operations in progress until ctx ends.
func (db *DB) Close(ctx context.Context) error {
	if err := db.client.Disconnect(ctx); err != nil {
		return fmt.Errorf("mongostore: disconnect: %w", err)
	}
	return nil
}

// DropDatabase deletes the whole database with every collection and index.
// It is meant for tests, which use a database each.
func (db *DB) DropDatabase(ctx context.Context) error {
	if err := db.db.Drop(ctx); err != nil {
		return fmt.Errorf("mongostore: drop database %s: %w", db.db.Name(), err)
	}
	return nil
}

// translate turns a driver error into the store's error: NOT_FOUND
// ("<what> not found") for a missing document, CONFLICT (conflict) for a
// duplicate key, and otherwise the error wrapped with op and what, such as
// "mongostore: find asset 123: ...". It returns nil for nil.
func translate(err error, op, what, conflict string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return core.Errorf(core.CodeNotFound, "%s not found", what)
	case isDuplicateKey(err):
		return core.WrapError(core.CodeConflict, err, "%s", conflict)
	}
	return fmt.Errorf("mongostore: %s %s: %w", op, what, err)
}

// isDuplicateKey reports whether err is a unique index violation. FerretDB
// reports one correctly for inserts, but for updates and replacements it
// answers InternalError (code 1) with SQLite's message.
func isDuplicateKey(err error) bool {
	if mongo.IsDuplicateKeyError(err) {
		return true
	}
	var se mongo.ServerError
	return errors.As(err, &se) && se.HasErrorCodeWithMessage(1, "UNIQUE constraint failed")
}

// storedTime is t as it reads back: UTC, rounded down to the millisecond.
func storedTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// storedTimePtr is storedTime for optional times.
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
