package httpapi

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/stillroom/stillroom/core"
)

// Defaults of the body pacing settings (STILLROOM_BODY_IDLE and
// STILLROOM_BODY_MIN_RATE).
const (
	DefaultBodyIdle    = 15 * time.Second
	DefaultBodyMinRate = 8 << 10 // bytes per second, averaged
)

// errBodyTooSlow cuts a request body that stalls or trickles.
var errBodyTooSlow = core.Errorf(core.CodeBadUserInput, "the request body arrived too slowly and was cut")

// paceBodies bounds the time every request body may take: each read must
// bring bytes within idle (a read deadline on the connection), and once
// idle has passed since the first read the body must have arrived at
// minRate bytes a second on average. A client that stalls or trickles is
// cut (its connection closes), so it cannot hold memory, a temp file or
// upload bytes in flight for longer than that.
func paceBodies(idle time.Duration, minRate int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody && idle > 0 {
			r.Body = &pacedBody{ReadCloser: r.Body, rc: http.NewResponseController(w), idle: idle, minRate: minRate}
		}
		next.ServeHTTP(w, r)
	})
}

type pacedBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	idle    time.Duration
	minRate int64
	start   time.Time
	n       int64
	done    bool
}

func (b *pacedBody) Read(p []byte) (int, error) {
	if b.done {
		return b.ReadCloser.Read(p)
	}
	now := time.Now()
	if b.start.IsZero() {
		b.start = now
	}
	b.rc.SetReadDeadline(now.Add(b.idle))
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	switch {
	case err == nil:
		if el := time.Since(b.start); el > b.idle && b.minRate > 0 && float64(b.n) < el.Seconds()*float64(b.minRate) {
			b.done = true
			return n, errBodyTooSlow
		}
	case errors.Is(err, os.ErrDeadlineExceeded):
		b.done = true
		return n, errBodyTooSlow
	case err == io.EOF:
		// Whole: the next request on the connection gets its own.
		b.done = true
		b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}
