package media

import (
	"context"
	"errors"
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

func TestDecodeCost(t *testing.T) {
	s420, s444 := [4]uint8{0x22, 0x11, 0x11}, [4]uint8{0x11, 0x11, 0x11, 0x11}
	tests := []struct {
		p        Probe
		min, max int64 // MB
	}{
		{Probe{Format: FormatJPEG, Width: 6000, Height: 4000, Orientation: 1, Components: 3, Sampling: s420}, 90, 130},
		{Probe{Format: FormatJPEG, Width: 6000, Height: 4000, Orientation: 1, Components: 3, Sampling: s420, Progressive: true}, 160, 190},
		{Probe{Format: FormatJPEG, Width: 6000, Height: 4000, Orientation: 1, Components: 4, Sampling: s444}, 130, 160},
		// A Probe not from ProbeImage: the costliest layout, progressive CMYK.
		{Probe{Format: FormatJPEG, Width: 6000, Height: 4000, Orientation: 1}, 310, 350},
		{Probe{Format: FormatPNG, Width: 6000, Height: 4000, Orientation: 1}, 260, 330},
		{Probe{Format: FormatJPEG, Width: 100, Height: 100, Orientation: 1, Components: 3, Sampling: s420}, 4, 6},
	}
	for _, tt := range tests {
		if c := DecodeCost(tt.p) / 1e6; c < tt.min || c > tt.max {
			t.Errorf("DecodeCost(%v %dx%d) = %d MB, want %d..%d", tt.p.Format, tt.p.Width, tt.p.Height, c, tt.min, tt.max)
		}
	}
}
