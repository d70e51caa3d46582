package main

import (
	"log/slog"
	"runtime"
	"runtime/debug"
	rtmetrics "runtime/metrics"
	"sync"
	"sync/atomic"
)

// Garbage collector defaults of the server, used unless the environment
// sets GOGC or GOMEMLIMIT (which then win, as the Go runtime reads them).
//
// Go's default (GOGC=100) collects whenever the heap has doubled since the
// last collection. A GraphQL server's live heap is small (a few MB to tens
// of MB) and every answer allocates anew, so with that default the
// collector ran every few requests and took about a third of the CPU of
// the front page (scripts/bench-reads.sh: 5.9 ms of CPU a request with
// GOGC=100, 3.7 ms with 400, peak memory 58 MB either way). A larger GOGC
// lets the heap grow further between collections, and a floor under the
// heap goal keeps a small live heap from being collected every few
// requests all the same (with 3 MB live and GOGC=400 the goal is 16 MB: a
// collection every 30 front pages; with the 32 MB floor, one every 65 —
// a 64 MB floor was no faster within the noise of scripts/bench-reads.sh
// and raised the server's peak memory there from about 115 to 150-200
// MB, this one did not). The memory limit caps the price: near it the
// collector works harder instead of the heap growing.
const (
	defaultGCPercent = 400
	// minHeapGoal is the least heap the collector lets grow before it runs:
	// while the live heap is small, GOGC is raised so that the goal is this.
	minHeapGoal = 32 << 20
	// defaultMemoryLimitFactor times the image memory budget is the soft
	// memory limit: room for the decodes plus the rest of the server.
	defaultMemoryLimitFactor = 2
)

// tuneGC applies the defaults above where getenv leaves them open.
func tuneGC(cfg config, getenv func(string) string, log *slog.Logger) {
	var set []any
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
		heapFloorOnce.Do(func() {
			heapFloor.Store(minHeapGoal)
			keepHeapFloor(defaultGCPercent)
		})
		set = append(set, "gc_percent", defaultGCPercent, "min_heap_goal_bytes", minHeapGoal)
	}
	if getenv("GOMEMLIMIT") == "" && cfg.MemoryBudget > 0 {
		limit := defaultMemoryLimitFactor * cfg.MemoryBudget
		debug.SetMemoryLimit(limit)
		set = append(set, "memory_limit_bytes", limit)
	}
	if len(set) > 0 {
		log.Info("garbage collector defaults (GOGC and GOMEMLIMIT override them)", set...)
	}
}

var (
	heapFloorOnce sync.Once
	heapFloor     atomic.Uint64 // the floor keepHeapFloor keeps
)

// keepHeapFloor sets GOGC after every collection (from a finalizer, which
// runs once a cycle has found its object unreachable) so that the next
// heap goal is at least heapFloor, and never below percent.
func keepHeapFloor(percent int) {
	sample := []rtmetrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var arm func()
	arm = func() {
		runtime.SetFinalizer(new(gcCycle), func(*gcCycle) {
			rtmetrics.Read(sample)
			if sample[0].Value.Kind() == rtmetrics.KindUint64 {
				debug.SetGCPercent(gcPercentFor(sample[0].Value.Uint64(), heapFloor.Load(), percent))
			}
			arm()
		})
	}
	arm()
}

// gcCycle is allocated to be collected: its finalizer marks a cycle.
type gcCycle struct{ _ [16]byte }

// gcPercentFor returns the GOGC that makes the heap goal after a
// collection that left live bytes at least floor: percent, or more while
// live is small (at most 100× floor's worth, for a nearly empty heap).
func gcPercentFor(live, floor uint64, percent int) int {
	const most = 100 * 100
	if live == 0 {
		return max(percent, most)
	}
	if live >= floor {
		return percent
	}
	return max(percent, min(most, int(floor*100/live)-100))
}
