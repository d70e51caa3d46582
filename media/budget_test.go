package media

import (
	"context"
	"errors"
	"image"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestBudgetNeverExceeded runs many goroutines of different weights
// through a small budget and tracks the weight in flight.
func TestBudgetNeverExceeded(t *testing.T) {
	const size = 100
	b := NewBudget(size)
	var inFlight, peak atomic.Int64
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			n := int64(10 + i%5*15) // 10..70
			release, err := b.acquire(context.Background(), n)
			if err != nil {
				t.Error(err)
				return
			}
			now := inFlight.Add(n)
			for p := peak.Load(); now > p && !peak.CompareAndSwap(p, now); p = peak.Load() {
			}
			if now > size {
				t.Errorf("%d bytes in flight, budget %d", now, size)
			}
			time.Sleep(time.Millisecond)
			inFlight.Add(-n)
			release()
			release() // a second call gives nothing back twice
		})
	}
	wg.Wait()
	if b.InUse() != 0 {
		t.Errorf("InUse = %d after every release", b.InUse())
	}
	if p := peak.Load(); p <= 70 {
		t.Errorf("peak in flight %d: the budget never ran two at once", p)
	}
}

// TestBudgetOversized checks that a request above the whole budget runs,
// alone, rather than deadlocking, and that arrival order is kept.
func TestBudgetOversized(t *testing.T) {
	b := NewBudget(100)
	ctx := context.Background()
	small, _ := b.acquire(ctx, 30)

	bigDone := make(chan struct{})
	var bigRunning atomic.Bool
	go func() {
		release, err := b.acquire(ctx, 1000)
		if err != nil {
			t.Error(err)
		}
		bigRunning.Store(true)
		if n := b.InUse(); n != 100 {
			t.Errorf("while the oversized request runs, InUse = %d, want the whole budget", n)
		}
		bigRunning.Store(false)
		release()
		close(bigDone)
	}()
	waitFor(t, func() bool { return b.waiting.Load() == 1 && queued(b) })

	// A later small request fits in the free 70 but must wait its turn.
	lateDone := make(chan struct{})
	go func() {
		release, err := b.acquire(ctx, 10)
		if err != nil {
			t.Error(err)
		}
		if bigRunning.Load() {
			t.Error("a later request ran alongside the oversized one")
		}
		release()
		close(lateDone)
	}()
	// Once it waits it stays behind the oversized one, which cannot run
	// before small is released: had it overtaken, it would be done by now
	// or never have waited.
	waitFor(t, func() bool {
		select {
		case <-lateDone:
			t.Fatal("a later request overtook the waiting oversized one")
		default:
		}
		return b.waiting.Load() == 2
	})
	small()
	<-bigDone
	<-lateDone
	if b.InUse() != 0 {
		t.Errorf("InUse = %d", b.InUse())
	}
}

// TestBudgetCancel checks that giving up a wait holds nothing and lets
// the queue behind move on.
func TestBudgetCancel(t *testing.T) {
	b := NewBudget(100)
	hold, _ := b.acquire(context.Background(), 90)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := b.acquire(ctx, 50)
		errc <- err
	}()
	waitFor(t, func() bool { return b.waiting.Load() == 1 && queued(b) })
	// Queued behind the one about to give up: fits once it is gone.
	nextc := make(chan func(), 1)
	go func() {
		release, _ := b.acquire(context.Background(), 10)
		nextc <- release
	}()
	waitFor(t, func() bool { return b.waiting.Load() == 2 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("acquire after cancel: %v", err)
	}
	(<-nextc)()
	hold()
	if b.InUse() != 0 {
		t.Errorf("InUse = %d", b.InUse())
	}
}

// TestProcessWithBudget runs Process calls through a budget that holds
// about two of them and checks the weight in flight from outside.
func TestProcessWithBudget(t *testing.T) {
	data := encodeJPEGT(t, photoLike(600, 400), 85)
	p, err := ProbeImage(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	cost := DecodeCost(p)
	// Small images are mostly renditions: 4 bytes a pixel for the decode
	// and shrink, 12 for each rendition's pixels and 8 more for a WebP
	// twin's, 4 MiB of buffers.
	if px := p.Pixels(); cost < px*4 || cost > px*90+4<<20 {
		t.Errorf("DecodeCost %d for %d pixels", cost, px)
	}
	b := NewBudget(cost*2 + cost/2)
	var wg sync.WaitGroup
	var maxUse atomic.Int64
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				if n := b.InUse(); n > maxUse.Load() {
					maxUse.Store(n)
				}
				time.Sleep(100 * time.Microsecond)
			}
		}
	}()
	for range 4 {
		wg.Go(func() {
			if _, err := Process(context.Background(), data, Options{Budget: b}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	close(stop)
	if n := maxUse.Load(); n > b.Size() || n == 0 {
		t.Errorf("peak InUse %d, budget %d", n, b.Size())
	}
	if b.InUse() != 0 {
		t.Errorf("InUse = %d after every Process", b.InUse())
	}

	// Waiting for the budget ends with the context.
	hold, _ := b.acquire(context.Background(), b.Size())
	defer hold()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := Process(ctx, data, Options{Budget: b}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Process waiting for a full budget: %v", err)
	}
}

// queued reports whether a call waits in b's semaphore (TryAcquire(0)
// fails only then).
func queued(b *Budget) bool { return !b.sem.TryAcquire(0) }

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
	}
}

// TestDecodeCost pins DecodeCost's figures for a 24-megapixel image of
// each layout and coding (those in its doc comment and the README); what
// each share stands for is measured by TestJPEGDecodeMemoryWithinCost,
// TestDecodeMemoryByKind and TestProcessMemoryByKind.
func TestDecodeCost(t *testing.T) {
	s420, s444 := [4]uint8{0x22, 0x11, 0x11}, [4]uint8{0x11, 0x11, 0x11, 0x11}
	screen := image.Rect(0, 0, 6000, 4000)
	tests := []struct {
		name     string
		p        Probe
		min, max int64 // MB
	}{
		{"baseline JPEG", Probe{Format: FormatJPEG, Width: 6000, Height: 4000, Orientation: 1, Components: 3, Sampling: s420}, 80, 90},
		// Turned to portrait: larger renditions, so decoded at a larger
		// scale, and each has an upright copy.
		{"baseline JPEG, orientation 6", Probe{Format: FormatJPEG, Width: 6000, Height: 4000, Orientation: 6, Components: 3, Sampling: s420}, 215, 235},
		{"progressive JPEG", Probe{Format: FormatJPEG, Width: 6000, Height: 4000, Orientation: 1, Components: 3, Sampling: s420, Progressive: true}, 150, 160},
		{"CMYK JPEG", Probe{Format: FormatJPEG, Width: 6000, Height: 4000, Orientation: 1, Components: 4, Sampling: s444}, 120, 130},
		// A Probe not from ProbeImage: the costliest layout or coding.
		{"JPEG, layout unknown", Probe{Format: FormatJPEG, Width: 6000, Height: 4000, Orientation: 1}, 290, 330},
		{"PNG, coding unknown", Probe{Format: FormatPNG, Width: 6000, Height: 4000, Orientation: 1}, 475, 490},
		{"PNG 8-bit grey", Probe{Format: FormatPNG, Width: 6000, Height: 4000, Orientation: 1, Coding: Coding{BitDepth: 8}}, 118, 126},
		{"PNG 8-bit RGBA", Probe{Format: FormatPNG, Width: 6000, Height: 4000, Orientation: 1, Coding: Coding{BitDepth: 8, ColorType: 6}}, 190, 198},
		{"PNG 16-bit RGBA", Probe{Format: FormatPNG, Width: 6000, Height: 4000, Orientation: 1, Coding: Coding{BitDepth: 16, ColorType: 6}}, 286, 294},
		{"PNG 16-bit RGBA interlaced", Probe{Format: FormatPNG, Width: 6000, Height: 4000, Orientation: 1,
			Coding: Coding{BitDepth: 16, ColorType: 6, Interlaced: true}}, 475, 490},
		{"GIF", Probe{Format: FormatGIF, Width: 6000, Height: 4000, Orientation: 1, Coding: Coding{Frame: screen}}, 118, 126},
		{"GIF, frame inside the screen", Probe{Format: FormatGIF, Width: 6000, Height: 4000, Orientation: 1,
			Coding: Coding{Frame: image.Rect(1, 1, 5999, 3999)}}, 214, 222},
		{"WebP lossy", Probe{Format: FormatWebP, Width: 6000, Height: 4000, Orientation: 1, Coding: Coding{CodedBytes: 3 << 20}}, 130, 138},
		{"WebP lossy with alpha", Probe{Format: FormatWebP, Width: 6000, Height: 4000, Orientation: 1,
			Coding: Coding{Alpha: true, CodedBytes: 3 << 20}}, 250, 258},
		{"WebP lossless", Probe{Format: FormatWebP, Width: 6000, Height: 4000, Orientation: 1, Coding: Coding{Lossless: true, CodedBytes: 9 << 20}}, 425, 435},
		// Huffman trees of any file of that size: TestDecodeMemoryHuffmanTrees.
		{"small lossless WebP", Probe{Format: FormatWebP, Width: 208, Height: 200, Orientation: 1, Coding: Coding{Lossless: true, CodedBytes: 1 << 20}}, 170, 185},
		{"small JPEG", Probe{Format: FormatJPEG, Width: 100, Height: 100, Orientation: 1, Components: 3, Sampling: s420}, 4, 6},
	}
	for _, tt := range tests {
		if c := DecodeCost(tt.p) / 1e6; c < tt.min || c > tt.max {
			t.Errorf("DecodeCost(%s %dx%d) = %d MB, want %d..%d", tt.name, tt.p.Width, tt.p.Height, c, tt.min, tt.max)
		}
	}
}
