package app_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stillroom/stillroom/app"
)

// TestDeleteThenUploadSameFile: a photographer deletes a photo and drops
// the same file again at once. Keys derive from the content, so the new
// asset's original has the deleted one's key: the delete must not remove
// it after the new record exists.
func TestDeleteThenUploadSameFile(t *testing.T) {
	f := newRaceFixture(t, app.Config{UploadWait: -1})
	data := testJPEG(t, 64, 48, 7)
	first, err := f.svc.UploadAsset(f.ctx, bytes.NewReader(data), "a.jpg", nil)
	must(t, err)
	var again string
	f.race.after("DeleteAsset", func() {
		a, err := f.svc.UploadAsset(f.ctx, bytes.NewReader(data), "a.jpg", nil)
		must(t, err)
		again = a.ID
	})
	must(t, f.svc.DeleteAsset(f.ctx, first.ID, false))
	a, err := f.db.AssetByID(f.ctx, again)
	must(t, err)
	if _, err := f.objects.Stat(f.ctx, a.OriginalKey); err != nil {
		t.Errorf("asset %s was uploaded while the earlier one was deleted, but its original %s is gone: %v", a.ID, a.OriginalKey, err)
	}
}

// TestUploadStoresOriginalAgain: the original removed between an
// upload's Put and its record (by a delete of an earlier asset with the
// same bytes that looked for a record just before) is stored again, and
// an upload of bytes whose record lost its original stores it again too.
func TestUploadStoresOriginalAgain(t *testing.T) {
	f := newRaceFixture(t, app.Config{UploadWait: -1})
	data := testJPEG(t, 64, 48, 8)
	f.race.after("InsertAsset", func() {
		must(t, f.objects.Delete(f.ctx, app.OriginalKey(sha256Hex(data))))
	})
	a, err := f.svc.UploadAsset(f.ctx, bytes.NewReader(data), "b.jpg", nil)
	must(t, err)
	if _, err := f.objects.Stat(f.ctx, a.OriginalKey); err != nil {
		t.Errorf("the original lost right after the record was made stayed lost: %v", err)
	}
	must(t, f.objects.Delete(f.ctx, a.OriginalKey))
	dup, err := f.svc.UploadAsset(f.ctx, bytes.NewReader(data), "b.jpg", nil)
	must(t, err)
	if dup.ID != a.ID {
		t.Fatalf("the same bytes made a new asset %s, not %s", dup.ID, a.ID)
	}
	if _, err := f.objects.Stat(f.ctx, a.OriginalKey); err != nil {
		t.Errorf("uploading the bytes of an asset whose original is missing did not store it again: %v", err)
	}
}

// TestReconcileSparesOriginalUploadedMeanwhile: reconcile found an orphan
// original (left by a delete that failed), and the same file is uploaded
// again before reconcile deletes it: the new asset's original stays.
func TestReconcileSparesOriginalUploadedMeanwhile(t *testing.T) {
	f := newRaceFixture(t, app.Config{UploadWait: -1})
	data := testJPEG(t, 64, 48, 9)
	key := app.OriginalKey(sha256Hex(data))
	must(t, f.objects.Put(f.ctx, key, bytes.NewReader(data), int64(len(data)), "image/jpeg"))
	var again string
	f.race.after("AssetBySHA256", func() {
		a, err := f.svc.UploadAsset(f.ctx, bytes.NewReader(data), "c.jpg", nil)
		must(t, err)
		again = a.ID
	})
	// A negative grace makes every object old enough, the fresh one too:
	// only the look right before the delete can save it.
	rep, err := f.svc.Reconcile(f.ctx, app.ReconcileOptions{Grace: -time.Hour})
	must(t, err)
	if again == "" {
		t.Fatal("the upload did not run")
	}
	if _, err := f.objects.Stat(f.ctx, key); err != nil {
		t.Errorf("reconcile removed the original of asset %s, uploaded while it ran (removed %v): %v", again, rep.OrphansRemoved, err)
	}
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
