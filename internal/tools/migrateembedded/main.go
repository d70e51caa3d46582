// Command migrateembedded moves a data folder of an older Stillroom, whose
// embedded database was FerretDB (SQLite files under <data>/db), to the
// SQLite store of this version (<data>/stillroom.db):
//
//	go run ./internal/tools/migrateembedded -data-dir ./data
//
// Stop the server first (the old folder is locked to one process). It
// copies every record (users, sessions, assets, galleries, articles, the
// processing queue, upload tickets, settings) into a new file, checks the
// counts, and only then renames it to stillroom.db; <data>/db is left as
// it was, so nothing is lost if anything fails (delete it once the new
// server runs well). Objects (<data>/objects) need no change. It keeps
// FerretDB out of the server's binary: only this tool links it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/stillroom/stillroom/mongostore"
	"github.com/stillroom/stillroom/mongostore/embedded"
	"github.com/stillroom/stillroom/sqlitestore"
)

func main() {
	dataDir := flag.String("data-dir", "./data", "the data folder to move")
	database := flag.String("database", "stillroom", "the database name the old server used (STILLROOM_MONGODB_DATABASE)")
	flag.Parse()
	if err := run(context.Background(), *dataDir, *database, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "migrateembedded:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dataDir, database string, out *os.File) error {
	ctx, cancel := context.WithTimeout(ctx, time.Hour)
	defer cancel()
	oldDir := filepath.Join(dataDir, "db")
	dst := filepath.Join(dataDir, "stillroom.db")
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("%s exists already: nothing to do (remove it to copy again)", dst)
	}
	if entries, err := os.ReadDir(oldDir); err != nil || len(entries) == 0 {
		return fmt.Errorf("%s holds no old embedded database", oldDir)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := embedded.Start(ctx, oldDir, log)
	if err != nil {
		return fmt.Errorf("open %s: %w", oldDir, err)
	}
	defer srv.Close()
	src, err := mongostore.Open(ctx, mongostore.Config{URI: srv.URI(), Database: database, ReadOnly: true})
	if err != nil {
		return err
	}
	defer src.Close(context.WithoutCancel(ctx))

	tmp := dst + ".migrating"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(tmp + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	db, err := sqlitestore.Open(ctx, sqlitestore.Config{Path: tmp})
	if err != nil {
		return err
	}
	counts, err := src.CopyTo(ctx, db)
	if err != nil {
		db.Close(ctx)
		return err
	}
	if err := check(ctx, db, counts); err != nil {
		db.Close(ctx)
		return err
	}
	// The copied search tokens and keys carry the folding of the version
	// that wrote them; the new file records this version's.
	if err := db.Refold(ctx); err != nil {
		db.Close(ctx)
		return err
	}
	if err := db.Close(ctx); err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	fmt.Fprintf(out, "copied %v from %s into %s; %s is unchanged (delete it when the new server runs well)\n", counts, oldDir, dst, oldDir)
	return nil
}

// check compares the counts the store can give with what was copied.
func check(ctx context.Context, db *sqlitestore.DB, counts mongostore.CopyCounts) error {
	users, err := db.CountUsers(ctx)
	if err != nil {
		return err
	}
	jobs, err := db.CountJobs(ctx)
	if err != nil {
		return err
	}
	if users != counts["users"] || jobs != counts["jobs"] {
		return fmt.Errorf("copied %d users and %d jobs but the new file holds %d and %d", counts["users"], counts["jobs"], users, jobs)
	}
	return nil
}
