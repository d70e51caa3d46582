package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// requestIDHeader carries the request id both ways: a sane incoming one is
// kept (a proxy's or a client's), otherwise one is made.
const requestIDHeader = "X-Request-Id"

// maxRequestIDLen is the longest incoming request id kept.
const maxRequestIDLen = 128

// requestRecord is what one request's log line and metrics learn while it
// runs: who asked, which GraphQL operation ran, the route, the status and
// bytes sent. The observability middleware puts it in the request's
// context.
type requestRecord struct {
	id      string
	idValue [1]string // the X-Request-Id header's value
	metrics *metrics
	w       statusWriter
	// routed is the request the mux routed (noteUser keeps it): the mux
	// sets its Pattern.
	routed *http.Request

	mu   sync.Mutex
	user string
	op   string
}

// pattern is the mux pattern that routed the request, or, when the mux
// did not see it (answered before: a preflight, a refused credential) or
// matched nothing, the one it would match: one match per routed request.
func (r *requestRecord) pattern(mux *http.ServeMux, req *http.Request) string {
	if r.routed != nil && r.routed.Pattern != "" {
		return r.routed.Pattern
	}
	_, p := mux.Handler(req)
	return p
}

type recordKey struct{}

// recordFrom returns the request's record, or nil outside a request.
func recordFrom(ctx context.Context) *requestRecord {
	r, _ := ctx.Value(recordKey{}).(*requestRecord)
	return r
}

// requestIDFrom returns the request id of the request ctx belongs to, or "".
func requestIDFrom(ctx context.Context) string {
	if r := recordFrom(ctx); r != nil {
		return r.id
	}
	return ""
}

func (r *requestRecord) setUser(id string) {
	r.mu.Lock()
	r.user = id
	r.mu.Unlock()
}

// setOperation notes a GraphQL operation name for the log line (the last
// one, for a subscription connection that ran several).
func (r *requestRecord) setOperation(name string) {
	if name == "" {
		name = opAnonymous
	}
	if len(name) > maxOperationNameLen {
		name = name[:maxOperationNameLen]
	}
	r.mu.Lock()
	r.op = name
	r.mu.Unlock()
}

// requestID keeps an incoming id made of safe characters and of sane
// length, or makes a new one (time-ordered, like every Stillroom id).
func requestID(in string) string {
	if in != "" && len(in) <= maxRequestIDLen && strings.IndexFunc(in, notIDRune) < 0 {
		return in
	}
	return core.NewID()
}

func notIDRune(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return false
	}
	return !strings.ContainsRune("-_.:+/=", r)
}

// noteUser records the signed-in user's id for the log line, and the
// request it hands the mux (whose route the mux notes in it). It runs
// after authenticate, which puts the user in the context, and just before
// the mux.
func noteUser(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rec := recordFrom(r.Context()); rec != nil {
			rec.routed = r
			if u := app.UserFrom(r.Context()); u != nil {
				rec.setUser(u.ID)
			}
		}
		mux.ServeHTTP(w, r)
	})
}

// logRequest writes the one line of a request, timed at end. It never
// logs headers or the query string, which may hold tokens or query text
// with secrets. It hands the record to the handler itself, as
// Logger.LogAttrs would, without the caller's program counter (our
// handlers do not add the source) and without reading the clock again.
func logRequest(log *slog.Logger, r *http.Request, rec *requestRecord, route string, read int64, end time.Time, elapsed time.Duration) {
	w := &rec.w
	status := w.statusCode()
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelWarn
	}
	ctx := context.Background()
	h := log.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	var buf [10]slog.Attr
	attrs := append(buf[:0],
		slog.String("request_id", rec.id),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Int64("bytes", w.bytes),
		slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
	)
	if read > 0 {
		attrs = append(attrs, slog.Int64("upload_bytes", read))
	}
	rec.mu.Lock()
	if rec.user != "" {
		attrs = append(attrs, slog.String("user", rec.user))
	}
	if rec.op != "" {
		attrs = append(attrs, slog.String("operation", rec.op))
	}
	rec.mu.Unlock()
	line := slog.NewRecord(end, level, "request", 0)
	line.AddAttrs(attrs...)
	h.Handle(ctx, line) // as LogAttrs: a failing log output has nowhere to report to
}

// statusWriter notes the status and the number of bytes of a response.
type statusWriter struct {
	http.ResponseWriter
	code  int
	bytes int64
}

func (w *statusWriter) WriteHeader(code int) {
	// 1xx other than 101 are informational: the final status comes later.
	if w.code == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// ReadFrom keeps http.ServeContent's sendfile path for media.
func (w *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	n, err := io.Copy(w.ResponseWriter, r)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Flush() {
	http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// statusCode is the status sent; a handler that wrote nothing sent 200.
func (w *statusWriter) statusCode() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// countingBody counts the bytes read from a request body.
type countingBody struct {
	io.ReadCloser
	n atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}
