package app_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// TestBadUploadInputLosesNothing: input the client can correct (here a
// credit over its limit) is refused before anything is stored or used
// up: a refused uploadAssets changes no duplicate's fields, and a refused
// completeUpload keeps its ticket and file, so the retry with the input
// fixed succeeds.
func TestBadUploadInputLosesNothing(t *testing.T) {
	f := newFixture(t, app.Config{UploadWait: -1})
	long := strings.Repeat("x", app.MaxShortText+1)

	a, b := testJPEG(t, 64, 48, 1), testJPEG(t, 64, 48, 2)
	credit := "Ảnh: TTXVN"
	first, err := f.svc.UploadAsset(f.ctx, bytes.NewReader(a), "a.jpg", &app.AssetPatch{Credit: &credit})
	if err != nil {
		t.Fatal(err)
	}
	caption := "Chú thích mới"
	_, err = f.svc.UploadAssets(f.ctx, []app.UploadFile{{Name: "a.jpg", Body: bytes.NewReader(a)}, {Name: "b.jpg", Body: bytes.NewReader(b)}},
		&app.AssetPatch{Caption: &caption, Credit: &long})
	if !core.IsCode(err, core.CodeBadUserInput) {
		t.Fatalf("uploadAssets with a bad credit: %v, want BAD_USER_INPUT", err)
	}
	if got, _ := f.db.AssetByID(f.ctx, first.ID); got.Caption != "" {
		t.Errorf("the refused upload still set the duplicate's caption to %q", got.Caption)
	}
	sum := sha256.Sum256(b)
	if _, err := f.db.AssetBySHA256(f.ctx, hex.EncodeToString(sum[:])); !core.IsCode(err, core.CodeNotFound) {
		t.Errorf("the refused upload stored its new file: %v", err)
	}

	data := testJPEG(t, 64, 48, 7)
	tk, err := f.svc.RequestUpload(f.ctx, "c.jpg", "image/jpeg", int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.objects.Put(f.ctx, "incoming/"+tk.ID, bytes.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CompleteUpload(f.ctx, tk.ID, &app.AssetPatch{Credit: &long}); !core.IsCode(err, core.CodeBadUserInput) {
		t.Fatalf("completeUpload with a bad credit: %v, want BAD_USER_INPUT", err)
	}
	if _, err := f.svc.CompleteUpload(f.ctx, tk.ID, &app.AssetPatch{Credit: &credit}); err != nil {
		t.Fatalf("retrying with the credit fixed: %v (the upload was lost)", err)
	}
}
