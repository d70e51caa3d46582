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
