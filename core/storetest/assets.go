package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
)

// FullAsset returns an asset with every field set, times in whole
// milliseconds.
func FullAsset(sha string) *core.Asset {
	return &core.Asset{
		ID:          core.NewID(),
		Status:      core.AssetReady,
		Error:       "earlier attempt failed",
		Filename:    "Sequence 01.00_00_04_21.Still120.jpg",
		MimeType:    "image/jpeg",
		ByteSize:    8_123_456,
		SHA256:      sha,
		OriginalKey: "originals/ab/cd/" + sha,
		Width:       6000,
		Height:      4000,
		Caption:     "Harbour at dawn",
		AltText:     "Fishing boats moored in a calm harbour",
		Credit:      "A. Photographer",
		Copyright:   "© 2026 Stillroom",
		Tags:        []string{"harbour", "dawn"},
		TakenAt:     ptr(at(-48 * time.Hour)),
		Timecode:    &core.Timecode{Hours: 0, Minutes: 0, Seconds: 4, Frames: 21, Still: 120},
		Camera: &core.Camera{
			Make: "Canon", Model: "EOS R5", Lens: "RF24-70mm F2.8 L IS USM",
			FocalLength: 35, Aperture: 5.6, ExposureTime: "1/250", ISO: 200,
		},
		Location:      &core.GeoPoint{Lat: 59.9139, Lng: 10.7522},
		Blurhash:      "LEHV6nWB2yk8pyo0adR*.7kCMdnj",
		DominantColor: "#334455",
		FocalPoint:    &core.FocalPoint{X: 0.25, Y: 0.75},
		Renditions: []core.Rendition{
			{Name: "w2048", Width: 2048, Height: 1365, Format: "jpeg", ByteSize: 400_000, Key: "renditions/" + sha + "/w2048.jpg", ETag: "e1"},
			{Name: "w256", Width: 256, Height: 171, Format: "jpeg", ByteSize: 9_000, Key: "renditions/" + sha + "/w256.jpg", ETag: "e2"},
		},
		PipelineVersion: 3,
		UploadedBy:      "user-1",
		SearchTokens:    []string{"harbour", "dawn", "boats"},
		Version:         1,
		CreatedAt:       at(0),
		UpdatedAt:       at(time.Minute),
	}
}

func testAssets(t *testing.T, db core.Store) {
	ctx := t.Context()
	a := FullAsset("sha-a")
	mustNil(t, db.InsertAsset(ctx, a))

	got, err := db.AssetByID(ctx, a.ID)
	mustNil(t, err)
	wantEqual(t, got, a)
	got, err = db.AssetBySHA256(ctx, "sha-a")
	mustNil(t, err)
	wantEqual(t, got, a)

	// A minimal asset reads back with its optional parts nil.
	minimal := &core.Asset{ID: core.NewID(), Status: core.AssetProcessing, SHA256: "sha-min", Version: 1, CreatedAt: at(0), UpdatedAt: at(0)}
	mustNil(t, db.InsertAsset(ctx, minimal))
	got, err = db.AssetByID(ctx, minimal.ID)
	mustNil(t, err)
	wantEqual(t, got, minimal)

	dup := FullAsset("sha-a")
	err = db.InsertAsset(ctx, dup)
	wantCode(t, err, core.CodeConflict)
	if msg := core.ErrorMessage(err); msg != "asset with the same content exists" {
		t.Errorf("message %q", msg)
	}

	_, err = db.AssetByID(ctx, "missing")
	wantCode(t, err, core.CodeNotFound)
	if msg := core.ErrorMessage(err); msg != "asset missing not found" {
		t.Errorf("message %q", msg)
	}
	_, err = db.AssetBySHA256(ctx, "sha-none")
	wantCode(t, err, core.CodeNotFound)

	list, err := db.AssetsByIDs(ctx, []string{a.ID, "missing", minimal.ID, a.ID})
	mustNil(t, err)
	if len(list) != 2 {
		t.Fatalf("AssetsByIDs: %d assets, want 2", len(list))
	}
	list, err = db.AssetsByIDs(ctx, []string{})
	mustNil(t, err)
	if len(list) != 0 {
		t.Fatalf("AssetsByIDs(empty): %d assets", len(list))
	}

	mustNil(t, db.DeleteAsset(ctx, minimal.ID))
	wantCode(t, db.DeleteAsset(ctx, minimal.ID), core.CodeNotFound)
	_, err = db.AssetByID(ctx, minimal.ID)
	wantCode(t, err, core.CodeNotFound)
}

func testUpdateAsset(t *testing.T, db core.Store) {
	ctx := t.Context()
	a := FullAsset("sha-a")
	mustNil(t, db.InsertAsset(ctx, a))
	other := FullAsset("sha-b")
	mustNil(t, db.InsertAsset(ctx, other))

	stale := *a
	a.Caption = "New caption"
	a.Renditions = nil
	mustNil(t, db.UpdateAsset(ctx, a))
	if a.Version != 2 {
		t.Fatalf("Version = %d after update, want 2", a.Version)
	}
	got, err := db.AssetByID(ctx, a.ID)
	mustNil(t, err)
	wantEqual(t, got, a)

	tests := []struct {
		name  string
		asset func() *core.Asset
		code  core.Code
	}{
		{"stale version", func() *core.Asset { s := stale; s.Caption = "lost"; return &s }, core.CodeConflict},
		{"same sha256 as another asset", func() *core.Asset { b := *a; b.SHA256 = "sha-b"; return &b }, core.CodeConflict},
		{"missing", func() *core.Asset { m := FullAsset("sha-m"); return m }, core.CodeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.asset()
			version := in.Version
			wantCode(t, db.UpdateAsset(ctx, in), tt.code)
			if in.Version != version {
				t.Errorf("Version changed to %d on failure", in.Version)
			}
			got, err := db.AssetByID(ctx, a.ID)
			mustNil(t, err)
			wantEqual(t, got, a) // unchanged
		})
	}
}

func testConcurrentUpdatesOneWins(t *testing.T, db core.Store) {
	needsAtomic(t, db)
	ctx := t.Context()
	a := FullAsset("sha-a")
	mustNil(t, db.InsertAsset(ctx, a))
	const writers = 8
	errs := make(chan error, writers)
	for i := range writers {
		go func() {
			mine := *a
			mine.Caption = fmt.Sprint("writer ", i)
			errs <- db.UpdateAsset(ctx, &mine)
		}()
	}
	wins := 0
	for range writers {
		err := <-errs
		if err == nil {
			wins++
			continue
		}
		wantCode(t, err, core.CodeConflict)
	}
	if wins != 1 {
		t.Fatalf("%d updates at version 1 succeeded, want 1", wins)
	}
	got, err := db.AssetByID(ctx, a.ID)
	mustNil(t, err)
	if got.Version != 2 {
		t.Fatalf("Version = %d, want 2", got.Version)
	}
}
