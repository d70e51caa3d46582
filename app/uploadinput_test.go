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

// TestAnimatedWebPRefusedBeforeStoring: an animated WebP, which the
// pipeline cannot decode, is refused at upload with UNSUPPORTED_MEDIA_TYPE,
// before its original or a record is stored (not stored, then FAILED as
// "corrupt").
func TestAnimatedWebPRefusedBeforeStoring(t *testing.T) {
	f := newFixture(t, app.Config{UploadWait: -1})
	data, still := animatedWebP()
	_, err := f.svc.UploadAsset(f.ctx, bytes.NewReader(data), "loop.webp", nil)
	if !core.IsCode(err, core.CodeUnsupportedMediaType) || !strings.Contains(core.ErrorMessage(err), "animated WebP") {
		t.Fatalf("uploading an animated WebP: %v, want UNSUPPORTED_MEDIA_TYPE naming animated WebP", err)
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	if _, err := f.db.AssetBySHA256(f.ctx, sha); !core.IsCode(err, core.CodeNotFound) {
		t.Errorf("the refused upload has a record: %v", err)
	}
	if _, err := f.objects.Stat(f.ctx, app.OriginalKey(sha)); !core.IsCode(err, core.CodeNotFound) {
		t.Errorf("the refused upload's original was stored: %v", err)
	}
	if _, err := f.svc.UploadAsset(f.ctx, bytes.NewReader(still), "frame.webp", nil); err != nil {
		t.Errorf("uploading its frame as a still WebP: %v", err)
	}
}

// animatedWebP returns a two-frame 2×2 animated WebP (VP8X with the
// animation flag, ANIM, two ANMF frames) and its frame as a still WebP.
// The frame is a white lossless VP8L bitstream whose five prefix codes
// have one symbol each, so it has no pixel bits.
func animatedWebP() (animated, still []byte) {
	chunk := func(id string, p []byte) []byte {
		b := append([]byte(id), byte(len(p)), byte(len(p)>>8), byte(len(p)>>16), byte(len(p)>>24))
		if b = append(b, p...); len(p)%2 == 1 {
			b = append(b, 0)
		}
		return b
	}
	vp8l := chunk("VP8L", []byte{0x2f, 0x01, 0x40, 0x00, 0x10, 0xe8, 0x7f, 0xff, 0xfb, 0xdf, 0xff, 0x00})
	// x, y, width-1, height-1 (24 bits each), duration 100 ms, flags.
	frame := append([]byte{0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 100, 0, 0, 0}, vp8l...)
	body := append([]byte("WEBP"), chunk("VP8X", []byte{1 << 1, 0, 0, 0, 1, 0, 0, 1, 0, 0})...)
	body = append(body, chunk("ANIM", []byte{0xFF, 0xFF, 0xFF, 0xFF, 0, 0})...)
	body = append(body, chunk("ANMF", frame)...)
	body = append(body, chunk("ANMF", frame)...)
	return chunk("RIFF", body), chunk("RIFF", append([]byte("WEBP"), vp8l...))
}
