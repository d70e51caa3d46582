package sqlitestore

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// The statement cache keeps at most maxStmts statements; queries beyond
// them run unprepared with the same answers, an invalid query reports its
// own error, and nothing is kept after Close.
func TestStatementCacheBounded(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, Config{Path: filepath.Join(t.TempDir(), "s.db")})
	if err != nil {
		t.Fatal(err)
	}
	for i := range maxStmts + 20 {
		var n int
		// Each text is another statement (the value is part of the text).
		if err := db.queryRow(ctx, fmt.Sprintf("SELECT %d + ?", i), 1).Scan(&n); err != nil || n != i+1 {
			t.Fatalf("query %d: %d, %v", i, n, err)
		}
	}
	if got := len(db.stmts.m); got != maxStmts {
		t.Errorf("%d statements kept, want %d", got, maxStmts)
	}
	if err := db.queryRow(ctx, "SELEKT 1").Scan(new(int)); err == nil {
		t.Error("an invalid query ran")
	}
	var n int
	if err := db.queryRow(ctx, "SELECT 3 + ?", 1).Scan(&n); err != nil || n != 4 {
		t.Errorf("a kept statement again: %d, %v", n, err)
	}
	if err := db.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if db.stmts.m != nil || db.stmts.get(ctx, db.db, "SELECT 1") != nil {
		t.Error("statements kept after Close")
	}
}
