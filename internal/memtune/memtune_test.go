package memtune

import (
	"io"
	"log/slog"
	"runtime/debug"
	"testing"
)

// TestApplyLeavesTheEnvironment: GOGC and GOMEMLIMIT from the environment
// win; otherwise the defaults are set. It changes the process's collector
// and memory limit, so it is not parallel and restores both.
func TestApplyLeavesTheEnvironment(t *testing.T) {
	oldPercent := debug.SetGCPercent(100)
	oldLimit := debug.SetMemoryLimit(-1) // a negative limit only reads it
	t.Cleanup(func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	set := map[string]string{"GOGC": "100", "GOMEMLIMIT": "1GiB"}
	Apply(1<<30, func(k string) string { return set[k] }, log)
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("GOGC set in the environment: percent %d, want it left at 100", p)
	}
	if l := debug.SetMemoryLimit(-1); l != oldLimit {
		t.Errorf("GOMEMLIMIT set in the environment: limit %d, want it left at %d", l, oldLimit)
	}
	Apply(1<<30, func(string) string { return "" }, log)
	if p := debug.SetGCPercent(100); p != DefaultGCPercent {
		t.Errorf("defaults: percent %d, want %d", p, DefaultGCPercent)
	}
	if l := debug.SetMemoryLimit(-1); l != MemoryLimitFactor<<30 {
		t.Errorf("defaults: memory limit %d, want %d", l, MemoryLimitFactor<<30)
	}
}
