package httpapi

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stillroom/stillroom/internal/metricstest"

	"github.com/stillroom/stillroom/core"
)

// TestQueueGauges: the queue gauges come from the function given at
// scrape time, are absent without one, and a failing read counts a
// database error instead.
func TestQueueGauges(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	read := func(m *metrics) metricstest.Families {
		rec := httptest.NewRecorder()
		m.handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		return metricstest.Parse(t, rec.Body.Bytes())
	}

	fams := read(newMetrics(quiet, func(ctx context.Context) (int64, time.Duration, error) {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("queue stats called without a deadline")
		}
		return 3, 90 * time.Second, nil
	}))
	if d := metricstest.Gauge(t, fams, "stillroom_queue_depth", nil); d != 3 {
		t.Errorf("depth = %v", d)
	}
	if a := metricstest.Gauge(t, fams, "stillroom_queue_oldest_job_age_seconds", nil); a != 90 {
		t.Errorf("oldest age = %v", a)
	}

	failing := newMetrics(quiet, func(context.Context) (int64, time.Duration, error) {
		return 0, 0, errors.New("database down")
	})
	read(failing)
	fams = read(failing)
	if fams["stillroom_queue_depth"] != nil {
		t.Error("depth shown although the queue could not be read")
	}
	if n := metricstest.Counter(t, fams, "stillroom_store_errors_total", map[string]string{"store": "db"}); n < 1 {
		t.Errorf("db errors = %v after a failed queue read", n)
	}

	if fams := read(newMetrics(quiet, nil)); fams["stillroom_queue_depth"] != nil {
		t.Error("queue gauges without a queue")
	}
}

// TestMetricLabelsBounded: client-chosen operation names stop making new
// series after maxOperationNames; rendition results are "ok",
// "interrupted" or an error code.
func TestMetricLabelsBounded(t *testing.T) {
	m := newMetrics(slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if got := m.operationLabel(""); got != "anonymous" {
		t.Errorf("no name: %q", got)
	}
	for i := range maxOperationNames {
		if got := m.operationLabel("Op" + strconv.Itoa(i)); got != "Op"+strconv.Itoa(i) {
			t.Fatalf("name %d: %q", i, got)
		}
	}
	if got := m.operationLabel("OneTooMany"); got != "other" {
		t.Errorf("past the cap: %q", got)
	}
	if got := m.operationLabel("Op7"); got != "Op7" {
		t.Errorf("known name after the cap: %q", got)
	}
	if got := m.operationLabel(strings.Repeat("A", maxOperationNameLen+1)); got != "other" {
		t.Errorf("long name: %q", got)
	}

	m.RenditionsMade(time.Second, nil)
	m.RenditionsMade(time.Second, context.Canceled)
	m.RenditionsMade(time.Second, core.Errorf(core.CodeUnsupportedMediaType, "not an image"))
	rec := httptest.NewRecorder()
	m.handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	fams := metricstest.Parse(t, rec.Body.Bytes())
	for _, result := range []string{"ok", "interrupted", "UNSUPPORTED_MEDIA_TYPE"} {
		if h := metricstest.Histogram(t, fams, "stillroom_rendition_duration_seconds", map[string]string{"result": result}); h.GetSampleCount() != 1 || h.GetSampleSum() != 1 {
			t.Errorf("%s: %d samples, sum %v", result, h.GetSampleCount(), h.GetSampleSum())
		}
	}
}

// TestRequestRouteLabels: every request is counted and timed under the
// mux's pattern, whether the mux routed it or a layer before it answered
// (a CORS preflight, a refused bearer token), and "unmatched" when no
// route matches; counts add up per label set.
func TestRequestRouteLabels(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ping := func(context.Context) error { return nil }
	obs := NewObservability(quiet, ping, ping, nil)
	h := New(newService(t), Config{PublicURL: "http://127.0.0.1"}, quiet, obs)
	send := func(method, target string, header ...string) int {
		r := httptest.NewRequest(method, target, nil)
		for i := 0; i < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	cases := []struct {
		method, target string
		header         []string
		route          string
		status         int
	}{
		{"GET", "/healthz", nil, "/healthz", 200},
		{"GET", "/graphql?query=%7B__typename%7D", nil, "/graphql", 200},
		{"OPTIONS", "/graphql", []string{"Origin", "http://localhost:5173", "Access-Control-Request-Method", "POST"}, "/graphql", 204},
		{"GET", "/graphql?query=%7B__typename%7D", []string{"Authorization", "Bearer not-a-session"}, "/graphql", 401},
		{"GET", "/media/nothing-here", nil, "unmatched", 404},
	}
	for _, c := range cases {
		for range 2 {
			if got := send(c.method, c.target, c.header...); got != c.status {
				t.Errorf("%s %s: HTTP %d, want %d", c.method, c.target, got, c.status)
			}
		}
	}
	rec := httptest.NewRecorder()
	obs.metrics.handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	fams := metricstest.Parse(t, rec.Body.Bytes())
	for _, c := range cases {
		labels := map[string]string{"method": c.method, "route": c.route, "status": strconv.Itoa(c.status)}
		if n := metricstest.Counter(t, fams, "stillroom_http_requests_total", labels); n != 2 {
			t.Errorf("%v: counted %v times, want 2", labels, n)
		}
		if h := metricstest.Histogram(t, fams, "stillroom_http_request_duration_seconds", labels); h.GetSampleCount() != 2 {
			t.Errorf("%v: timed %d times, want 2", labels, h.GetSampleCount())
		}
	}
}
