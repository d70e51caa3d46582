package main

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"runtime"
)

// admission runs at most a few GraphQL operations at once and queues the
// rest in arrival order. Operations are CPU work in the main (the embedded
// database answers from memory), so running more at once than there are
// cores only interleaves them: every answer comes later and the slowest
// ones much later. In order, a burst is served about as fast overall and
// its slowest answer is close to its typical one.
//
// A request holds a slot only while it executes: its JSON body is read
// before it queues (so a slow client cannot hold one), and multipart
// uploads and websocket subscriptions are not admitted here (they wait on
// the network and on processing, and have limits of their own). A request
// whose client goes away leaves the queue.
type admission struct {
	slots chan struct{}
}

// operationSlotsPerCore leaves room for operations that wait on the
// database (MongoDB in production) while others use the cores.
const operationSlotsPerCore = 1

// newAdmission admits n operations at once; 0 means operationSlotsPerCore
// per core (GOMAXPROCS).
func newAdmission(n int) *admission {
	if n <= 0 {
		n = operationSlotsPerCore * runtime.GOMAXPROCS(0)
	}
	return &admission{slots: make(chan struct{}, n)}
}

func (a *admission) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if r.Header.Get("Upgrade") != "" || mt == "multipart/form-data" {
			next.ServeHTTP(w, r)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			body, err := io.ReadAll(r.Body)
			r.Body = &readAheadBody{Reader: bytes.NewReader(body), err: err, closer: r.Body}
		}
		select {
		case a.slots <- struct{}{}:
		case <-r.Context().Done():
			return
		}
		defer func() { <-a.slots }()
		next.ServeHTTP(w, r)
	})
}

// readAheadBody gives back a body read in advance, then the error that ended
// the reading (such as the size limit), so the handler sees what it would
// have seen reading it itself.
type readAheadBody struct {
	*bytes.Reader
	err    error
	closer io.Closer
}

func (b *readAheadBody) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	if err == io.EOF && b.err != nil {
		return n, b.err
	}
	return n, err
}

func (b *readAheadBody) Close() error { return b.closer.Close() }
