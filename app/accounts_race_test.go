package app_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/internal/embeddedtest"
	"github.com/stillroom/stillroom/sqlitestore"
)

// accountHooks wraps a real store and runs a hook once, right after the
// named account call returns: another process's operation put exactly in
// the window between a read and the write that relies on it. Nothing is
// mocked; the hooks only choose the order.
type accountHooks struct {
	core.Store
	mu    sync.Mutex
	hooks map[string]func()
}

func (h *accountHooks) after(name string, fn func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.hooks == nil {
		h.hooks = map[string]func(){}
	}
	h.hooks[name] = fn
}

func (h *accountHooks) fire(name string) {
	h.mu.Lock()
	fn := h.hooks[name]
	delete(h.hooks, name)
	h.mu.Unlock()
	if fn != nil {
		fn()
	}
}

func (h *accountHooks) UserByEmail(ctx context.Context, email string) (*core.User, error) {
	u, err := h.Store.UserByEmail(ctx, email)
	h.fire("UserByEmail")
	return u, err
}

func (h *accountHooks) UserByID(ctx context.Context, id string) (*core.User, error) {
	u, err := h.Store.UserByID(ctx, id)
	h.fire("UserByID")
	return u, err
}

func (h *accountHooks) CountUsers(ctx context.Context) (int64, error) {
	n, err := h.Store.CountUsers(ctx)
	h.fire("CountUsers")
	return n, err
}

func (h *accountHooks) ListUsers(ctx context.Context) ([]*core.User, error) {
	u, err := h.Store.ListUsers(ctx)
	h.fire("ListUsers")
	return u, err
}

func (h *accountHooks) SessionByTokenHash(ctx context.Context, hash string) (*core.Session, error) {
	s, err := h.Store.SessionByTokenHash(ctx, hash)
	h.fire("SessionByTokenHash")
	return s, err
}

func (h *accountHooks) DeleteUserSessions(ctx context.Context, userID string) (int64, error) {
	n, err := h.Store.DeleteUserSessions(ctx, userID)
	h.fire("DeleteUserSessions")
	return n, err
}

// twoAccountProcesses is two services on two handles of one SQLite file,
// as two server processes (or a server and the command line) on one data
// folder are. The first one's store has hooks; db is a third handle to
// look with.
func twoAccountProcesses(t *testing.T) (a, b *app.Service, hooks *accountHooks, db *sqlitestore.DB) {
	t.Helper()
	dir := t.TempDir()
	open := func() *sqlitestore.DB { return embeddedtest.DB(t, dir) }
	objects := embeddedtest.Objects(t, dir)
	hooks = &accountHooks{Store: open()}
	log := slog.New(slog.DiscardHandler)
	return app.New(hooks, objects, log, app.Config{UploadWait: -1}), app.New(open(), objects, log, app.Config{UploadWait: -1}), hooks, open()
}

// TestBootstrapTwoProcessesAtOnce: two replicas start together on an
// empty database and both see no admin. The one whose insert loses finds
// the admin made by the other and starts, rather than exiting with
// CONFLICT.
func TestBootstrapTwoProcessesAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name, email, password, window string
	}{
		{"configured admin", "Admin@Example.com", "a long admin secret", "UserByEmail"},
		{"generated admin", "", "", "CountUsers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b, hooks, db := twoAccountProcesses(t)
			var other app.BootstrapResult
			hooks.after(tc.window, func() {
				var err error
				if other, err = b.Bootstrap(t.Context(), tc.email, tc.password); err != nil {
					t.Errorf("B: %v", err)
				}
			})
			got, err := a.Bootstrap(t.Context(), tc.email, tc.password)
			if err != nil {
				t.Fatalf("A fails to start although the admin exists: %v", err)
			}
			if got.Created || got.GeneratedPassword != "" || !other.Created {
				t.Errorf("A %+v, B %+v: want B alone to have created the admin", got, other)
			}
			if got.Email != other.Email {
				t.Errorf("A reports admin %q, B %q", got.Email, other.Email)
			}
			if n, err := db.CountUsers(t.Context()); err != nil || n != 1 {
				t.Errorf("%d users (%v), want the one admin", n, err)
			}
		})
	}
}

// addAccount creates an editor with password pw through a, as an admin.
func addAccount(t *testing.T, a *app.Service, db *sqlitestore.DB, email, pw string) (*core.User, context.Context) {
	t.Helper()
	admin := &core.User{ID: "admin", Email: "admin@example.com", Name: "A", Role: core.RoleAdmin}
	if err := db.InsertUser(t.Context(), admin); err != nil && !core.IsCode(err, core.CodeConflict) {
		t.Fatal(err)
	}
	actx := app.WithUser(t.Context(), admin, "")
	u, err := a.CreateUser(actx, app.NewUser{Email: email, Name: "P", Password: pw, Role: core.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	return u, actx
}

// signIn signs in through a and returns the token, its user and its hash.
func signIn(t *testing.T, a *app.Service, email, pw string) (token string, me *core.User, hash string) {
	t.Helper()
	token, _, _, err := a.Login(t.Context(), email, pw)
	if err != nil {
		t.Fatal(err)
	}
	me, hash, err = a.Authenticate(t.Context(), token)
	if err != nil {
		t.Fatal(err)
	}
	return token, me, hash
}

// TestSignInDuringPasswordReset: an admin resets a compromised account's
// password (which ends all its sessions) while someone signs in with the
// old one: the sign-in checked the old password before the reset, and its
// session would be stored after the reset ended the others. The reset
// comes from this process (resetPassword) or another one (`stillroom user
// set-password`); either way no working session is left from the old
// password.
func TestSignInDuringPasswordReset(t *testing.T) {
	for _, other := range []bool{false, true} {
		a, b, hooks, db := twoAccountProcesses(t)
		old := "correct horse battery staple"
		u, actx := addAccount(t, a, db, "p@example.com", old)
		hooks.after("UserByEmail", func() {
			var err error
			if other {
				err = b.SetPasswordByEmail(t.Context(), u.Email, "a brand new passphrase here")
			} else {
				_, err = a.ResetPassword(actx, u.ID)
			}
			if err != nil {
				t.Errorf("reset: %v", err)
			}
		})
		token, _, _, err := a.Login(t.Context(), u.Email, old)
		if !core.IsCode(err, core.CodeUnauthenticated) {
			t.Errorf("sign-in with the password being reset (other process %v): %v, want UNAUTHENTICATED", other, err)
		}
		if token != "" {
			if _, _, err := a.Authenticate(t.Context(), token); err == nil {
				t.Errorf("after the reset ended every session, a sign-in with the old password made a working session")
			}
		}
		if n, _ := db.DeleteUserSessions(t.Context(), u.ID); n != 0 {
			t.Errorf("%d sessions left after the reset", n)
		}
	}
}

// TestChangePasswordDuringReset: a user changes their password (their own
// session is kept) while an admin on another process resets it: the
// admin's reset ends every session, including the one changePassword
// keeps.
func TestChangePasswordDuringReset(t *testing.T) {
	a, b, hooks, db := twoAccountProcesses(t)
	old := "correct horse battery staple"
	u, _ := addAccount(t, a, db, "p@example.com", old)
	token, me, hash := signIn(t, a, u.Email, old)
	// After changePassword ended the account's sessions and before it
	// puts the caller's back.
	hooks.after("DeleteUserSessions", func() {
		if err := b.SetPasswordByEmail(t.Context(), u.Email, "the admin's fresh passphrase"); err != nil {
			t.Errorf("reset: %v", err)
		}
	})
	err := a.ChangePassword(app.WithUser(t.Context(), me, hash), old, "my own new passphrase")
	if !core.IsCode(err, core.CodeUnauthenticated) {
		t.Errorf("changePassword overtaken by a reset: %v, want UNAUTHENTICATED", err)
	}
	if _, _, err := a.Authenticate(t.Context(), token); err == nil {
		t.Errorf("the admin's reset ended every session, yet changePassword's session still works")
	}
}

// TestRenameKeepsPasswordResetAndDisable: an admin renames an account on
// one server while `stillroom user set-password` or `user disable` runs
// in another process between the rename's read and its write. The rename
// is applied over the other change, not written over it.
func TestRenameKeepsPasswordResetAndDisable(t *testing.T) {
	for _, change := range []string{"set-password", "disable"} {
		t.Run(change, func(t *testing.T) {
			a, b, hooks, db := twoAccountProcesses(t)
			old := "correct horse battery staple"
			u, actx := addAccount(t, a, db, "p@example.com", old)
			yes := true
			hooks.after("UserByID", func() {
				var err error
				if change == "disable" {
					_, err = b.UpdateUser(app.WithUser(t.Context(), &core.User{ID: "cli", Role: core.RoleAdmin}, ""), u.ID, app.UserPatch{Disabled: &yes})
				} else {
					err = b.SetPasswordByEmail(t.Context(), u.Email, "a brand new passphrase here")
				}
				if err != nil {
					t.Errorf("%s: %v", change, err)
				}
			})
			name := "P. Nguyễn"
			got, err := a.UpdateUser(actx, u.ID, app.UserPatch{Name: &name})
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != name {
				t.Errorf("rename returned %q", got.Name)
			}
			if _, _, _, err := b.Login(t.Context(), u.Email, old); err == nil {
				t.Errorf("after %s, the old password signs in again: the rename wrote the account back as it read it", change)
			}
			stored, err := db.UserByID(t.Context(), u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.Name != name || stored.Disabled != (change == "disable") {
				t.Errorf("stored %q disabled %v: the rename or the %s was lost", stored.Name, stored.Disabled, change)
			}
		})
	}
}

// TestTwoAdminsCannotDemoteEachOther: two admins on two servers demote
// each other at the same moment; each one's check sees the other still an
// admin. One change stands, the other is refused and undone: an enabled
// admin remains.
func TestTwoAdminsCannotDemoteEachOther(t *testing.T) {
	for _, patch := range []string{"demote", "disable"} {
		t.Run(patch, func(t *testing.T) {
			a, b, hooks, db := twoAccountProcesses(t)
			x := &core.User{ID: "x", Email: "x@example.com", Name: "X", Role: core.RoleAdmin}
			y := &core.User{ID: "y", Email: "y@example.com", Name: "Y", Role: core.RoleAdmin}
			for _, u := range []*core.User{x, y} {
				if err := db.InsertUser(t.Context(), u); err != nil {
					t.Fatal(err)
				}
			}
			editor, yes := core.RoleEditor, true
			p := app.UserPatch{Role: &editor}
			if patch == "disable" {
				p = app.UserPatch{Disabled: &yes}
			}
			// After A's last-admin check, before A's write.
			var errB error
			hooks.after("ListUsers", func() {
				_, errB = b.UpdateUser(app.WithUser(t.Context(), y, ""), "x", p)
			})
			_, errA := a.UpdateUser(app.WithUser(t.Context(), x, ""), "y", p)
			users, err := db.ListUsers(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			admins := 0
			for _, u := range users {
				if u.Role == core.RoleAdmin && !u.Disabled {
					admins++
				}
			}
			if admins != 1 {
				t.Errorf("%d enabled admins left (A: %v, B: %v), want 1", admins, errA, errB)
			}
			if errB != nil || !core.IsCode(errA, core.CodeBadUserInput) {
				t.Errorf("A: %v, B: %v; want B's change to stand and A's refused with BAD_USER_INPUT", errA, errB)
			}
		})
	}
}

// TestChangePasswordOvertakenByReset: an admin on another server resets
// the password after changePassword checked the current one and before it
// writes the new one. The reset stands (it is what ends a compromised
// account's access); changePassword is refused.
func TestChangePasswordOvertakenByReset(t *testing.T) {
	a, b, hooks, db := twoAccountProcesses(t)
	old := "correct horse battery staple"
	u, _ := addAccount(t, a, db, "p@example.com", old)
	_, me, hash := signIn(t, a, u.Email, old)
	reset := "the admin's fresh passphrase"
	hooks.after("SessionByTokenHash", func() {
		if err := b.SetPasswordByEmail(t.Context(), u.Email, reset); err != nil {
			t.Errorf("reset: %v", err)
		}
	})
	err := a.ChangePassword(app.WithUser(t.Context(), me, hash), old, "my own new passphrase")
	if !core.IsCode(err, core.CodeBadUserInput) {
		t.Errorf("changePassword after the reset: %v, want BAD_USER_INPUT", err)
	}
	if _, _, _, err := b.Login(t.Context(), u.Email, "my own new passphrase"); err == nil {
		t.Errorf("changePassword wrote over the admin's reset")
	}
	if _, _, _, err := b.Login(t.Context(), u.Email, reset); err != nil {
		t.Errorf("the admin's reset password: %v", err)
	}
}
