package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A data folder still holding the old embedded database (FerretDB under
// <data>/db) and no stillroom.db is refused with a message that says how
// to move it, rather than served as an empty newsroom; once stillroom.db
// exists, the old folder is ignored.
func TestOldEmbeddedFolderRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "db", "stillroom.sqlite"), []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATA_DIR": dir}
	cfg, err := parseConfig(nil, func(k string) string { return env[strings.TrimPrefix(k, "STILLROOM_")] })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	_, err = openStores(context.Background(), cfg, log)
	if err == nil || !strings.Contains(err.Error(), "internal/tools/migrateembedded") {
		t.Fatalf("openStores = %v, want the refusal naming the migration tool", err)
	}
	if _, err := os.Stat(filepath.Join(dir, embeddedFile)); err == nil {
		t.Fatal("a new database was created beside the old one")
	}

	// An empty old folder is no database: start.
	empty := t.TempDir()
	if err := os.MkdirAll(filepath.Join(empty, "db"), 0o700); err != nil {
		t.Fatal(err)
	}
	env["DATA_DIR"] = empty
	cfg, _ = parseConfig(nil, func(k string) string { return env[strings.TrimPrefix(k, "STILLROOM_")] })
	st, err := openStores(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	st.close()
}
