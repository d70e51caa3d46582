package httpapi

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestAdmission: operations beyond the slots wait in arrival order; one
// whose client leaves while it waits never runs; bodies are read before
// waiting and handed over whole; uploads are not admitted here.
func TestAdmission(t *testing.T) {
	release := make(chan struct{})
	ran := make(chan string, 10)
	adm := newAdmission(1, 10, time.Minute)
	h := adm.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ran <- string(body)
		if string(body) == "first" {
			<-release
		}
	}))
	post := func(ctx context.Context, body, contentType string) chan struct{} {
		done := make(chan struct{})
		req := httptest.NewRequestWithContext(ctx, "POST", "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		go func() { h.ServeHTTP(httptest.NewRecorder(), req); close(done) }()
		return done
	}
	first := post(t.Context(), "first", "application/json")
	if got := <-ran; got != "first" {
		t.Fatalf("ran %q", got)
	}
	leaving, leave := context.WithCancel(t.Context())
	gone := post(leaving, "gone", "application/json")
	waitInLine(t, adm, 1)
	second := post(t.Context(), "second", "application/json")
	waitInLine(t, adm, 2)
	third := post(t.Context(), "third", "application/json")
	waitInLine(t, adm, 3)
	upload := post(t.Context(), "upload", "multipart/form-data; boundary=x")
	if got := <-ran; got != "upload" {
		t.Fatalf("an upload waited for a slot; ran %q", got)
	}
	<-upload
	select {
	case got := <-ran:
		t.Fatalf("%q ran while the slot was taken", got)
	default:
	}
	leave()
	waitInLine(t, adm, 2)
	<-gone
	close(release)
	<-first
	for _, want := range []string{"second", "third"} {
		if got := <-ran; got != want {
			t.Fatalf("ran %q, want %q (arrival order)", got, want)
		}
	}
	<-second
	<-third
	select {
	case got := <-ran:
		t.Fatalf("%q ran after its client left", got)
	default:
	}
}

// blockingWriter is a client that does not read: its writes wait for
// unblock.
type blockingWriter struct {
	header  http.Header
	unblock chan struct{}
}

func (b *blockingWriter) Header() http.Header { return b.header }
func (b *blockingWriter) WriteHeader(int)     {}
func (b *blockingWriter) Write(p []byte) (int, error) {
	<-b.unblock
	return len(p), nil
}

// TestAdmissionFreesSlotBeforeWriting: an answer is written after its slot
// is given back, so a client that never reads holds no slot.
func TestAdmissionFreesSlotBeforeWriting(t *testing.T) {
	h := newAdmission(1, 10, time.Minute).wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 1<<20))
	}))
	stuck := &blockingWriter{header: http.Header{}, unblock: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		h.ServeHTTP(stuck, httptest.NewRequest("POST", "/graphql", strings.NewReader("{}")))
		close(done)
	}()
	other := make(chan *httptest.ResponseRecorder)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/graphql", strings.NewReader("{}")))
		other <- rec
	}()
	select {
	case rec := <-other:
		if rec.Body.Len() != 1<<20 {
			t.Fatalf("answer of %d bytes", rec.Body.Len())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a client that does not read held the only slot")
	}
	close(stuck.unblock)
	<-done
}

// TestAdmissionQueueBounded: beyond the queue, or after the wait, requests
// are answered 503 with Retry-After; the slot and queue are whole again
// after.
func TestAdmissionQueueBounded(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 10)
	adm := newAdmission(1, 1, time.Second)
	h := adm.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-release
		io.WriteString(w, "ok")
	}))
	serve := func() chan *httptest.ResponseRecorder {
		c := make(chan *httptest.ResponseRecorder, 1)
		go func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", "/graphql", strings.NewReader("{}")))
			c <- rec
		}()
		return c
	}
	running := serve()
	<-started
	waiting := serve() // in the queue, gives up after a second
	waitInLine(t, adm, 1)
	full := <-serve() // the queue holds one: refused at once
	if full.Code != http.StatusServiceUnavailable || full.Header().Get("Retry-After") == "" || !strings.Contains(full.Body.String(), "UNAVAILABLE") {
		t.Fatalf("queue full: %d %q %s", full.Code, full.Header().Get("Retry-After"), full.Body)
	}
	if rec := <-waiting; rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("waited too long: %d %s", rec.Code, rec.Body)
	}
	close(release)
	if rec := <-running; rec.Body.String() != "ok" {
		t.Fatalf("running: %d %s", rec.Code, rec.Body)
	}
	if rec := <-serve(); rec.Body.String() != "ok" {
		t.Fatalf("after: %d %s", rec.Code, rec.Body)
	}
}

// waitInLine waits until n requests wait in a's line.
func waitInLine(t *testing.T, a *admission, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for a.waiting() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests in line, want %d", a.waiting(), n)
		}
		runtime.Gosched()
	}
}
