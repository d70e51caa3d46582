package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"runtime/debug"
	"testing"

	"github.com/stillroom/stillroom/internal/frontpage"
)

// BenchmarkFrontPage runs the 20-article front page, uncached (POST), on
// the embedded default through loopback HTTP, one request at a time. Its
// allocations per operation are a steady measure of the server's work on
// a shared machine; scripts/bench-reads.sh measures rates and latencies.
// The server runs with its collector defaults, as `stillroom serve` does;
// they are undone at the end.
func BenchmarkFrontPage(b *testing.B) {
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": b.TempDir(), "ENV": "production",
		"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword, "PUBLISH_GATE": "off"}
	oldPercent := debug.SetGCPercent(100)
	debug.SetGCPercent(oldPercent)
	oldLimit := debug.SetMemoryLimit(-1)
	b.Cleanup(func() {
		debug.SetGCPercent(oldPercent)
		debug.SetMemoryLimit(oldLimit)
	})
	s := startLogged(b, env, io.Discard, func(c *config) { c.tuneRuntime = true }).srv
	seedFrontPage(b, s, login(b, s, adminEmail, adminPassword))
	body, _ := json.Marshal(map[string]any{"query": frontpage.Query})
	client := &http.Client{}
	b.ReportAllocs()
	var size int
	for b.Loop() {
		resp, err := client.Post(s.URL+"/graphql", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || n < 50_000 {
			b.Fatalf("status %d, %d bytes", resp.StatusCode, n)
		}
		size = int(n)
	}
	b.ReportMetric(float64(size), "bytes/answer")
}
