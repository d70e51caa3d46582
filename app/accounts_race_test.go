package app_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/media/localstore"
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

// twoAccountProcesses is two services on two handles of one SQLite file,
// as two server processes (or a server and the command line) on one data
// folder are. The first one's store has hooks; db is a third handle to
// look with.
func twoAccountProcesses(t *testing.T) (a, b *app.Service, hooks *accountHooks, db *sqlitestore.DB) {
	t.Helper()
	dir := t.TempDir()
	open := func() *sqlitestore.DB {
		db, err := sqlitestore.Open(t.Context(), sqlitestore.Config{Path: filepath.Join(dir, "stillroom.db")})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close(context.Background()) })
		return db
	}
	objects, err := localstore.New(filepath.Join(dir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
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
