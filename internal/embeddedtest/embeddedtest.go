// Package embeddedtest opens the embedded default's stores for tests: the
// SQLite metadata store (sqlitestore) and objects on local disk
// (localstore), in a folder of the test's own, as `stillroom serve` lays
// them out in its data folder (<dir>/stillroom.db, <dir>/objects). Only
// tests import it.
package embeddedtest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stillroom/stillroom/media/localstore"
	"github.com/stillroom/stillroom/sqlitestore"
)

// DB opens <dir>/stillroom.db (made when missing); it is closed when the
// test ends. Several handles on one folder act as several processes do.
func DB(t testing.TB, dir string) *sqlitestore.DB {
	t.Helper()
	db, err := sqlitestore.Open(t.Context(), sqlitestore.Config{Path: filepath.Join(dir, "stillroom.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(context.Background()) })
	return db
}

// Objects is an object store on disk in <dir>/objects.
func Objects(t testing.TB, dir string) *localstore.Store {
	t.Helper()
	objects, err := localstore.New(filepath.Join(dir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	return objects
}

// Open is DB and Objects in a new temporary folder.
func Open(t testing.TB) (*sqlitestore.DB, *localstore.Store) {
	t.Helper()
	dir := t.TempDir()
	return DB(t, dir), Objects(t, dir)
}
