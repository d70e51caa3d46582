package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/sqlitestore"
)

// failOneWrite is the real store whose n-th asset write fails, as when the
// database is briefly unreachable half-way through.
type failOneWrite struct {
	*sqlitestore.DB
	n, writes atomic.Int32
}

func (f *failOneWrite) UpdateAsset(ctx context.Context, a *core.Asset) error {
	if f.writes.Add(1) == f.n.Load() {
		return core.Errorf(core.CodeInternal, "database went away")
	}
	return f.DB.UpdateAsset(ctx, a)
}

// TestUpdateAssetsUndoes: when a write fails after others succeeded,
// updateAssets puts the fields it set back on the assets it had written
// (and only those fields), so the call changes nothing.
func TestUpdateAssetsUndoes(t *testing.T) {
	f := newFixture(t, app.Config{MaxUploadBytes: 1 << 20})
	var ids []string
	for i := range 3 {
		a, err := f.svc.UploadAsset(f.ctx, bytes.NewReader(testJPEG(t, 32, 24, uint8(i))), "a.jpg",
			&app.AssetPatch{Credit: ptr("old"), Caption: ptr("kept")})
		must(t, err)
		ids = append(ids, a.ID)
	}
	store := &failOneWrite{DB: f.db}
	store.n.Store(3) // the third asset's write
	svc := app.New(store, f.objects, slog.New(slog.DiscardHandler), app.Config{MaxUploadBytes: 1 << 20})
	_, err := svc.UpdateAssets(f.ctx, ids, app.AssetPatch{Credit: ptr("new")})
	if !core.IsCode(err, core.CodeInternal) {
		t.Fatalf("updateAssets through a failing write: %v", err)
	}
	if w := store.writes.Load(); w != 5 {
		t.Errorf("%d writes, want 3 tries and 2 undos", w)
	}
	for _, id := range ids {
		a, err := f.db.AssetByID(f.ctx, id)
		must(t, err)
		if a.Credit != "old" || a.Caption != "kept" {
			t.Errorf("asset %s after a failed updateAssets: credit %q caption %q", id, a.Credit, a.Caption)
		}
	}
	// And without the failure every asset changes.
	store.n.Store(-1)
	list, err := svc.UpdateAssets(f.ctx, ids, app.AssetPatch{Credit: ptr("new")})
	must(t, err)
	for i, a := range list {
		if a.ID != ids[i] || a.Credit != "new" {
			t.Errorf("answer %d: %s %q", i, a.ID, a.Credit)
		}
	}
}

func ptr[T any](v T) *T { return &v }
