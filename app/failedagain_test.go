package app_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/media"
	"github.com/stillroom/stillroom/media/localstore"
	"github.com/stillroom/stillroom/sqlitestore"
)

// downRenditions is an object store whose rendition writes fail while
// down is set (storage out for longer than a job's attempts).
type downRenditions struct {
	media.ObjectStore
	down atomic.Bool
}

func (d *downRenditions) Put(ctx context.Context, key string, r io.Reader, size int64, ct string) error {
	if d.down.Load() && strings.HasPrefix(key, "renditions/") {
		return errors.New("storage unavailable")
	}
	return d.ObjectStore.Put(ctx, key, r, size, ct)
}

// TestUploadAgainRetriesAFailedAsset: an asset that FAILED because storage
// was down through every attempt is processed again when the same file is
// uploaded again (the way people and `stillroom import` retry), and comes
// back READY; before, the upload answered the FAILED asset and queued
// nothing, for good.
func TestUploadAgainRetriesAFailedAsset(t *testing.T) {
	db, err := sqlitestore.Open(t.Context(), sqlitestore.Config{Path: filepath.Join(t.TempDir(), "stillroom.db")})
	must(t, err)
	t.Cleanup(func() { db.Close(context.Background()) })
	disk, err := localstore.New(t.TempDir())
	must(t, err)
	objects := &downRenditions{ObjectStore: disk}
	svc := app.New(db, objects, slog.New(slog.DiscardHandler), app.Config{UploadWait: -1, MaxJobAttempts: 1})
	admin := &core.User{ID: "admin", Email: "a@example.com", Name: "A", Role: core.RoleAdmin}
	must(t, db.InsertUser(t.Context(), admin))
	ctx := app.WithUser(t.Context(), admin, "")
	f := &fixture{svc: svc, db: db, ctx: ctx}
	f.runWorkers(t)

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
