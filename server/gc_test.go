package main

import (
	"io"
	"log/slog"
	"runtime"
	rtmetrics "runtime/metrics"
	"testing"
	"time"
)

// TestGCPercentFor: the heap goal a GOGC gives is at least the floor while
// the live heap is small, and GOGC is the default once it is not.
func TestGCPercentFor(t *testing.T) {
	const floor = 64 << 20
	for _, tc := range []struct {
		live uint64
		want int
	}{
		{3 << 20, 2033}, // goal 3 MB × 21.33 = 64 MB
		{16 << 20, 400},
		{12 << 20, 433},
		{64 << 20, 400},
		{1 << 30, 400},
		{1, 10000}, // capped
		{0, 10000},
	} {
		got := gcPercentFor(tc.live, floor, 400)
		if got != tc.want {
			t.Errorf("live %d: GOGC %d, want %d", tc.live, got, tc.want)
		}
		if goal := tc.live * uint64(100+got) / 100; tc.live >= 1<<20 && goal < floor-tc.live/100 {
			t.Errorf("live %d: goal %d below the floor", tc.live, goal)
		}
	}
}

// TestHeapFloorFollowsCollections: once the server's defaults apply,
// every collection sets GOGC from the live heap and the floor (here one
// far above the test's live heap, so GOGC rises above the default).
func TestHeapFloorFollowsCollections(t *testing.T) {
	tuneGC(config{}, func(string) string { return "" }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	heapFloor.Store(1 << 30)
	defer heapFloor.Store(minHeapGoal)
	sample := []rtmetrics.Sample{{Name: "/gc/gogc:percent"}}
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // the finalizer runs after the cycle
		rtmetrics.Read(sample)
		if gogc := int(sample[0].Value.Uint64()); gogc > defaultGCPercent {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("GOGC %d after collections below a 1 GiB floor; want it above %d", gogc, defaultGCPercent)
		}
	}
}
