package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
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
	h := newAdmission(1).wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	time.Sleep(20 * time.Millisecond)
	second := post(t.Context(), "second", "application/json")
	time.Sleep(20 * time.Millisecond)
	third := post(t.Context(), "third", "application/json")
	upload := post(t.Context(), "upload", "multipart/form-data; boundary=x")
	if got := <-ran; got != "upload" {
		t.Fatalf("an upload waited for a slot; ran %q", got)
	}
	<-upload
	select {
	case got := <-ran:
		t.Fatalf("%q ran while the slot was taken", got)
	case <-time.After(50 * time.Millisecond):
	}
	leave()
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
