package app

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/media"
	"github.com/stillroom/stillroom/media/localstore"
	"github.com/stillroom/stillroom/sqlitestore"
)

// rendersDown is objects on disk whose rendition writes fail while down
// is set (storage out).
type rendersDown struct {
	media.ObjectStore
	down atomic.Bool
}

func (r *rendersDown) Put(ctx context.Context, key string, rd io.Reader, size int64, ct string) error {
	if r.down.Load() && strings.HasPrefix(key, "renditions/") {
		return errors.New("storage unavailable")
	}
	return r.ObjectStore.Put(ctx, key, rd, size, ct)
}

// testClock is the service's clock, moved by the test.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// reprocessFixture is a service on SQLite and disk whose rendition writes
// fail, on the test's clock, with no workers: the test runs each job
// (work) when it wants, as a worker would. Jobs get two attempts.
type reprocessFixture struct {
	s       *Service
	objects *rendersDown
	clock   *testClock
	ctx     context.Context
	asset   *core.Asset
}

func newReprocessFixture(t *testing.T) *reprocessFixture {
	t.Helper()
	db, err := sqlitestore.Open(t.Context(), sqlitestore.Config{Path: filepath.Join(t.TempDir(), "stillroom.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(context.Background()) })
	disk, err := localstore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	objects := &rendersDown{ObjectStore: disk}
	objects.down.Store(true)
	clock := &testClock{t: time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)}
	s := New(db, objects, slog.New(slog.DiscardHandler), Config{UploadWait: -1, MaxJobAttempts: 2})
	s.now = clock.now
	admin := &core.User{ID: "admin", Email: "a@example.com", Name: "A", Role: core.RoleAdmin}
	if err := db.InsertUser(t.Context(), admin); err != nil {
		t.Fatal(err)
	}
	ctx := WithUser(t.Context(), admin, "")
	img := image.NewRGBA(image.Rect(0, 0, 640, 480))
	for y := range 480 {
		for x := range 640 {
			img.SetRGBA(x, y, color.RGBA{uint8(x), uint8(y), 7, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	a, err := s.UploadAsset(ctx, &buf, "dao.jpg", nil)
	if err != nil {
		t.Fatal(err)
	}
	return &reprocessFixture{s: s, objects: objects, clock: clock, ctx: ctx, asset: a}
}

// claim takes the asset's job as this process's worker would now; ok is
// false when no job is due.
func (f *reprocessFixture) claim(t *testing.T) (*core.Job, bool) {
	t.Helper()
	job, err := f.s.store.ClaimJob(f.ctx, f.s.owner, f.clock.now(), f.s.cfg.JobLease)
	if core.IsCode(err, core.CodeNotFound) {
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	if job.AssetID != f.asset.ID {
		t.Fatalf("claimed the job of %s, want %s", job.AssetID, f.asset.ID)
	}
	return job, true
}

func (f *reprocessFixture) status(t *testing.T) core.AssetStatus {
	t.Helper()
	a, err := f.s.store.AssetByID(f.ctx, f.asset.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a.Status
}

// TestReprocessWhileWaitingToRetry: a person's reprocessAsset made while
// the asset's job waits out its backoff after a failure runs at once, with
// the job's attempts restarted, whether the job was waiting or running
// when they asked; before, the request waited the backoff (up to 256 s)
// and counted the failures before it, so the asset could go FAILED after
// fewer tries than promised.
func TestReprocessWhileWaitingToRetry(t *testing.T) {
	t.Run("waiting", func(t *testing.T) {
		f := newReprocessFixture(t)
		job, ok := f.claim(t)
		if !ok {
			t.Fatal("the upload's job is not due")
		}
		f.s.runJob(f.ctx, job) // storage down: it waits to retry
		if _, ok := f.claim(t); ok {
			t.Fatal("a failed job is due again at once; the test needs one waiting its backoff")
		}

		if _, err := f.s.ReprocessAsset(f.ctx, f.asset.ID); err != nil {
			t.Fatal(err)
		}
		job, ok = f.claim(t)
		if !ok {
			t.Fatal("after reprocessAsset the job still waits its backoff")
		}
		if job.Attempts != 1 {
			t.Fatalf("after reprocessAsset the job runs as attempt %d, want 1 (attempts restarted)", job.Attempts)
		}
		// Still down: the restarted job has its second attempt left.
		f.s.runJob(f.ctx, job)
		if got := f.status(t); got != core.AssetProcessing {
			t.Fatalf("after the first try since reprocessAsset the asset is %s, want PROCESSING (a try left)", got)
		}
		f.objects.down.Store(false)
		f.clock.advance(time.Minute)
		job, ok = f.claim(t)
		if !ok {
			t.Fatal("the retry is not due after its backoff")
		}
		f.s.runJob(f.ctx, job)
		if got := f.status(t); got != core.AssetReady {
			t.Fatalf("after storage came back the asset is %s, want READY", got)
		}
	})

	t.Run("running", func(t *testing.T) {
		f := newReprocessFixture(t)
		job, ok := f.claim(t)
		if !ok {
			t.Fatal("the upload's job is not due")
		}
		// Asked for while the worker runs the job, which then fails.
		if _, err := f.s.ReprocessAsset(f.ctx, f.asset.ID); err != nil {
			t.Fatal(err)
		}
		f.s.runJob(f.ctx, job)
		job, ok = f.claim(t)
		if !ok {
			t.Fatal("reprocessAsset during a run that failed: the job waits its backoff")
		}
		if job.Attempts != 1 {
			t.Fatalf("after reprocessAsset the job runs as attempt %d, want 1 (attempts restarted)", job.Attempts)
		}
		f.objects.down.Store(false)
		f.s.runJob(f.ctx, job)
		if got := f.status(t); got != core.AssetReady {
			t.Fatalf("after storage came back the asset is %s, want READY", got)
		}
	})
}
