package httpapi

import (
	"bytes"
	"container/list"
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// admission runs at most a few GraphQL operations at once and queues the
// rest in arrival order. Operations are CPU work in the main (the embedded
// database answers from memory), so running more at once than there are
// cores only interleaves them: every answer comes later and the slowest
// ones much later. In order, a burst is served about as fast overall and
// its slowest answer is close to its typical one.
//
// A request holds a slot only while it executes, never while the network
// is slow: its JSON body is read before it queues, and its answer is kept
// in memory and written after the slot is given back (with a write
// deadline), so a client that sends slowly or never reads holds nothing
// but its own connection. Multipart uploads read their files first
// (uploads.go) and then take a slot the same way, giving it back while
// they wait for renditions. Websocket subscriptions are not admitted here.
//
// The line is bounded: when queueLen requests already wait, or one has
// waited queueWait, it is answered 503 with Retry-After instead of piling
// up. A request whose client goes away leaves the line. A freed slot goes
// to the first in line, never to a request that arrived later.
type admission struct {
	mu        sync.Mutex
	free      int       // slots not taken
	line      list.List // of chan struct{}: the requests waiting, in arrival order, each closed when handed a slot
	queueLen  int       // the most that may wait
	queueWait time.Duration
}

// Defaults of the admission settings (STILLROOM_OPERATION_*).
const (
	// operationSlotsPerCore: one operation per core runs at once, since
	// operations are CPU work (above).
	operationSlotsPerCore    = 1
	DefaultOperationQueue    = 512
	DefaultOperationWait     = 10 * time.Second
	overloadedRetryAfterSecs = 1
	// answerWriteBase and answerWriteMinRate give an answer its write
	// deadline: base plus its size at the minimum rate.
	answerWriteBase    = 10 * time.Second
	answerWriteMinRate = 16 << 10
)

// newAdmission admits slots operations at once (0: operationSlotsPerCore
// per core) with up to queue more waiting at most wait each.
func newAdmission(slots, queue int, wait time.Duration) *admission {
	if slots <= 0 {
		slots = operationSlotsPerCore * runtime.GOMAXPROCS(0)
	}
	if queue < 0 {
		queue = 0
	}
	if wait <= 0 {
		wait = DefaultOperationWait
	}
	return &admission{free: slots, queueLen: queue, queueWait: wait}
}

// errOverloaded is the answer when the queue is full or too slow.
var errOverloaded = core.Errorf(core.CodeUnavailable, "the server is busy; retry in a moment")

// acquire takes a slot, waiting in line; the release it returns may be
// called more than once.
func (a *admission) acquire(ctx context.Context) (func(), error) {
	a.mu.Lock()
	if a.free > 0 && a.line.Len() == 0 {
		a.free--
		a.mu.Unlock()
		return a.releaser(), nil
	}
	if a.line.Len() >= a.queueLen {
		a.mu.Unlock()
		return nil, errOverloaded
	}
	handed := make(chan struct{})
	place := a.line.PushBack(handed)
	a.mu.Unlock()

	t := time.NewTimer(a.queueWait)
	defer t.Stop()
	var err error
	select {
	case <-handed:
		return a.releaser(), nil
	case <-t.C:
		err = errOverloaded
	case <-ctx.Done():
		err = ctx.Err()
	}
	a.mu.Lock()
	select {
	case <-handed:
		// Handed a slot while giving up: pass it on.
		a.mu.Unlock()
		a.release()
	default:
		a.line.Remove(place)
		a.mu.Unlock()
	}
	return nil, err
}

// releaser returns the release of one slot, which may be called more than
// once.
func (a *admission) releaser() func() {
	var once sync.Once
	return func() { once.Do(a.release) }
}

// release gives a slot to the first in line, or back.
func (a *admission) release() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if first := a.line.Front(); first != nil {
		a.line.Remove(first)
		close(first.Value.(chan struct{}))
		return
	}
	a.free++
}

// waiting is how many requests wait in line.
func (a *admission) waiting() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.line.Len()
}

func (a *admission) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Exactly the requests those two transports take: websockets
		// admit each query and mutation they carry (websocket.go), uploads
		// admit themselves once their files are read (admissionFrom).
		// Anything else, a GET that says it is multipart too, queues here.
		if (transport.Websocket{}).Supports(r) || (multipartUploads{}).Supports(r) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), admissionKey{}, a)))
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			body, err := io.ReadAll(r.Body)
			r.Body = &readAheadBody{Reader: bytes.NewReader(body), err: err, closer: r.Body}
		}
		a.run(w, r, next.ServeHTTP)
	})
}

// run executes h in a slot with its answer kept in memory, gives the slot
// back, then writes the answer with a deadline.
func (a *admission) run(w http.ResponseWriter, r *http.Request, h func(http.ResponseWriter, *http.Request)) {
	release, err := a.acquire(r.Context())
	if err != nil {
		if errors.Is(err, errOverloaded) {
			w.Header().Set("Retry-After", strconv.Itoa(overloadedRetryAfterSecs))
			writeJSONError(w, httpStatus(core.CodeUnavailable), core.CodeUnavailable, core.ErrorMessage(err))
		}
		return
	}
	defer release()
	bw := &bufferedAnswer{header: w.Header(), body: answerBuffers.Get().(*bytes.Buffer)}
	defer putAnswerBuffer(bw.body)
	h(bw, r.WithContext(app.WithYield(r.Context(), release)))
	release()
	writeAnswer(w, bw.status, bw.body.Bytes())
}

// answerBuffers keep answers' buffers between requests: a front page is
// about 150 KB, which a fresh buffer would grow to by copying each time.
var answerBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledAnswer is the largest buffer kept for reuse; a rare large
// answer's buffer goes to the collector.
const maxPooledAnswer = 1 << 20

func putAnswerBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooledAnswer {
		b.Reset()
		answerBuffers.Put(b)
	}
}

// writeAnswer writes a status and body with a write deadline of
// answerWriteBase plus the body at answerWriteMinRate: a client that does
// not read is cut then, and the deadline is cleared for the next request
// on the connection once everything is flushed.
func writeAnswer(w http.ResponseWriter, status int, body []byte) {
	rc := http.NewResponseController(w)
	d := answerWriteBase + time.Duration(len(body)/answerWriteMinRate)*time.Second
	deadlineSet := rc.SetWriteDeadline(time.Now().Add(d)) == nil
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	if len(body) > 0 {
		w.Write(body)
	}
	if deadlineSet {
		rc.Flush()
		rc.SetWriteDeadline(time.Time{})
	}
}

// bufferedAnswer keeps a handler's answer in memory; its header is the
// real response's (nothing is sent before WriteHeader on the real one).
type bufferedAnswer struct {
	header http.Header
	status int
	body   *bytes.Buffer
}

func (b *bufferedAnswer) Header() http.Header { return b.header }
func (b *bufferedAnswer) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}
func (b *bufferedAnswer) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

type admissionKey struct{}

// admissionFrom returns the admission a request passed through, or nil.
func admissionFrom(ctx context.Context) *admission {
	a, _ := ctx.Value(admissionKey{}).(*admission)
	return a
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
