package app

import (
	"context"
	"sync"
	"time"
)

// Failed sign-in limits: after this many failures within the window, an
// account (or an address) is refused until the oldest failure ages out.
// Counted per process; behind a load balancer each process counts alone.
const (
	LoginFailuresPerAccount = 10
	LoginFailuresPerAddress = 50
	LoginFailureWindow      = 15 * time.Minute
	// maxTrackedKeys bounds the limiter's memory under a flood of names.
	maxTrackedKeys = 100_000
)

// failureLimiter counts failures per key in a sliding window.
type failureLimiter struct {
	mu   sync.Mutex
	max  int
	hits map[string][]time.Time
}

func newFailureLimiter(max int) *failureLimiter {
	return &failureLimiter{max: max, hits: map[string][]time.Time{}}
}

// recent drops failures older than the window; l.mu is held.
func (l *failureLimiter) recent(key string, now time.Time) []time.Time {
	h := l.hits[key]
	i := 0
	for i < len(h) && now.Sub(h[i]) >= LoginFailureWindow {
		i++
	}
	h = h[i:]
	if len(h) == 0 {
		delete(l.hits, key)
	} else {
		l.hits[key] = h
	}
	return h
}

// retryAfter returns how long key must wait, or 0 when it may try.
func (l *failureLimiter) retryAfter(key string, now time.Time) time.Duration {
	if key == "" {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.recent(key, now)
	if len(h) < l.max {
		return 0
	}
	return LoginFailureWindow - now.Sub(h[len(h)-l.max])
}

func (l *failureLimiter) fail(key string, now time.Time) {
	if key == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.hits) >= maxTrackedKeys {
		for k := range l.hits {
			l.recent(k, now)
		}
		if len(l.hits) >= maxTrackedKeys {
			clear(l.hits) // a flood: forget rather than grow without bound
		}
	}
	l.hits[key] = append(l.recent(key, now), now)
}

func (l *failureLimiter) reset(key string) {
	l.mu.Lock()
	delete(l.hits, key)
	l.mu.Unlock()
}

type addrKey struct{}

// WithClientAddr returns ctx carrying the caller's network address (the
// HTTP layer sets it), used to limit failed sign-ins per address.
func WithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, addrKey{}, addr)
}

func clientAddr(ctx context.Context) string {
	a, _ := ctx.Value(addrKey{}).(string)
	return a
}
