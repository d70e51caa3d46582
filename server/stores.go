package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/media"
	"github.com/stillroom/stillroom/media/localstore"
	"github.com/stillroom/stillroom/media/s3store"
	"github.com/stillroom/stillroom/mongostore"
	"github.com/stillroom/stillroom/sqlitestore"
)

// stores are the metadata and object stores chosen at start: MongoDB or
// the embedded SQLite file, S3/MinIO or the local disk. Both metadata
// stores pass one contract suite (core/storetest), both object stores
// another (media/storetest).
type stores struct {
	meta        core.Store
	objects     media.ObjectStore
	metaDesc    string
	objectsDesc string
	closers     []func()
}

func openStores(ctx context.Context, cfg config, log *slog.Logger) (*stores, error) {
	st := &stores{}
	if err := st.open(ctx, cfg, log); err != nil {
		st.close()
		return nil, err
	}
	return st, nil
}

func (st *stores) open(ctx context.Context, cfg config, log *slog.Logger) error {
	if cfg.MongoURI != "" {
		db, err := mongostore.Open(ctx, mongostore.Config{
			URI: cfg.MongoURI, Database: cfg.MongoDatabase, Logger: log, Monitor: cfg.monitor,
		})
		if err != nil {
			return fmt.Errorf("database: %w", err)
		}
		st.meta, st.metaDesc = db, "mongodb"
		st.closers = append(st.closers, func() { db.Close(context.Background()) })
	} else {
		path := filepath.Join(cfg.DataDir, embeddedFile)
		if err := checkOldEmbedded(cfg.DataDir, path); err != nil {
			return err
		}
		if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
			return fmt.Errorf("data folder: %w", err)
		}
		db, err := sqlitestore.Open(ctx, sqlitestore.Config{Path: path, Logger: log, TraceReads: cfg.traceReads})
		if err != nil {
			return fmt.Errorf("database: %w", err)
		}
		st.meta, st.metaDesc = db, "embedded ("+path+")"
		st.closers = append(st.closers, func() { db.Close(context.Background()) })
	}

	if cfg.S3.Endpoint == "" {
		dir := filepath.Join(cfg.DataDir, "objects")
		ls, err := localstore.New(dir)
		if err != nil {
			return fmt.Errorf("object store in %s: %w", dir, err)
		}
		st.objects, st.objectsDesc = ls, "local disk ("+dir+")"
	} else {
		s3, err := s3store.New(ctx, cfg.S3)
		if err != nil {
			return fmt.Errorf("object store %s: %w", cfg.S3.Endpoint, err)
		}
		st.objects, st.objectsDesc = s3, "s3 ("+cfg.S3.Endpoint+"/"+cfg.S3.Bucket+")"
	}
	return nil
}

// close releases the stores in reverse order of opening.
func (st *stores) close() {
	for i := len(st.closers) - 1; i >= 0; i-- {
		st.closers[i]()
	}
	st.closers = nil
}

// embeddedFile is the embedded database, in the data folder.
const embeddedFile = "stillroom.db"

// oldEmbeddedDir is where versions before the SQLite store kept the
// embedded database (FerretDB's SQLite files).
const oldEmbeddedDir = "db"

// checkOldEmbedded refuses to start on a data folder whose metadata is
// still in the old embedded database (FerretDB, <data>/db) and not yet in
// path: starting anyway would show an empty newsroom beside objects no
// record references, which the hourly clean-up would then delete. It
// says how to move the data.
func checkOldEmbedded(dataDir, path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	old := filepath.Join(dataDir, oldEmbeddedDir)
	entries, err := os.ReadDir(old)
	if err != nil || len(entries) == 0 {
		return nil
	}
	return fmt.Errorf("the data folder %s holds a database of an older Stillroom (%s, FerretDB) and no %s: "+
		"move it first with `go run ./internal/tools/migrateembedded -data-dir %s` (it copies every record into %s and leaves %s as it was)",
		dataDir, old, embeddedFile, dataDir, path, old)
}
