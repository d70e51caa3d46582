package app_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/internal/embeddedtest"
	"github.com/stillroom/stillroom/media/localstore"
	"github.com/stillroom/stillroom/sqlitestore"
)

// raceStore wraps a real store and runs a hook once, right after the named
// call returns: a second operation lands exactly in the window between a
// check and the write that relies on it, so a race is run, not hoped for.
type raceStore struct {
	core.Store
	mu    sync.Mutex
	hooks map[string]func()
}

// after runs fn once, after the next call of the store method name.
func (r *raceStore) after(name string, fn func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.hooks == nil {
		r.hooks = map[string]func(){}
	}
	r.hooks[name] = fn
}

func (r *raceStore) fire(name string) {
	r.mu.Lock()
	fn := r.hooks[name]
	delete(r.hooks, name)
	r.mu.Unlock()
	if fn != nil {
		fn()
	}
}

func (r *raceStore) AssetBySHA256(ctx context.Context, sha string) (*core.Asset, error) {
	a, err := r.Store.AssetBySHA256(ctx, sha)
	r.fire("AssetBySHA256")
	return a, err
}

func (r *raceStore) InsertAsset(ctx context.Context, a *core.Asset) error {
	err := r.Store.InsertAsset(ctx, a)
	r.fire("InsertAsset")
	return err
}

func (r *raceStore) DeleteAsset(ctx context.Context, id string) error {
	err := r.Store.DeleteAsset(ctx, id)
	r.fire("DeleteAsset")
	return err
}

func (r *raceStore) AssetsByIDs(ctx context.Context, ids []string) ([]*core.Asset, error) {
	a, err := r.Store.AssetsByIDs(ctx, ids)
	r.fire("AssetsByIDs")
	return a, err
}

func (r *raceStore) GalleriesWithAsset(ctx context.Context, id string) ([]*core.Gallery, error) {
	g, err := r.Store.GalleriesWithAsset(ctx, id)
	r.fire("GalleriesWithAsset")
	return g, err
}

func (r *raceStore) ArticlesWithAsset(ctx context.Context, id string) ([]*core.Article, error) {
	a, err := r.Store.ArticlesWithAsset(ctx, id)
	r.fire("ArticlesWithAsset")
	return a, err
}

func (r *raceStore) GalleriesByIDs(ctx context.Context, ids []string) ([]*core.Gallery, error) {
	g, err := r.Store.GalleriesByIDs(ctx, ids)
	r.fire("GalleriesByIDs")
	return g, err
}

func (r *raceStore) ArticlesWithGallery(ctx context.Context, id string) ([]*core.Article, error) {
	a, err := r.Store.ArticlesWithGallery(ctx, id)
	r.fire("ArticlesWithGallery")
	return a, err
}

// raceFixture is a Service over raceStore on SQLite and objects on local
// disk (no MinIO needed), with an admin signed in on ctx.
type raceFixture struct {
	svc     *app.Service
	db      *sqlitestore.DB
	objects *localstore.Store
	race    *raceStore
	ctx     context.Context
}

func newRaceFixture(t *testing.T, cfg app.Config) *raceFixture {
	t.Helper()
	db, objects := embeddedtest.Open(t)
	race := &raceStore{Store: db}
	admin := &core.User{ID: "admin", Email: "a@example.com", Name: "A", Role: core.RoleAdmin}
	if err := db.InsertUser(t.Context(), admin); err != nil {
		t.Fatal(err)
	}
	return &raceFixture{svc: app.New(race, objects, slog.New(slog.DiscardHandler), cfg), db: db,
		objects: objects, race: race, ctx: app.WithUser(t.Context(), admin, "")}
}

// readyAsset records a READY asset (no objects) with alt text and credit.
func (f *raceFixture) readyAsset(t *testing.T) string {
	t.Helper()
	id := core.NewID()
	at := time.Now().UTC().Add(-3 * time.Hour)
	a := &core.Asset{ID: id, Status: core.AssetReady, SHA256: (id + id + id)[:64], OriginalKey: "originals/x/" + id,
		AltText: "ảnh " + id, Credit: "Ảnh: Stillroom", UploadedBy: "admin", CreatedAt: at, UpdatedAt: at, Version: 1}
	if err := f.db.InsertAsset(f.ctx, a); err != nil {
		t.Fatal(err)
	}
	return id
}
