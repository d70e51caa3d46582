package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
)

func testUsers(t *testing.T, db core.Store) {
	ctx := t.Context()
	alice := &core.User{
		ID: core.NewID(), Email: "alice@example.com", Name: "Alice", Role: core.RoleEditor,
		PasswordHash: "$argon2id$v=19$...", CreatedAt: at(0), UpdatedAt: at(time.Hour),
	}
	mustNil(t, db.InsertUser(ctx, alice))

	got, err := db.UserByID(ctx, alice.ID)
	mustNil(t, err)
	wantEqual(t, got, alice)
	got, err = db.UserByEmail(ctx, alice.Email)
	mustNil(t, err)
	wantEqual(t, got, alice)

	dup := *alice
	dup.ID = core.NewID()
	err = db.InsertUser(ctx, &dup)
	wantCode(t, err, core.CodeConflict)
	if msg := core.ErrorMessage(err); msg != "email already registered" {
		t.Errorf("message %q", msg)
	}

	_, err = db.UserByID(ctx, "nobody")
	wantCode(t, err, core.CodeNotFound)
	_, err = db.UserByEmail(ctx, "nobody@example.com")
	wantCode(t, err, core.CodeNotFound)

	bob := &core.User{ID: core.NewID(), Email: "bob@example.com", Role: core.RolePhotographer, CreatedAt: at(0), UpdatedAt: at(0)}
	mustNil(t, db.InsertUser(ctx, bob))
	users, err := db.UsersByIDs(ctx, []string{bob.ID, "nobody", alice.ID})
	mustNil(t, err)
	if len(users) != 2 {
		t.Fatalf("UsersByIDs: %d users, want 2", len(users))
	}
	users, err = db.UsersByIDs(ctx, nil)
	mustNil(t, err)
	if len(users) != 0 {
		t.Fatalf("UsersByIDs(nil): %d users", len(users))
	}
	n, err := db.CountUsers(ctx)
	mustNil(t, err)
	if n != 2 {
		t.Fatalf("CountUsers = %d, want 2", n)
	}

	// Listing is by email; an update replaces every field it names.
	all, err := db.ListUsers(ctx)
	mustNil(t, err)
	if len(all) != 2 || all[0].ID != alice.ID || all[1].ID != bob.ID {
		t.Fatalf("ListUsers: %+v", all)
	}
	changed := *bob
	changed.Name, changed.Role, changed.Disabled, changed.PasswordHash, changed.UpdatedAt = "Bob B.", core.RoleEditor, true, "new-hash", at(2*time.Hour)
	mustNil(t, db.UpdateUser(ctx, &changed))
	got, err = db.UserByID(ctx, bob.ID)
	mustNil(t, err)
	wantEqual(t, got, &changed)
	got, err = db.UserByEmail(ctx, bob.Email)
	mustNil(t, err)
	wantEqual(t, got, &changed)
	taken := changed
	taken.Email = alice.Email
	wantCode(t, db.UpdateUser(ctx, &taken), core.CodeConflict)
	ghost := changed
	ghost.ID = "nobody"
	ghost.Email = "ghost@example.com"
	wantCode(t, db.UpdateUser(ctx, &ghost), core.CodeNotFound)
}

func testSessions(t *testing.T, db core.Store) {
	ctx := t.Context()
	live := &core.Session{TokenHash: "h-live", UserID: "u1", CreatedAt: at(0), ExpiresAt: at(24 * time.Hour)}
	dead := &core.Session{TokenHash: "h-dead", UserID: "u1", CreatedAt: at(0), ExpiresAt: at(time.Hour)}
	mustNil(t, db.InsertSession(ctx, live))
	mustNil(t, db.InsertSession(ctx, dead))
	wantCode(t, db.InsertSession(ctx, live), core.CodeConflict)

	got, err := db.SessionByTokenHash(ctx, "h-live")
	mustNil(t, err)
	wantEqual(t, got, live)
	_, err = db.SessionByTokenHash(ctx, "h-none")
	wantCode(t, err, core.CodeNotFound)

	n, err := db.DeleteExpiredSessions(ctx, at(time.Hour))
	mustNil(t, err)
	if n != 1 {
		t.Fatalf("DeleteExpiredSessions removed %d, want 1", n)
	}
	_, err = db.SessionByTokenHash(ctx, "h-dead")
	wantCode(t, err, core.CodeNotFound)

	mustNil(t, db.DeleteSession(ctx, "h-live"))
	mustNil(t, db.DeleteSession(ctx, "h-live")) // signing out twice is fine
	_, err = db.SessionByTokenHash(ctx, "h-live")
	wantCode(t, err, core.CodeNotFound)

	// Ending one user's sessions leaves the others'.
	for i, u := range []string{"u2", "u2", "u3"} {
		mustNil(t, db.InsertSession(ctx, &core.Session{TokenHash: "h-" + u + string(rune('a'+i)), UserID: u, CreatedAt: at(0), ExpiresAt: at(24 * time.Hour)}))
	}
	n, err = db.DeleteUserSessions(ctx, "u2")
	mustNil(t, err)
	if n != 2 {
		t.Fatalf("DeleteUserSessions removed %d, want 2", n)
	}
	_, err = db.SessionByTokenHash(ctx, "h-u2a")
	wantCode(t, err, core.CodeNotFound)
	_, err = db.SessionByTokenHash(ctx, "h-u3c")
	mustNil(t, err)
}

// testUserAccounts: users listed by email, updated in place (a disabled
// flag included), and every session of one user removed at once.
func testUserAccounts(t *testing.T, db core.Store) {
	ctx := t.Context()
	bob := &core.User{ID: core.NewID(), Email: "bob@example.com", Name: "Bob", Role: core.RolePhotographer, CreatedAt: at(0), UpdatedAt: at(0)}
	alice := &core.User{ID: core.NewID(), Email: "alice@example.com", Name: "Alice", Role: core.RoleEditor, CreatedAt: at(0), UpdatedAt: at(0)}
	mustNil(t, db.InsertUser(ctx, bob))
	mustNil(t, db.InsertUser(ctx, alice))
	users, err := db.ListUsers(ctx)
	mustNil(t, err)
	wantEqual(t, ids(users, func(u *core.User) string { return u.Email }), []string{"alice@example.com", "bob@example.com"})

	changed := *bob
	changed.Name, changed.Role, changed.Disabled, changed.PasswordHash, changed.UpdatedAt = "Robert", core.RoleEditor, true, "new hash", at(time.Hour)
	mustNil(t, db.UpdateUser(ctx, &changed))
	got, err := db.UserByID(ctx, bob.ID)
	mustNil(t, err)
	wantEqual(t, got, &changed)
	missing := changed
	missing.ID = core.NewID()
	wantCode(t, db.UpdateUser(ctx, &missing), core.CodeNotFound)

	for i, uid := range []string{bob.ID, bob.ID, alice.ID} {
		mustNil(t, db.InsertSession(ctx, &core.Session{TokenHash: "h" + string(rune('a'+i)), UserID: uid, CreatedAt: at(0), ExpiresAt: at(time.Hour)}))
	}
	n, err := db.DeleteUserSessions(ctx, bob.ID)
	mustNil(t, err)
	if n != 2 {
		t.Errorf("DeleteUserSessions removed %d, want 2", n)
	}
	for _, h := range []string{"ha", "hb"} {
		_, err := db.SessionByTokenHash(ctx, h)
		wantCode(t, err, core.CodeNotFound)
	}
	_, err = db.SessionByTokenHash(ctx, "hc")
	mustNil(t, err)
}

// testUpdateUserVersioned: an account update is written only over the
// version it read, from version 0 (accounts stored before users had
// versions read as 0) or any other, and says "version" when stale.
func testUpdateUserVersioned(t *testing.T, db core.Store) {
	ctx := t.Context()
	for _, start := range []int{0, 5} {
		u := &core.User{ID: core.NewID(), Email: fmt.Sprintf("v%d@example.com", start), Name: "V", Role: core.RoleEditor,
			PasswordHash: "old hash", Version: start, CreatedAt: at(0), UpdatedAt: at(0)}
		mustNil(t, db.InsertUser(ctx, u))
		read, err := db.UserByID(ctx, u.ID)
		mustNil(t, err)
		if read.Version != start {
			t.Fatalf("inserted at version %d, read back at %d", start, read.Version)
		}
		stale := *read

		reset := *read
		reset.PasswordHash, reset.UpdatedAt = "new hash", at(time.Hour)
		mustNil(t, db.UpdateUser(ctx, &reset))
		if reset.Version != start+1 {
			t.Fatalf("after an update at version %d: Version = %d, want %d", start, reset.Version, start+1)
		}

		// A change made from the copy read before the reset loses, and
		// the reset stays.
		stale.Name = "renamed over the reset"
		err = db.UpdateUser(ctx, &stale)
		wantCode(t, err, core.CodeConflict)
		if msg := core.ErrorMessage(err); !strings.Contains(msg, "version") {
			t.Errorf("stale update: message %q does not say version", msg)
		}
		if stale.Version != start {
			t.Errorf("a refused update moved the caller's version to %d", stale.Version)
		}
		got, err := db.UserByID(ctx, u.ID)
		mustNil(t, err)
		wantEqual(t, got, &reset)
		got, err = db.UserByEmail(ctx, u.Email)
		mustNil(t, err)
		wantEqual(t, got, &reset)

		// Read again, the rename goes through.
		got.Name = "renamed after the reset"
		mustNil(t, db.UpdateUser(ctx, got))
		again, err := db.UserByID(ctx, u.ID)
		mustNil(t, err)
		if again.Name != "renamed after the reset" || again.PasswordHash != "new hash" || again.Version != start+2 {
			t.Errorf("after the second update: %+v", again)
		}
	}
}

// testConcurrentUserUpdatesOneWins: of updates made at once from one read
// (two admins on two servers, or the command line beside a server),
// exactly one is written.
func testConcurrentUserUpdatesOneWins(t *testing.T, db core.Store) {
	needsAtomic(t, db)
	ctx := t.Context()
	u := &core.User{ID: core.NewID(), Email: "race@example.com", Name: "R", Role: core.RoleAdmin, CreatedAt: at(0), UpdatedAt: at(0)}
	mustNil(t, db.InsertUser(ctx, u))
	const writers = 8
	errs := make(chan error, writers)
	for i := range writers {
		go func() {
			mine := *u
			mine.Name = fmt.Sprint("writer ", i)
			errs <- db.UpdateUser(ctx, &mine)
		}()
	}
	wins := 0
	for range writers {
		if err := <-errs; err != nil {
			wantCode(t, err, core.CodeConflict)
			continue
		}
		wins++
	}
	if wins != 1 {
		t.Fatalf("%d updates at version 0 succeeded, want 1", wins)
	}
	got, err := db.UserByID(ctx, u.ID)
	mustNil(t, err)
	if got.Version != 1 {
		t.Fatalf("Version = %d, want 1", got.Version)
	}
}
