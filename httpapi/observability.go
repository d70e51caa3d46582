package httpapi

import (
	"context"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stillroom/stillroom/app"
)

// Store names in metrics and readiness answers.
const (
	storeDB      = "db"
	storeObjects = "objects"
)

// readyCheckTimeout bounds each store check of /readyz.
const readyCheckTimeout = 3 * time.Second

// storeCheck is one store /readyz asks.
type storeCheck struct {
	name string
	ping func(context.Context) error
}

// Observability is one server's view of its requests: Prometheus metrics,
// one log line per request, and the count of requests still running, which
// shutdown waits on.
type Observability struct {
	metrics *metrics
	log     *slog.Logger
	stores  []storeCheck
	active  atomic.Int64
}

// NewObservability instruments a server whose metadata store is checked
// by pingDB and object store by pingObjects. queue may be nil (no queue
// gauges).
func NewObservability(log *slog.Logger, pingDB, pingObjects func(context.Context) error, queue QueueStats) *Observability {
	stores := []storeCheck{{storeDB, pingDB}, {storeObjects, pingObjects}}
	return &Observability{metrics: newMetrics(log, queue), log: log, stores: stores}
}

// Observer is what the app tells how processing went: the metrics.
func (o *Observability) Observer() app.Observer { return o.metrics }

// middleware wraps every request: it gives it a request id (also in the
// X-Request-Id response header), counts and times it by route pattern
// (mux's, never the raw path) and status, counts upload bytes, and logs one
// line when it ends.
func (o *Observability) middleware(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		o.active.Add(1)
		defer o.active.Add(-1)
		o.metrics.httpInFlight.Inc()
		defer o.metrics.httpInFlight.Dec()

		// One allocation holds the record, the status writer and the
		// header value (shared with the header map: see respcache.go).
		rec := &requestRecord{id: requestID(r.Header.Get(requestIDHeader)), metrics: o.metrics}
		rec.idValue[0] = rec.id
		w.Header()[requestIDHeader] = rec.idValue[:]
		r = r.WithContext(context.WithValue(r.Context(), recordKey{}, rec))
		var body *countingBody
		if isUpload(r) {
			body = &countingBody{ReadCloser: r.Body}
			r.Body = body
		}
		sw := &rec.w
		sw.ResponseWriter = w
		defer func() {
			if p := recover(); p != nil {
				// net/http logs the panic and drops the connection; the
				// line and the metrics still say it failed.
				if sw.code == 0 {
					sw.code = http.StatusInternalServerError
				}
				o.finish(mux, r, rec, body, start)
				panic(p)
			}
			o.finish(mux, r, rec, body, start)
		}()
		next.ServeHTTP(sw, r)
	})
}

func (o *Observability) finish(mux *http.ServeMux, r *http.Request, rec *requestRecord, body *countingBody, start time.Time) {
	end := time.Now()
	elapsed := end.Sub(start)
	var read int64
	if body != nil {
		read = body.n.Load()
		o.metrics.uploadBytes.Add(float64(read))
	}
	route := routeLabel(rec.pattern(mux, r))
	o.metrics.observeRequest(r.Method, route, rec.w.statusCode(), elapsed)
	logRequest(o.log, r, rec, route, read, end, elapsed)
}

// isUpload reports whether r sends a file: a multipart GraphQL request or
// a direct PUT upload.
func isUpload(r *http.Request) bool {
	switch r.Method {
	case http.MethodPut:
		return true
	case http.MethodPost:
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		return mt == "multipart/form-data"
	}
	return false
}

// InFlight is how many requests are being handled.
func (o *Observability) InFlight() int64 { return o.active.Load() }

// WaitIdle waits until no request is being handled, or max has passed; it
// reports whether all had returned.
func (o *Observability) WaitIdle(max time.Duration) bool {
	deadline := time.Now().Add(max)
	for o.active.Load() > 0 {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// readiness answers 200 when every store answers within
// readyCheckTimeout, 503 naming the stores that do not otherwise. Each
// failure is logged and counted in stillroom_store_errors_total.
func (o *Observability) readiness() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		failed := make([]string, len(o.stores))
		var wg sync.WaitGroup
		for i, s := range o.stores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(r.Context(), readyCheckTimeout)
				defer cancel()
				if err := s.ping(ctx); err != nil {
					o.metrics.storeFailed(s.name)
					o.log.Warn("not ready", "store", s.name, "err", err, "request_id", requestIDFrom(r.Context()))
					failed[i] = s.name
				}
			}()
		}
		wg.Wait()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		var down []string
		for _, name := range failed {
			if name != "" {
				down = append(down, name)
			}
		}
		if len(down) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("not ready: " + strings.Join(down, ", ") + " unreachable\n"))
			return
		}
		w.Write([]byte("ready\n"))
	})
}
