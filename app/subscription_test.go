package app_test

import (
	"bytes"
	"log/slog"
	"testing"
	"time"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// TestAssetUpdatesAcrossProcesses: a subscription on one server process
// sees an asset become READY when another process (another Service on the
// same database and bucket) processes it.
func TestAssetUpdatesAcrossProcesses(t *testing.T) {
	f := newFixture(t, app.Config{UploadWait: -1})
	other := app.New(f.db, f.objects, slog.New(slog.DiscardHandler), app.Config{})
	a, err := f.svc.UploadAsset(f.ctx, bytes.NewReader(testJPEG(t, 200, 100, 9)), "elsewhere.jpg", nil)
	if err != nil || a.Status != core.AssetProcessing {
		t.Fatalf("upload: %v %+v", err, a)
	}
	updates, err := f.svc.AssetUpdates(f.ctx, []string{a.ID})
	if err != nil {
		t.Fatal(err)
	}
	// Only the other process runs workers.
	(&fixture{svc: other}).runWorkers(t)
	timeout := time.After(60 * time.Second)
	for {
		select {
		case got := <-updates:
			if got.ID == a.ID && got.Status == core.AssetReady {
				return
			}
		case <-timeout:
			t.Fatal("no READY update within 60s")
		}
	}
}
