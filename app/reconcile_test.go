package app_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/media"
)

// TestReconcile: unreferenced objects go, records whose original is gone
// are FAILED, READY assets with a missing rendition are processed again,
// and everything referenced stays.
func TestReconcile(t *testing.T) {
	f := newFixture(t, app.Config{})
	f.runWorkers(t)
	keep, err := f.svc.UploadAsset(f.ctx, bytes.NewReader(testJPEG(t, 300, 200, 1)), "keep.jpg", nil)
	if err != nil || keep.Status != core.AssetReady {
		t.Fatalf("upload: %v %+v", err, keep)
	}
	lost, err := f.svc.UploadAsset(f.ctx, bytes.NewReader(testJPEG(t, 300, 200, 2)), "lost.jpg", nil)
	if err != nil || lost.Status != core.AssetReady {
		t.Fatalf("upload: %v %+v", err, lost)
	}
	stray := []string{
		app.OriginalKey(strings.Repeat("ab", 32)),
		app.RenditionKey(strings.Repeat("cd", 32), "w512", "jpeg", strings.Repeat("ef", 32)),
		app.RenditionKey(keep.SHA256, "w9999", "jpeg", strings.Repeat("01", 32)), // a rendition the asset does not list
	}
	for _, k := range stray {
		if err := f.objects.Put(f.ctx, k, strings.NewReader("x"), 1, "image/jpeg"); err != nil {
			t.Fatal(err)
		}
	}
	must(t, f.objects.Delete(f.ctx, lost.OriginalKey))
	must(t, f.objects.Delete(f.ctx, keep.Renditions[0].Key))

	// With a grace period, young orphans stay.
	rep, err := f.svc.Reconcile(f.ctx, app.ReconcileOptions{Grace: app.DefaultOrphanGrace})
	must(t, err)
	if len(rep.OrphansRemoved)+len(rep.AssetsFailed)+len(rep.Requeued) != 0 {
		t.Errorf("within the grace period: %+v", rep)
	}
	// A dry run reports and changes nothing.
	dry, err := f.svc.Reconcile(f.ctx, app.ReconcileOptions{DryRun: true})
	must(t, err)
	if len(dry.OrphansRemoved) != 3 || !slices.Equal(dry.AssetsFailed, []string{lost.ID}) || !slices.Equal(dry.Requeued, []string{keep.ID}) {
		t.Fatalf("dry run: %+v", dry)
	}
	if _, err := f.objects.Stat(f.ctx, stray[0]); err != nil {
		t.Fatalf("dry run removed %s: %v", stray[0], err)
	}

	rep, err = f.svc.Reconcile(f.ctx, app.ReconcileOptions{})
	must(t, err)
	if len(rep.OrphansRemoved) != 3 {
		t.Errorf("removed %q, want the 3 stray objects", rep.OrphansRemoved)
	}
	for _, k := range stray {
		if _, err := f.objects.Stat(f.ctx, k); !core.IsCode(err, core.CodeNotFound) {
			t.Errorf("%s still there: %v", k, err)
		}
	}
	got, err := f.db.AssetByID(f.ctx, lost.ID)
	must(t, err)
	if got.Status != core.AssetFailed || !strings.Contains(got.Error, "original") {
		t.Errorf("asset with a missing original: %s %q", got.Status, got.Error)
	}
	// The requeued asset gets its rendition back.
	waitFor(t, func() bool {
		_, err := f.objects.Stat(f.ctx, keep.Renditions[0].Key)
		return err == nil
	})
	// Every object left is referenced.
	err = f.objects.List(f.ctx, "", func(o media.ObjectInfo) error {
		if o.Key != keep.OriginalKey && !slices.ContainsFunc(keep.Renditions, func(r core.Rendition) bool { return r.Key == o.Key }) &&
			!slices.ContainsFunc(lost.Renditions, func(r core.Rendition) bool { return r.Key == o.Key }) {
			t.Errorf("unexpected object %s", o.Key)
		}
		return nil
	})
	must(t, err)
}

// waitFor polls cond until it holds, failing after a generous bound (this
// is a wait for background work, not a timing assertion).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 60s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestReconcileResumesStuckProcessing guards against an asset left
// PROCESSING for good because its job is gone (queueing after the insert
// failed, or the worker could not record the outcome): reconcile queues
// it again once it has been PROCESSING for longer than the grace period,
// leaves a younger one alone, and the queued job makes it READY.
func TestReconcileResumesStuckProcessing(t *testing.T) {
	f := newFixture(t, app.Config{UploadWait: -1})
	stuck, err := f.svc.UploadAsset(f.ctx, bytes.NewReader(testJPEG(t, 300, 200, 3)), "stuck.jpg", nil)
	must(t, err)
	young, err := f.svc.UploadAsset(f.ctx, bytes.NewReader(testJPEG(t, 300, 200, 4)), "young.jpg", nil)
	must(t, err)
	if stuck.Status != core.AssetProcessing || young.Status != core.AssetProcessing {
		t.Fatalf("uploads without workers: %s %s", stuck.Status, young.Status)
	}
	// Both jobs are lost.
	for range 2 {
		j, err := f.db.ClaimJob(f.ctx, "lost", time.Now(), time.Minute)
		must(t, err)
		must(t, f.db.CompleteJob(f.ctx, j.ID, "lost"))
	}
	a, err := f.db.AssetByID(f.ctx, stuck.ID)
	must(t, err)
	a.UpdatedAt = time.Now().UTC().Add(-3 * time.Hour)
	must(t, f.db.UpdateAsset(f.ctx, a))

	rep, err := f.svc.Reconcile(f.ctx, app.ReconcileOptions{Grace: time.Hour})
	must(t, err)
	if !slices.Equal(rep.Resumed, []string{stuck.ID}) {
		t.Fatalf("resumed %q, want only %s", rep.Resumed, stuck.ID)
	}
	if n, err := f.db.CountJobs(f.ctx); err != nil || n != 1 {
		t.Fatalf("jobs after reconcile: %d %v, want 1", n, err)
	}
	f.runWorkers(t)
	waitFor(t, func() bool {
		a, err := f.db.AssetByID(f.ctx, stuck.ID)
		return err == nil && a.Status == core.AssetReady && len(a.Renditions) > 0
	})
}

// TestReconcileRemovesExpiredSessions guards against expired sessions
// piling up forever: the periodic reconcile deletes them (a dry run does
// not), and live sessions stay.
func TestReconcileRemovesExpiredSessions(t *testing.T) {
	f := newFixture(t, app.Config{UploadWait: -1})
	now := time.Now().UTC()
	expired := &core.Session{TokenHash: strings.Repeat("e", 64), UserID: "admin", CreatedAt: now.Add(-48 * time.Hour), ExpiresAt: now.Add(-time.Hour)}
	live := &core.Session{TokenHash: strings.Repeat("f", 64), UserID: "admin", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	must(t, f.db.InsertSession(f.ctx, expired))
	must(t, f.db.InsertSession(f.ctx, live))

	rep, err := f.svc.Reconcile(f.ctx, app.ReconcileOptions{Grace: time.Hour, DryRun: true})
	must(t, err)
	if _, err := f.db.SessionByTokenHash(f.ctx, expired.TokenHash); err != nil || rep.SessionsRemoved != 0 {
		t.Fatalf("a dry run removed sessions: %v, report %d", err, rep.SessionsRemoved)
	}
	rep, err = f.svc.Reconcile(f.ctx, app.ReconcileOptions{Grace: time.Hour})
	must(t, err)
	if rep.SessionsRemoved != 1 {
		t.Errorf("sessions removed: %d, want 1", rep.SessionsRemoved)
	}
	if _, err := f.db.SessionByTokenHash(f.ctx, expired.TokenHash); !core.IsCode(err, core.CodeNotFound) {
		t.Errorf("expired session still there: %v", err)
	}
	if _, err := f.db.SessionByTokenHash(f.ctx, live.TokenHash); err != nil {
		t.Errorf("live session: %v", err)
	}
}
