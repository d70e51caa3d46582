package app_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
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
