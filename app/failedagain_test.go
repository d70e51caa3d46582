package app_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/internal/embeddedtest"
	"github.com/stillroom/stillroom/media"
	"github.com/stillroom/stillroom/media/localstore"
)

// failingPuts is an object store whose writes of the keys fail matches
// fail while down is set (storage out for longer than a job's attempts).
type failingPuts struct {
	media.ObjectStore
	fails func(key string) bool
	down  atomic.Bool
}

func (f *failingPuts) Put(ctx context.Context, key string, r io.Reader, size int64, ct string) error {
	if f.down.Load() && f.fails(key) {
		return errors.New("storage unavailable")
	}
	return f.ObjectStore.Put(ctx, key, r, size, ct)
}

// newFailingFixture is a service on an embedded database and objects on
// disk behind a failingPuts (fails picks the keys), one attempt per job,
// its workers running, an admin signed in.
func newFailingFixture(t *testing.T, uploadWait time.Duration, fails func(key string) bool) (*fixture, *failingPuts, *localstore.Store) {
	t.Helper()
	db, disk := embeddedtest.Open(t)
	objects := &failingPuts{ObjectStore: disk, fails: fails}
	svc := app.New(db, objects, slog.New(slog.DiscardHandler), app.Config{UploadWait: uploadWait, MaxJobAttempts: 1})
	admin := &core.User{ID: "admin", Email: "a@example.com", Name: "A", Role: core.RoleAdmin}
	must(t, db.InsertUser(t.Context(), admin))
	f := &fixture{svc: svc, db: db, objects: objects, ctx: app.WithUser(t.Context(), admin, "")}
	f.runWorkers(t)
	return f, objects, disk
}

// TestUploadAgainRetriesAFailedAsset: an asset that FAILED because storage
// was down through every attempt is processed again when the same file is
// uploaded again (the way people and `stillroom import` retry), and comes
// back READY; before, the upload answered the FAILED asset and queued
// nothing, for good.
func TestUploadAgainRetriesAFailedAsset(t *testing.T) {
	f, objects, _ := newFailingFixture(t, -1, func(key string) bool { return strings.HasPrefix(key, "renditions/") })
	svc, db, ctx := f.svc, f.db, f.ctx
	objects.down.Store(true)
	data := testJPEG(t, 640, 480, 3)
	a, err := svc.UploadAsset(ctx, bytes.NewReader(data), "Sequence 01.00_00_04_21.Still120.jpg", nil)
	must(t, err)
	waitFor(t, func() bool { g, err := db.AssetByID(ctx, a.ID); return err == nil && g.Status == core.AssetFailed })

	objects.down.Store(false)
	b, err := svc.UploadAsset(ctx, bytes.NewReader(data), "Sequence 01.00_00_04_21.Still120.jpg", nil)
	must(t, err)
	if b.ID != a.ID || b.Status == core.AssetFailed {
		t.Fatalf("uploading the file again answered %s %s (%q); want the same asset, processing again", b.ID, b.Status, b.Error)
	}
	waitFor(t, func() bool { g, err := db.AssetByID(ctx, a.ID); return err == nil && g.Status == core.AssetReady })
}
