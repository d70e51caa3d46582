package sqlitestore_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stillroom/stillroom/core"
)

// TestUserStoredWithoutVersion: accounts written before users had
// versions have no Version in their document. They read as version 0 and
// take versioned updates like any other.
func TestUserStoredWithoutVersion(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "stillroom.db")
	db := open(t, path)
	if err := db.InsertUser(ctx, &core.User{ID: "old", Email: "old@example.com", Name: "Old", Role: core.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var doc string
	if err := raw.QueryRow("UPDATE users SET doc = json_remove(doc, '$.Version') WHERE id = 'old' RETURNING doc").Scan(&doc); err != nil {
		t.Fatal(err)
	}
	t.Logf("stored as %s", doc)

	u, err := db.UserByID(ctx, "old")
	if err != nil || u.Version != 0 {
		t.Fatalf("%+v %v, want version 0", u, err)
	}
	stale := *u
	u.Name = "Renamed"
	if err := db.UpdateUser(ctx, u); err != nil || u.Version != 1 {
		t.Fatalf("update from version 0: %v, version %d", err, u.Version)
	}
	if err := db.UpdateUser(ctx, &stale); !core.IsCode(err, core.CodeConflict) {
		t.Fatalf("second update from version 0: %v, want CONFLICT", err)
	}
	if got, err := db.UserByEmail(ctx, "old@example.com"); err != nil || got.Name != "Renamed" || got.Version != 1 {
		t.Fatalf("%+v %v", got, err)
	}
}
