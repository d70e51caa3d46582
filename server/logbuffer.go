package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"
)

// The server's log lines, written to its standard output when that is a
// file or a pipe (the real process), go through a logBuffer: lines are
// gathered in memory and written together every logFlushInterval, when
// logBufferSize is reached, at once for a warning or an error, and when
// the server stops: one write per line cost cached reads much of their rate
// (the README's Figures table). The price: if the process is killed (SIGKILL,
// a crash), up to logFlushInterval of info lines are lost; warnings and
// errors are written before the call that logs them returns.
const (
	logFlushInterval = 100 * time.Millisecond
	logBufferSize    = 64 << 10
)

type logBuffer struct {
	mu   sync.Mutex
	buf  []byte
	out  io.Writer
	stop chan struct{}
	done chan struct{}
}

// newLogBuffer starts writing to out what is written to it.
func newLogBuffer(out io.Writer) *logBuffer {
	b := &logBuffer{out: out, stop: make(chan struct{}), done: make(chan struct{})}
	go b.run()
	return b
}

func (b *logBuffer) run() {
	defer close(b.done)
	t := time.NewTicker(logFlushInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			b.Flush()
		case <-b.stop:
			b.Flush()
			return
		}
	}
}

// Write keeps p (one log line: slog handlers write each record at once).
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) >= logBufferSize {
		b.flushLocked()
	}
	return len(p), nil
}

// Flush writes what is kept.
func (b *logBuffer) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
}

func (b *logBuffer) flushLocked() {
	if len(b.buf) == 0 {
		return
	}
	b.out.Write(b.buf) // a failing log output has nowhere to report to
	b.buf = b.buf[:0]
}

// Close writes what is kept and stops the background writes.
func (b *logBuffer) Close() {
	close(b.stop)
	<-b.done
}

// flushOnWarn is a handler whose warnings and errors reach the output
// before the logging call returns.
type flushOnWarn struct {
	slog.Handler
	buf *logBuffer
}

func (h flushOnWarn) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		h.buf.Flush()
	}
	return err
}

func (h flushOnWarn) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushOnWarn{h.Handler.WithAttrs(attrs), h.buf}
}

func (h flushOnWarn) WithGroup(name string) slog.Handler {
	return flushOnWarn{h.Handler.WithGroup(name), h.buf}
}

// bufferedLogger returns the server's logger on w: buffered when w is the
// process's own output (an *os.File), as is; otherwise (tests read what
// they pass). The returned function writes what is kept and stops.
func bufferedLogger(cfg config, w io.Writer) (*slog.Logger, func()) {
	if _, ok := w.(*os.File); !ok {
		return newLogger(cfg, w), func() {}
	}
	b := newLogBuffer(w)
	return slog.New(flushOnWarn{newLogger(cfg, b).Handler(), b}), b.Close
}
