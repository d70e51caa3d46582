package main

import (
	"log/slog"
	"runtime/debug"
)

// Garbage collector defaults of the server, used unless the environment
// sets GOGC or GOMEMLIMIT (which then win, as the Go runtime reads them).
//
// Go's default (GOGC=100) collects whenever the heap has doubled since the
// last collection. A GraphQL server's live heap is small (tens of MB) and
// every answer allocates anew, so with that default the collector ran
// every few requests and took about a third of the CPU of the front page
// (scripts/bench-reads.sh: 5.9 ms of CPU a request with GOGC=100, 3.7 ms
// with 400, peak memory 58 MB either way). A larger GOGC lets the heap
// grow further between collections; the memory limit caps the price: near
// it the collector works harder instead of the heap growing.
const (
	defaultGCPercent = 400
	// defaultMemoryLimitFactor times the image memory budget is the soft
	// memory limit: room for the decodes plus the rest of the server.
	defaultMemoryLimitFactor = 2
)

// tuneGC applies the defaults above where getenv leaves them open.
func tuneGC(cfg config, getenv func(string) string, log *slog.Logger) {
	var set []any
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
		set = append(set, "gc_percent", defaultGCPercent)
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
