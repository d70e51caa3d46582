package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
)

// discardWriter is the least a ResponseWriter does: a fresh header map per
// response (as net/http makes one), the status kept, the body dropped.
type discardWriter struct {
	header http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header { return w.header }
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
}

// BenchmarkCachedRead is the whole edge (New: request log as JSON,
// metrics, CORS, authentication, client address, routing, the public
// cache) answering an anonymous GET from the response cache, without a
// network: its ns/op and allocs/op are our part of a cached read, which
// scripts/bench-reads.sh measures through loopback against a plain handler.
func BenchmarkCachedRead(b *testing.B) {
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	ping := func(context.Context) error { return nil }
	h := New(newService(b), Config{Production: true, PublicURL: "http://127.0.0.1"}, log, NewObservability(log, ping, ping, nil))
	target := "/graphql?" + url.Values{"query": {`{ articles(first: 20) { totalCount edges { node { title } } } }`}}.Encode()
	r, err := http.NewRequest(http.MethodGet, "http://127.0.0.1"+target, nil)
	if err != nil {
		b.Fatal(err)
	}
	r.Body = http.NoBody // as net/http gives a GET
	r.RemoteAddr = "127.0.0.1:40000"
	r.RequestURI = target
	serve := func() *discardWriter {
		w := &discardWriter{header: http.Header{}}
		h.ServeHTTP(w, r)
		return w
	}
	serve()
	if w := serve(); w.status != http.StatusOK || w.header.Get("X-Cache") != "HIT" {
		b.Fatalf("second GET: HTTP %d, X-Cache %q", w.status, w.header.Get("X-Cache"))
	}
	b.ReportAllocs()
	for b.Loop() {
		if w := serve(); w.status != http.StatusOK {
			b.Fatalf("HTTP %d", w.status)
		}
	}
}
