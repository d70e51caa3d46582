package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stillroom/stillroom/internal/metricstest"
)

// TestMetricsAndRequestLog sends a little of everything (a named query, an
// upload, a refused upload, a parse error, a rendition, a 404), then
// checks the series /metrics shows and the one log line of each request.
func TestMetricsAndRequestLog(t *testing.T) {
	var logs syncBuffer
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": t.TempDir(), "ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}
	s := startLogged(t, env, io.MultiWriter(&logs, testLog{T: t})).srv

	tok := login(t, s, adminEmail, adminPassword)
	s.mustGQL(t, tok, `query Me { me { id } }`, nil)
	still := photoJPEG(t, 640, 480, 9)
	r := s.upload(t, tok, "a.jpg", still, "id status renditions { name url }")
	a, _ := dig(r.Data, "uploadAsset").(map[string]any)
	if a == nil || a["status"] != "READY" {
		t.Fatalf("upload: %v %+v", a, r.Errors)
	}
	if r := s.upload(t, "", "b.jpg", still, "id"); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("anonymous upload: %+v", r.Errors)
	}
	if r := s.gql(t, "", `{ me { id `, nil); r.Code() != "GRAPHQL_PARSE_FAILED" {
		t.Fatalf("parse error: %+v", r.Errors)
	}
	if resp, _ := s.fetch(t, renditionURL(a, "w256"), map[string]string{"Authorization": "Bearer " + tok}); resp.StatusCode != 200 {
		t.Fatalf("rendition: HTTP %d", resp.StatusCode)
	}
	if resp, _ := s.fetch(t, "/nope", nil); resp.StatusCode != 404 {
		t.Fatalf("/nope: HTTP %d", resp.StatusCode)
	}

	t.Run("request id", func(t *testing.T) {
		resp, _ := s.fetch(t, "/healthz?token=s3cret-in-query", map[string]string{"X-Request-Id": "edge-7f3a:1"})
		if got := resp.Header.Get("X-Request-Id"); got != "edge-7f3a:1" {
			t.Errorf("sane incoming id: answered %q", got)
		}
		for _, bad := range []string{"has spaces", "quote\"d", strings.Repeat("x", 200)} {
			resp, _ := s.fetch(t, "/healthz", map[string]string{"X-Request-Id": bad})
			if got := resp.Header.Get("X-Request-Id"); !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(got) {
				t.Errorf("incoming %q: answered %q, want a new id", bad, got)
			}
		}
		resp, _ = s.fetch(t, "/healthz", nil)
		if got := resp.Header.Get("X-Request-Id"); got == "" {
			t.Error("no X-Request-Id on a request without one")
		}
	})

	t.Run("metrics", func(t *testing.T) {
		fams := scrape(t, s)
		gql := map[string]string{"method": "POST", "route": "/graphql", "status": "200"}
		// login, Me, the upload; the anonymous upload is refused by the
		// upload transport before GraphQL runs and before its file is read.
		if n := metricstest.Counter(t, fams, "stillroom_http_requests_total", gql); n != 3 {
			t.Errorf("POST /graphql 200 requests = %v, want 3", n)
		}
		if n := metricstest.Counter(t, fams, "stillroom_http_requests_total", map[string]string{"method": "POST", "route": "/graphql", "status": "401"}); n != 1 {
			t.Errorf("POST /graphql 401 (the anonymous upload) = %v, want 1", n)
		}
		if n := metricstest.Counter(t, fams, "stillroom_http_requests_total", map[string]string{"method": "POST", "route": "/graphql", "status": "422"}); n != 1 {
			t.Errorf("POST /graphql 422 (the parse error) = %v, want 1", n)
		}
		if h := metricstest.Histogram(t, fams, "stillroom_http_request_duration_seconds", gql); h.GetSampleCount() != 3 || h.GetSampleSum() <= 0 {
			t.Errorf("POST /graphql latency: %d samples, sum %v", h.GetSampleCount(), h.GetSampleSum())
		}
		metricstest.Counter(t, fams, "stillroom_http_requests_total", map[string]string{"method": "GET", "route": "/media/{asset}/{rendition}", "status": "200"})
		metricstest.Counter(t, fams, "stillroom_http_requests_total", map[string]string{"method": "GET", "route": "unmatched", "status": "404"})
		// Routes are patterns, never raw paths.
		for _, m := range fams["stillroom_http_requests_total"].GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "route" && strings.Contains(l.GetValue(), a["id"].(string)) {
					t.Errorf("raw path as route label: %q", l.GetValue())
				}
			}
		}
		if n := metricstest.Counter(t, fams, "stillroom_upload_bytes_total", nil); n < float64(len(still)) || n >= float64(2*len(still)) {
			t.Errorf("upload bytes = %v, want the one accepted upload of %d (the refused one unread)", n, len(still))
		}
		if n := metricstest.Gauge(t, fams, "stillroom_http_requests_in_flight", nil); n < 1 {
			t.Errorf("in flight during a scrape = %v", n)
		}
		for _, store := range []string{"db", "objects"} {
			if n := metricstest.Counter(t, fams, "stillroom_store_errors_total", map[string]string{"store": store}); n != 0 {
				t.Errorf("store errors of %s = %v", store, n)
			}
		}
		for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", "go_build_info"} {
			if fams[name] == nil {
				t.Errorf("no %s", name)
			}
		}
	})

	// These need srv.Use(graphqlMetrics{}) in newGraphQL.
	t.Run("graphql operations", func(t *testing.T) {
		fams := scrape(t, s)
		if fams["stillroom_graphql_operation_duration_seconds"] == nil {
			t.Fatal("no GraphQL operation series: is srv.Use(graphqlMetrics{}) in newGraphQL?")
		}
		if h := metricstest.Histogram(t, fams, "stillroom_graphql_operation_duration_seconds", map[string]string{"operation": "Me", "type": "query"}); h.GetSampleCount() != 1 {
			t.Errorf("query Me: %d samples, want 1", h.GetSampleCount())
		}
		if h := metricstest.Histogram(t, fams, "stillroom_graphql_operation_duration_seconds", map[string]string{"operation": "anonymous", "type": "mutation"}); h.GetSampleCount() < 2 {
			t.Errorf("anonymous mutations (login, the upload): %d samples", h.GetSampleCount())
		}
		if n := metricstest.Counter(t, fams, "stillroom_graphql_errors_total", map[string]string{"operation": "none", "code": "GRAPHQL_PARSE_FAILED"}); n != 1 {
			t.Errorf("parse errors = %v, want 1", n)
		}
		if !regexp.MustCompile(`msg=request .*route=/graphql status=200 .*user=[0-9a-f]{24} operation=Me\n`).MatchString(logs.String()) {
			t.Error("no log line of query Me with its user and operation")
		}
	})

	t.Run("one log line per request", func(t *testing.T) {
		text := logs.String()
		lines := regexp.MustCompile(`(?m)^.*msg=request .*$`).FindAllString(text, -1)
		// login, Me, 2 uploads, parse error, rendition, 404, 5 /healthz, 2 scrapes
		if len(lines) < 14 {
			t.Errorf("%d request lines, want at least 14", len(lines))
		}
		var health string
		for _, l := range lines {
			if strings.Contains(l, "request_id=edge-7f3a:1 ") {
				health = l
			}
		}
		for _, want := range []string{"method=GET", "path=/healthz ", "route=/healthz", "status=200", "bytes=3", "duration_ms="} {
			if !strings.Contains(health, want) {
				t.Errorf("healthz line %q lacks %q", health, want)
			}
		}
		for _, secret := range []string{tok, "Bearer", "s3cret", "token=", "me { id"} {
			if strings.Contains(text, secret) {
				t.Errorf("the log shows %q", secret)
			}
		}
		if !regexp.MustCompile(`msg=request .*route=/media/\{asset\}/\{rendition\} status=200 .*user=[0-9a-f]{24}`).MatchString(text) {
			t.Error("no rendition line with the user")
		}
		if !regexp.MustCompile(`msg=request .*status=200 .*upload_bytes=\d+ user=`).MatchString(text) {
			t.Error("no upload line with its bytes")
		}
	})
}

// TestRequestLogJSON: production logs JSON lines with typed fields and
// does not serve GraphiQL; development serves it at /.
func TestRequestLogJSON(t *testing.T) {
	var logs syncBuffer
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": t.TempDir(), "ENV": "production"}
	s := startLogged(t, env, &logs).srv
	resp, _ := s.fetch(t, "/healthz", map[string]string{"X-Request-Id": "json-1"})
	if resp.StatusCode != 200 {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}
	if resp, _ := s.fetch(t, "/", nil); resp.StatusCode != 404 {
		t.Errorf("GraphiQL in production: HTTP %d, want 404", resp.StatusCode)
	}
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON line: %s", line)
		}
		if rec["msg"] != "request" || rec["request_id"] != "json-1" {
			continue
		}
		found = true
		if rec["method"] != "GET" || rec["path"] != "/healthz" || rec["route"] != "/healthz" || rec["status"] != 200.0 || rec["bytes"] != 3.0 || rec["level"] != "INFO" {
			t.Errorf("request line: %v", rec)
		}
		if d, ok := rec["duration_ms"].(float64); !ok || d < 0 {
			t.Errorf("duration_ms = %v", rec["duration_ms"])
		}
	}
	if !found {
		t.Errorf("no request line for json-1 in:\n%s", logs.String())
	}

	dev := startServer(t, nil, false)
	resp, body := dev.fetch(t, "/", nil)
	if resp.StatusCode != 200 || !strings.Contains(strings.ToLower(string(body)), "graphiql") {
		t.Errorf("GraphiQL in development: HTTP %d", resp.StatusCode)
	}
}

// TestReadyzFollowsMinIO runs a MinIO of the test's own: /readyz is 200
// with it, 503 naming the object store within seconds of killing it, and
// 200 again once it is back on the same port and data folder.
func TestReadyzFollowsMinIO(t *testing.T) {
	m := newMinIO(t)
	m.start(t)
	s := startWith(t, map[string]string{
		"ADDR": "127.0.0.1:0", "DATA_DIR": t.TempDir(),
		"S3_ENDPOINT": m.addr, "S3_ACCESS_KEY": m.user, "S3_SECRET_KEY": m.password, "S3_BUCKET": "readyz",
	})
	waitReady(t, s, 200, 10*time.Second)

	m.kill(t)
	body := waitReady(t, s, 503, 15*time.Second)
	if !strings.Contains(body, "objects") || strings.Contains(body, "db") {
		t.Errorf("503 body %q, want the object store named", body)
	}
	fams := scrape(t, s)
	if n := metricstest.Counter(t, fams, "stillroom_store_errors_total", map[string]string{"store": "objects"}); n < 1 {
		t.Errorf("objects errors = %v while MinIO is down", n)
	}
	if n := metricstest.Counter(t, fams, "stillroom_store_errors_total", map[string]string{"store": "db"}); n != 0 {
		t.Errorf("db errors = %v, the database never went away", n)
	}

	m.start(t)
	waitReady(t, s, 200, time.Minute)
}

// waitReady polls /readyz until it answers want, and returns the body.
func waitReady(t *testing.T, s *testServer, want int, within time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		resp, body := s.fetch(t, "/readyz", nil)
		if resp.StatusCode == want {
			return string(body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still HTTP %d (%s) after %s, want %d", resp.StatusCode, body, within, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// minioServer is a MinIO process of the test's own, restartable on the
// same port and data folder.
type minioServer struct {
	bin, dir, addr, console, user, password string
	cmd                                     *exec.Cmd
	exited                                  chan struct{} // closed when cmd has exited
	out                                     *syncBuffer
}

// newMinIO finds the MinIO binary scripts/test.sh builds; without it the
// test skips, or fails when CI=true.
func newMinIO(t *testing.T) *minioServer {
	t.Helper()
	bin, err := filepath.Abs(filepath.Join("..", ".cache", "bin", "minio"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		msg := "no MinIO binary at " + bin + "; ./scripts/test.sh builds it"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	secret := make([]byte, 16)
	rand.Read(secret)
	m := &minioServer{
		bin: bin, dir: t.TempDir(), addr: freeAddr(t), console: freeAddr(t),
		user: "readyz", password: hex.EncodeToString(secret),
	}
	t.Cleanup(func() {
		if m.cmd != nil {
			m.kill(t)
		}
	})
	return m
}

// start runs MinIO and waits until it is live.
func (m *minioServer) start(t *testing.T) {
	t.Helper()
	m.out = &syncBuffer{}
	cmd := exec.Command(m.bin, "server", m.dir, "--address", m.addr, "--console-address", m.console)
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+m.user, "MINIO_ROOT_PASSWORD="+m.password, "MINIO_UPDATE=off")
	cmd.Stdout, cmd.Stderr = m.out, m.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	m.cmd, m.exited = cmd, make(chan struct{})
	go func() {
		cmd.Wait()
		close(m.exited)
	}()
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get("http://" + m.addr + "/minio/health/live")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case <-m.exited:
			t.Fatalf("MinIO exited; its output:\n%s", m.out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("MinIO not live after a minute; its output:\n%s", m.out.String())
		}
	}
}

// kill stops MinIO the hard way, as a crash or a lost node would.
func (m *minioServer) kill(t *testing.T) {
	t.Helper()
	if err := m.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("kill MinIO: %v", err)
	}
	<-m.exited
	m.cmd = nil
}

// freeAddr returns a loopback address with a port free at the moment.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// scrape reads the server's /metrics.
func scrape(t *testing.T, s *testServer) metricstest.Families {
	t.Helper()
	resp, body := s.fetch(t, "/metrics", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: HTTP %d", resp.StatusCode)
	}
	return metricstest.Parse(t, body)
}
