package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/stillroom/stillroom/internal/frontpage"
	"github.com/stillroom/stillroom/internal/memtune"
)

// BenchmarkCollectorDefaults measures what the collector default
// (internal/memtune) buys: the uncached front page (as BenchmarkFrontPage)
// in alternating blocks of requests under Go's default (GOGC=100) and
// under the server's (GOGC=400), in one run. It reports the time per
// request of each and their ratio (gogc400/gogc100: below 1 when the
// default pays). It changes the process's collector and restores it.
func BenchmarkCollectorDefaults(b *testing.B) {
	if os.Getenv("GOGC") != "" {
		b.Skip("GOGC is set")
	}
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": b.TempDir(), "ENV": "production",
		"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword, "PUBLISH_GATE": "off"}
	s := startLogged(b, env, io.Discard).srv
	seedFrontPage(b, s, login(b, s, adminEmail, adminPassword))
	old := debug.SetGCPercent(100)
	b.Cleanup(func() { debug.SetGCPercent(old) })
	body, _ := json.Marshal(map[string]any{"query": frontpage.Query})
	client := &http.Client{}
	get := func() {
		resp, err := client.Post(s.URL+"/graphql", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || n < 50_000 {
			b.Fatalf("status %d, %d bytes", resp.StatusCode, n)
		}
	}
	modes := []int{100, memtune.DefaultGCPercent}
	const block = 100
	spent := make([]time.Duration, len(modes))
	count := make([]int, len(modes))
	b.ResetTimer()
	for i := 0; i < b.N; {
		for m, mode := range modes {
			b.StopTimer()
			debug.SetGCPercent(mode)
			runtime.GC() // the mode applies from this cycle on
			b.StartTimer()
			start := time.Now()
			for j := 0; j < block && i < b.N; j++ {
				get()
				i++
				count[m]++
			}
			spent[m] += time.Since(start)
		}
	}
	per := make([]float64, len(modes))
	for m := range modes {
		if count[m] == 0 {
			return
		}
		per[m] = float64(spent[m].Nanoseconds()) / float64(count[m])
	}
	b.ReportMetric(per[0], "ns/req-gogc100")
	b.ReportMetric(per[1], "ns/req-gogc400")
	b.ReportMetric(per[1]/per[0], "gogc400/gogc100")
}
