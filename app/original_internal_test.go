package app

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/media/localstore"
)

// TestReadOriginalBeyondALowerLimit: an original accepted under a larger
// upload limit is read whole after the limit is lowered (its renditions
// can still be made again); a stored object larger than both its recorded
// size and the limit is refused rather than silently cut short.
func TestReadOriginalBeyondALowerLimit(t *testing.T) {
	ctx := context.Background()
	objs, err := localstore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("ảnh"), 2000)
	if err := objs.Put(ctx, "originals/k", bytes.NewReader(data), int64(len(data)), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	s := &Service{objects: objs, cfg: Config{MaxUploadBytes: 1000}}
	got, err := s.readOriginal(ctx, &core.Asset{ID: "a", OriginalKey: "originals/k", ByteSize: int64(len(data))})
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read %d of %d bytes: %v", len(got), len(data), err)
	}
	if _, err := s.readOriginal(ctx, &core.Asset{ID: "a", OriginalKey: "originals/k", ByteSize: 100}); !core.IsCode(err, core.CodeBadUserInput) {
		t.Fatalf("an object larger than its record and the limit: %v, want BAD_USER_INPUT", err)
	}
}

// TestTicketsPerHour: one account's tickets are counted per hourly window;
// another account has its own count, and the next window starts afresh.
func TestTicketsPerHour(t *testing.T) {
	var c ticketCounter
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for i := range UploadTicketsPerHour {
		if _, ok := c.take("minh", now.Add(time.Duration(i)*time.Millisecond)); !ok {
			t.Fatalf("ticket %d refused", i+1)
		}
	}
	wait, ok := c.take("minh", now.Add(30*time.Minute))
	if ok || wait != 30*time.Minute {
		t.Fatalf("ticket over the limit: ok %v, wait %s", ok, wait)
	}
	if _, ok := c.take("lan", now.Add(30*time.Minute)); !ok {
		t.Fatal("another account refused")
	}
	if _, ok := c.take("minh", now.Add(time.Hour)); !ok {
		t.Fatal("refused in the next window")
	}
}
