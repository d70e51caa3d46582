package app_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/media"
)

// TestRegenerationNeverRewritesRecordedBytes: a regeneration of a READY
// asset (a new focal point) that fails part-way leaves every rendition the
// record names with the bytes the record describes (its ETag is served
// with a year of immutable caching); before, the renditions written before
// the failure had been overwritten under their recorded ETags. After one
// that succeeds, reconcile removes what no record names any more, and
// nothing the record names.
func TestRegenerationNeverRewritesRecordedBytes(t *testing.T) {
	f, objects, disk := newFailingFixture(t, 30*time.Second, func(key string) bool { return strings.Contains(key, "/social.") })
	svc, db, ctx := f.svc, f.db, f.ctx
	a, err := svc.UploadAsset(ctx, bytes.NewReader(testJPEG(t, 1600, 1200, 5)), "Sequence 01.00_00_04_21.Still120.jpg", nil)
	must(t, err)
	if a.Status != core.AssetReady {
		t.Fatalf("upload: %s", a.Status)
	}
	// matches checks every rendition the record names against its object.
	matches := func(when string, g *core.Asset) {
		t.Helper()
		for _, r := range g.Renditions {
			obj, err := disk.Open(ctx, r.Key)
			if err != nil {
				t.Errorf("%s: %s %s: %v", when, r.Name, r.Format, err)
				continue
			}
			b, _ := io.ReadAll(obj)
			obj.Close()
			sum := sha256.Sum256(b)
			if hex.EncodeToString(sum[:]) != r.ETag || int64(len(b)) != r.ByteSize {
				t.Errorf("%s: %s %s holds other bytes than its record says (ETag %s…)", when, r.Name, r.Format, r.ETag[:12])
			}
		}
	}
	waitIdle := func() *core.Asset {
		t.Helper()
		waitFor(t, func() bool { n, err := db.CountJobs(ctx); return err == nil && n == 0 })
		g, err := db.AssetByID(ctx, a.ID)
		must(t, err)
		return g
	}

	objects.down.Store(true)
	fp := core.FocalPoint{X: 0.02, Y: 0.98}
	_, err = svc.UpdateAsset(ctx, a.ID, app.AssetPatch{FocalPoint: &fp}, nil)
	must(t, err)
	g := waitIdle()
	if g.Status != core.AssetReady || len(g.Renditions) != len(a.Renditions) {
		t.Fatalf("after the failed regeneration: %s with %d renditions, want READY with its %d", g.Status, len(g.Renditions), len(a.Renditions))
	}
	matches("after a failed regeneration", g)

	objects.down.Store(false)
	_, err = svc.ReprocessAsset(ctx, a.ID)
	must(t, err)
	g = waitIdle()
	matches("after a regeneration", g)
	listed := map[string]bool{}
	for _, r := range g.Renditions {
		listed[r.Key] = true
	}
	// What the record no longer names (the replaced renditions, the
	// failed run's) reconcile removes, and nothing else.
	if _, err := svc.Reconcile(ctx, app.ReconcileOptions{}); err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	must(t, disk.List(ctx, "renditions/"+a.SHA256+"/", func(o media.ObjectInfo) error {
		stored[o.Key] = true
		if !listed[o.Key] {
			t.Errorf("after reconcile, %s is stored and no record names it", o.Key)
		}
		return nil
	}))
	for k := range listed {
		if !stored[k] {
			t.Errorf("after reconcile, %s is gone", k)
		}
	}
}
