package app_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/media"
)

// TestUpgradeRegeneratesInBackground stands for an upgrade: assets made by
// an older pipeline (version below media.PipelineVersion, without the WebP
// twins and the social card) are in the library when a server with the
// new pipeline starts. They gain the new renditions in the background, one
// at a time, and stay READY with their old renditions throughout.
func TestUpgradeRegeneratesInBackground(t *testing.T) {
	cfg := app.Config{UpgradeInterval: 20 * time.Millisecond}
	f := newFixture(t, cfg)

	// The library as the old server left it.
	first, stopFirst := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.svc.RunWorkers(first); close(done) }()
	var ids []string
	for i := range 4 {
		a, err := f.svc.UploadAsset(f.ctx, bytes.NewReader(testJPEG(t, 640, 480, uint8(i))), fmt.Sprintf("old%d.jpg", i), nil)
		if err != nil || a.Status != core.AssetReady {
			t.Fatalf("upload: %v %+v", err, a)
		}
		ids = append(ids, a.ID)
	}
	stopFirst()
	<-done
	old := map[string][]core.Rendition{}
	for _, id := range ids {
		a, err := f.db.AssetByID(f.ctx, id)
		must(t, err)
		var kept []core.Rendition
		for _, r := range a.Renditions {
			if r.Format == core.FormatWebP || r.Name == "social" {
				must(t, f.objects.Delete(f.ctx, r.Key))
				continue
			}
			kept = append(kept, r)
		}
		if len(kept) != 5 {
			t.Fatalf("%d JPEG renditions, want 5", len(kept))
		}
		a.Renditions, a.PipelineVersion = kept, media.PipelineVersion-1
		must(t, f.db.UpdateAsset(f.ctx, a))
		old[id] = kept
	}

	// The new server starts on the same database and objects.
	svc := app.New(f.db, f.objects, slog.New(slog.DiscardHandler), cfg)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { svc.RunWorkers(ctx); close(stopped) }()
	t.Cleanup(func() { cancel(); <-stopped })

	maxJobs := int64(0)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		n, _, err := svc.QueueStats(f.ctx)
		must(t, err)
		maxJobs = max(maxJobs, n)
		upgraded := 0
		for _, id := range ids {
			a, err := f.db.AssetByID(f.ctx, id)
			must(t, err)
			if a.Status != core.AssetReady {
				t.Fatalf("%s is %s while being regenerated", id, a.Status)
			}
			if a.PipelineVersion == media.PipelineVersion {
				upgraded++
				continue
			}
			// Not yet: the old renditions are still listed and served.
			if len(a.Renditions) != len(old[id]) {
				t.Fatalf("%s: %d renditions before its upgrade, want the %d old ones", id, len(a.Renditions), len(old[id]))
			}
			for _, r := range a.Renditions {
				if _, err := f.objects.Stat(f.ctx, r.Key); err != nil {
					t.Fatalf("%s: old rendition %s: %v", id, r.Key, err)
				}
			}
		}
		if upgraded == len(ids) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d assets upgraded in time", upgraded, len(ids))
		}
		time.Sleep(5 * time.Millisecond)
	}
	if maxJobs > 1 {
		t.Errorf("%d jobs queued at once, want the upgrades one at a time", maxJobs)
	}
	for _, id := range ids {
		a, err := f.db.AssetByID(f.ctx, id)
		must(t, err)
		if len(a.Renditions) != 11 || a.Rendition("social") == nil || a.RenditionIn("w1024", core.FormatWebP) == nil {
			t.Errorf("%s after the upgrade: %d renditions %+v", id, len(a.Renditions), a.Renditions)
		}
		for _, r := range a.Renditions {
			if _, err := f.objects.Stat(f.ctx, r.Key); err != nil {
				t.Errorf("%s: %s: %v", id, r.Key, err)
			}
		}
		// The JPEG set is remade from the same original: same keys.
		for _, r := range old[id] {
			if a.Rendition(r.Name).Key != r.Key {
				t.Errorf("%s: %s moved from %s to %s", id, r.Name, r.Key, a.Rendition(r.Name).Key)
			}
		}
	}
}

// TestUpgradeWaitsForUploads checks that background regeneration yields to
// the queue: while a job is due, no upgrade is queued.
func TestUpgradeWaitsForUploads(t *testing.T) {
	f := newFixture(t, app.Config{UpgradeInterval: 10 * time.Millisecond})
	first, stopFirst := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.svc.RunWorkers(first); close(done) }()
	a, err := f.svc.UploadAsset(f.ctx, bytes.NewReader(testJPEG(t, 320, 240, 9)), "old.jpg", nil)
	if err != nil || a.Status != core.AssetReady {
		t.Fatalf("upload: %v %+v", err, a)
	}
	stopFirst()
	<-done
	a, err = f.db.AssetByID(f.ctx, a.ID)
	must(t, err)
	a.PipelineVersion = media.PipelineVersion - 1
	must(t, f.db.UpdateAsset(f.ctx, a))
	// A job is due (an upload waiting for a worker) and no worker runs:
	// the maintenance loop alone must not queue the upgrade.
	blocker := &core.Job{ID: core.NewID(), Kind: "process", AssetID: "000000000000000000000000", RunAt: time.Now(), CreatedAt: time.Now()}
	must(t, f.db.EnqueueJob(f.ctx, blocker))
	store := &countedQueueStats{Store: f.db}
	svc := app.New(store, f.objects, slog.New(slog.DiscardHandler), app.Config{UpgradeInterval: 10 * time.Millisecond, Workers: 1})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	// Claim the blocker first so that the worker holds it: a due job
	// that is leased still counts as due work.
	job, err := f.db.ClaimJob(f.ctx, "someone-else", time.Now(), time.Minute)
	must(t, err)
	go func() { svc.RunWorkers(ctx); close(stopped) }()
	t.Cleanup(func() { cancel(); <-stopped })
	// The maintenance loop looks at the queue before each upgrade: let it
	// look a few times while the job is due.
	waitFor(t, func() bool { return store.calls.Load() >= 5 })
	n, _, err := svc.QueueStats(f.ctx)
	must(t, err)
	if n != 1 {
		t.Fatalf("%d jobs while another was due, want only that one", n)
	}
	must(t, f.db.CompleteJob(f.ctx, job.ID, "someone-else"))
	deadline := time.Now().Add(time.Minute)
	for {
		a, err := f.db.AssetByID(f.ctx, a.ID)
		must(t, err)
		if a.PipelineVersion == media.PipelineVersion {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("not upgraded once the queue was free")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSocialRendition: the card when there is one, w1024 for an asset an
// older pipeline made, nothing for an asset that is not READY.
func TestSocialRendition(t *testing.T) {
	a := &core.Asset{Status: core.AssetReady, Renditions: []core.Rendition{
		{Name: "w1024", Format: "jpeg"}, {Name: "w1024", Format: core.FormatWebP},
	}}
	if r := app.SocialRendition(a); r == nil || r.Name != "w1024" || r.Format != "jpeg" {
		t.Errorf("without a card: %+v", r)
	}
	a.Renditions = append(a.Renditions, core.Rendition{Name: "social", Format: "jpeg"})
	if r := app.SocialRendition(a); r == nil || r.Name != "social" {
		t.Errorf("with a card: %+v", r)
	}
	a.Status = core.AssetProcessing
	if r := app.SocialRendition(a); r != nil {
		t.Errorf("processing: %+v", r)
	}
	if r := app.SocialRendition(nil); r != nil {
		t.Errorf("nil asset: %+v", r)
	}
}

// countedQueueStats is a store that counts the calls of QueueStats.
type countedQueueStats struct {
	core.Store
	calls atomic.Int64
}

func (s *countedQueueStats) QueueStats(ctx context.Context, now time.Time) (int64, *time.Time, error) {
	defer s.calls.Add(1)
	return s.Store.QueueStats(ctx, now)
}
