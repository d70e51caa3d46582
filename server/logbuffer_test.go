package main

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestLogBuffer: buffered log lines all reach the output, in order:
// warnings before the logging call returns, a full buffer at once, the
// rest within the flush interval and at close.
func TestLogBuffer(t *testing.T) {
	var out syncBuffer // auth_test.go
	b := newLogBuffer(&out)
	log := slog.New(flushOnWarn{slog.NewJSONHandler(b, nil), b}).With("service", "stillroom")

	log.Info("request", "n", 1)
	log.Warn("disk almost full")
	if s := out.String(); !strings.Contains(s, `"msg":"request"`) || !strings.Contains(s, `"msg":"disk almost full"`) {
		t.Fatalf("a warning (and what came before it) was not written when logged: %q", s)
	}

	// Written by the next flush; 10 s, not a few intervals, since a busy
	// machine can hold the flushing goroutine back for a second (a line
	// that waits for close, or for a full buffer, still fails).
	log.Info("request", "n", 2)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), `"n":2`) {
		if time.Now().After(deadline) {
			t.Fatal("an info line was not written within 10 s")
		}
		time.Sleep(logFlushInterval / 10)
	}

	big := strings.Repeat("x", logBufferSize)
	log.Info("big", "payload", big)
	if !strings.Contains(out.String(), big) {
		t.Fatal("a full buffer was not written at once")
	}

	log.Info("last", "n", 3)
	b.Close()
	s := out.String()
	if !strings.HasSuffix(s, "\n") || !strings.Contains(s, `"msg":"last"`) {
		t.Fatalf("the last line was not written at close: ...%q", s[max(0, len(s)-200):])
	}
	var order []string
	for line := range strings.Lines(s) {
		if i := strings.Index(line, `"msg":"`); i >= 0 {
			order = append(order, strings.SplitN(line[i+7:], `"`, 2)[0])
		}
	}
	if got := strings.Join(order, " "); got != "request disk almost full request big last" {
		t.Errorf("lines in order %q", got)
	}
}
