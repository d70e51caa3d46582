package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/media"
	"github.com/stillroom/stillroom/media/localstore"
	"github.com/stillroom/stillroom/media/s3store"
	"github.com/stillroom/stillroom/mongostore"
	"github.com/stillroom/stillroom/mongostore/embedded"
)

// stores are the metadata and object stores chosen at start: MongoDB or
// the embedded Mongo-wire server, S3/MinIO or the local disk. The same
// driver code serves both choices of each.
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
	uri := cfg.MongoURI
	st.metaDesc = "mongodb"
	embeddedDB := uri == ""
	if embeddedDB {
		dir := filepath.Join(cfg.DataDir, "db")
		emb, err := embedded.Start(ctx, dir, log)
		if err != nil {
			return fmt.Errorf("embedded database in %s: %w", dir, err)
		}
		st.closers = append(st.closers, func() { emb.Close() })
		uri = emb.URI()
		st.metaDesc = "embedded (" + dir + ")"
	}
	db, err := mongostore.Open(ctx, mongostore.Config{
		URI: uri, Database: cfg.MongoDatabase, Logger: log, Monitor: cfg.monitor,
		// The embedded server has this one client (its folder is locked to
		// this process), so content can be read from memory.
		Memory: embeddedDB && cfg.MemoryReads,
	})
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	st.meta = db
	st.closers = append(st.closers, func() { db.Close(context.Background()) })

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
