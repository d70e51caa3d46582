// Package memtune sets the server's defaults for Go's memory management:
// the garbage collector's percent (GOGC) and a soft memory limit
// (GOMEMLIMIT). Where the environment sets GOGC or GOMEMLIMIT, the Go
// runtime has read them and they win.
//
// Go's default (GOGC=100) collects whenever the heap has doubled since the
// last collection. A GraphQL server's live heap is small and every answer
// allocates anew, so with that default the collector runs every few
// requests; a larger GOGC lets the heap grow further between collections.
// The memory limit caps the price: near it the collector works harder
// instead of the heap growing. BenchmarkCollectorDefaults
// (server/memtune_bench_test.go) measures what GOGC buys; the README's
// Figures table has the figures, and those of the floor under the heap
// goal this package kept before (removed: it did not pay measurably).
package memtune

import (
	"log/slog"
	"runtime/debug"
)

const (
	// DefaultGCPercent is the server's GOGC.
	DefaultGCPercent = 400
	// MemoryLimitFactor times the image memory budget is the soft memory
	// limit: room for the decodes plus the rest of the server.
	MemoryLimitFactor = 2
)

// Apply sets the defaults above where getenv leaves GOGC and GOMEMLIMIT
// open, for the whole process; memoryBudget is the image memory budget (0:
// no memory limit). It says what it set in log.
func Apply(memoryBudget int64, getenv func(string) string, log *slog.Logger) {
	var set []any
	if getenv("GOGC") == "" {
		debug.SetGCPercent(DefaultGCPercent)
		set = append(set, "gc_percent", DefaultGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" && memoryBudget > 0 {
		limit := MemoryLimitFactor * memoryBudget
		debug.SetMemoryLimit(limit)
		set = append(set, "memory_limit_bytes", limit)
	}
	if len(set) > 0 {
		log.Info("garbage collector defaults (GOGC and GOMEMLIMIT override them)", set...)
	}
}
