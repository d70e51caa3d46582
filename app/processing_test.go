package app_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/media"
)

// TestRefocusWhileProcessingRunsAgain guards against losing a focal point
// set while the asset's job is being processed (by this process or
// another): the worker's renditions were cropped around the old point, so
// when it completes its job the job must stay queued and run again, rather
// than leave the queue empty and the crops stale.
func TestRefocusWhileProcessingRunsAgain(t *testing.T) {
	f := newFixture(t, app.Config{UploadWait: -1})
	a, err := f.svc.UploadAsset(f.ctx, bytes.NewReader(testJPEG(t, 640, 480, 9)), "pho.jpg", nil)
	must(t, err)
	// A worker of another process has claimed the asset's job.
	job, err := f.db.ClaimJob(f.ctx, "other-process", time.Now(), time.Minute)
	must(t, err)
	if job.AssetID != a.ID {
		t.Fatalf("claimed job of %s, want %s", job.AssetID, a.ID)
	}
	// Meanwhile the editor sets a focal point.
	fp := core.FocalPoint{X: 0.05, Y: 0.95}
	if _, err := f.svc.UpdateAsset(f.ctx, a.ID, app.AssetPatch{FocalPoint: &fp}, nil); err != nil {
		t.Fatal(err)
	}
	// The worker finishes, with crops made around the old point.
	must(t, f.db.CompleteJob(f.ctx, job.ID, "other-process"))
	if n, err := f.db.CountJobs(f.ctx); err != nil || n != 1 {
		t.Fatalf("jobs after the worker completed: %d %v, want 1 (the focal point change is lost)", n, err)
	}
	// This process's workers run it again.
	f.runWorkers(t)
	waitFor(t, func() bool {
		n, err := f.db.CountJobs(f.ctx)
		got, gerr := f.db.AssetByID(f.ctx, a.ID)
		return err == nil && gerr == nil && n == 0 && got.Status == core.AssetReady
	})
	got, err := f.db.AssetByID(f.ctx, a.ID)
	must(t, err)
	if got.FocalPoint == nil || *got.FocalPoint != fp || len(got.Renditions) == 0 {
		t.Errorf("after the rerun: focal point %v, %d renditions", got.FocalPoint, len(got.Renditions))
	}
}

// heldOpens is the test's object store (a real bucket) with one twist:
// opening the key held blocks until release is closed, so a job that reads
// it runs as long as the test wants. It counts the opens of that key.
type heldOpens struct {
	media.ObjectStore
	held    string
	release chan struct{}
	opens   atomic.Int32
}

func (h *heldOpens) Open(ctx context.Context, key string) (media.Object, error) {
	if key == h.held {
		h.opens.Add(1)
		select {
		case <-h.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return h.ObjectStore.Open(ctx, key)
}

// renewals counts the lease renewals that succeeded.
type renewals struct {
	core.Store
	n atomic.Int32
}

func (r *renewals) RenewJob(ctx context.Context, id, owner string, until time.Time) error {
	err := r.Store.RenewJob(ctx, id, owner, until)
	if err == nil {
		r.n.Add(1)
	}
	return err
}

// TestLongJobKeepsItsLease guards the promise that each job is claimed
// once: a job that runs for several lease terms (a huge image on a busy
// machine) renews its lease, so another worker never takes it over and
// makes the renditions a second time. Time passing is the point here: the
// test holds the job until its lease was renewed seven times, over two
// lease terms, rather than for a fixed time, so a slow machine only makes
// it wait longer; a renewal has a third of the lease (1.3 s) to come.
// Without renewals the wait ends in failure, and the other worker takes
// the job once the first term is over.
func TestLongJobKeepsItsLease(t *testing.T) {
	const lease = 4 * time.Second // renewed every 1.33 s
	f := newFixture(t, app.Config{UploadWait: -1})
	objects := &heldOpens{ObjectStore: f.objects, release: make(chan struct{})}
	store := &renewals{Store: f.db}
	svc := app.New(store, objects, slog.New(slog.DiscardHandler), app.Config{UploadWait: -1, Workers: 2, JobLease: lease})
	a, err := svc.UploadAsset(f.ctx, bytes.NewReader(testJPEG(t, 640, 480, 11)), "long.jpg", nil)
	must(t, err)
	objects.held = a.OriginalKey
	// Keys are only read by the workers from here on.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { svc.RunWorkers(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	waitFor(t, func() bool { return objects.opens.Load() == 1 })
	claimed := time.Now()
	waitFor(t, func() bool { return store.n.Load() >= 7 || objects.opens.Load() > 1 })
	t.Logf("figure: %d renewals in %s (lease %s)", store.n.Load(), time.Since(claimed).Round(time.Millisecond), lease)
	if n := objects.opens.Load(); n != 1 {
		t.Fatalf("after %d renewals the original was opened %d times: another worker took the running job", store.n.Load(), n)
	}
	close(objects.release)
	waitFor(t, func() bool {
		n, err := f.db.CountJobs(f.ctx)
		got, gerr := f.db.AssetByID(f.ctx, a.ID)
		return err == nil && gerr == nil && n == 0 && got.Status == core.AssetReady
	})
	if n := objects.opens.Load(); n != 1 {
		t.Errorf("the job ran %d times, want once", n)
	}
}

// TestFocalPointAtCorner: a focal point set at the top-left corner, (0, 0),
// is a person's choice like any other, and the square crop is cut there,
// not around the automatic default.
func TestFocalPointAtCorner(t *testing.T) {
	f := newFixture(t, app.Config{UploadWait: -1})
	img := image.NewRGBA(image.Rect(0, 0, 800, 400))
	for y := range 400 {
		for x := range 800 {
			c := color.RGBA{220, 20, 20, 255} // left half red
			if x >= 400 {
				c = color.RGBA{20, 20, 220, 255} // right half blue
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	must(t, jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}))
	a, err := f.svc.UploadAsset(f.ctx, &buf, "corner.jpg", nil)
	must(t, err)
	fp := core.FocalPoint{X: 0, Y: 0}
	_, err = f.svc.UpdateAsset(f.ctx, a.ID, app.AssetPatch{FocalPoint: &fp}, nil)
	must(t, err)
	f.runWorkers(t)
	var got *core.Asset
	waitFor(t, func() bool {
		n, err := f.db.CountJobs(f.ctx)
		got, _ = f.db.AssetByID(f.ctx, a.ID)
		return err == nil && n == 0 && got != nil && got.Status == core.AssetReady
	})
	for _, r := range got.Renditions {
		if r.Name != "square512" || r.Format != "jpeg" {
			continue
		}
		obj, err := f.objects.Open(f.ctx, r.Key)
		must(t, err)
		sq, err := jpeg.Decode(obj)
		obj.Close()
		must(t, err)
		w := sq.Bounds().Dx()
		// The whole square lies in the left (red) half.
		if rr, _, bb, _ := sq.At(w-2, w/2).RGBA(); rr>>8 < 150 || bb>>8 > 100 {
			t.Errorf("square512's right edge is rgb(%d, _, %d): cut around the default, not the corner", rr>>8, bb>>8)
		}
		return
	}
	t.Fatal("no square512 JPEG")
}

// TestTinyJobLease: a lease of a few nanoseconds (STILLROOM_JOB_LEASE is
// any positive duration) makes renewals come as often as they may, never
// a panic in the worker (time.NewTicker refuses a zero interval), and the
// asset is still processed.
func TestTinyJobLease(t *testing.T) {
	f := newFixture(t, app.Config{UploadWait: -1})
	svc := app.New(f.db, f.objects, slog.New(slog.DiscardHandler), app.Config{UploadWait: -1, Workers: 1, JobLease: 2 * time.Nanosecond})
	a, err := svc.UploadAsset(f.ctx, bytes.NewReader(testJPEG(t, 320, 240, 12)), "tiny.jpg", nil)
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { svc.RunWorkers(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, func() bool {
		got, err := f.db.AssetByID(f.ctx, a.ID)
		return err == nil && got.Status == core.AssetReady
	})
}
