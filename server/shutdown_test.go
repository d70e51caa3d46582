package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/internal/metricstest"
)

// TestShutdownFinishesUpload stops the server while an upload is half
// sent: the server accepts no new connection but reads the rest and
// answers with the asset; after a restart on the same data folder the
// asset's processing (finished, or released at shutdown) ends READY, and
// every stored object belongs to an asset.
func TestShutdownFinishesUpload(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": dir, "ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword,
		"UPLOAD_WAIT": "1ms"} // answer at once, so processing may still run at shutdown
	var logs syncBuffer
	rs := startLogged(t, env, io.MultiWriter(&logs, testLog{T: t}))
	tok := login(t, rs.srv, adminEmail, adminPassword)

	still := photoJPEG(t, 1600, 1200, 21)
	up := startSlowUpload(t, rs.srv, tok, "slow.jpg")
	up.write(t, still[:len(still)/2])
	waitHandling(t, rs.srv, 1) // the server is reading the body
	stopped := stopAsync(t, rs)
	waitRefused(t, rs.srv)
	for _, chunk := range split(still[len(still)/2:], 4) {
		up.write(t, chunk)
		time.Sleep(100 * time.Millisecond)
	}
	res := up.finish(t)
	if res.err != nil || res.status != 200 {
		t.Fatalf("upload in flight at shutdown: HTTP %d, %v: %s", res.status, res.err, res.body)
	}
	var r gqlResult
	if err := json.Unmarshal(res.body, &r); err != nil || len(r.Errors) > 0 {
		t.Fatalf("upload answer: %v %s", err, res.body)
	}
	id, _ := dig(r.Data, "uploadAsset", "id").(string)
	if id == "" {
		t.Fatalf("no asset in %s", res.body)
	}
	waitStopped(t, stopped, shutdownGrace+handlersStopGrace+workersStopGrace)

	s := startWith(t, env)
	tok = login(t, s, adminEmail, adminPassword)
	waitAssetStatus(t, s, tok, id, "READY", time.Minute)
	checkNoOrphans(t, dir, s, tok, 1)
}

// TestShutdownCutsStalledUpload: an upload that stalls past the grace
// period is cut; the client sees an error or a refusal, nothing is
// stored, and the stop still ends within its deadlines.
func TestShutdownCutsStalledUpload(t *testing.T) {
	old := shutdownGrace
	shutdownGrace = 500 * time.Millisecond
	t.Cleanup(func() { shutdownGrace = old })

	dir := t.TempDir()
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": dir, "ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}
	var logs syncBuffer
	rs := startLogged(t, env, io.MultiWriter(&logs, testLog{T: t}))
	tok := login(t, rs.srv, adminEmail, adminPassword)

	still := photoJPEG(t, 800, 600, 22)
	up := startSlowUpload(t, rs.srv, tok, "stalled.jpg")
	up.write(t, still[:len(still)/2])
	waitHandling(t, rs.srv, 1)
	start := time.Now()
	stopped := stopAsync(t, rs)
	// The client sends nothing more until the server has stopped.
	waitStopped(t, stopped, shutdownGrace+handlersStopGrace+workersStopGrace)
	if took := time.Since(start); took > shutdownGrace+handlersStopGrace+2*time.Second {
		t.Errorf("stop took %s", took)
	}
	// http.Transport reports the closed connection only once it stops
	// reading the body, so the client gives up now.
	up.pw.CloseWithError(errors.New("client gave up"))
	res := up.wait(t, 30*time.Second)
	if res.err == nil && res.status == 200 && strings.Contains(string(res.body), `"uploadAsset":{`) {
		t.Fatalf("a stalled upload made an asset: %s", res.body)
	}
	t.Logf("the stalled upload ended with HTTP %d, %v", res.status, res.err)
	if !strings.Contains(logs.String(), "grace period over") {
		t.Error("the log does not say requests were cut")
	}

	s := startWith(t, env)
	tok = login(t, s, adminEmail, adminPassword)
	checkNoOrphans(t, dir, s, tok, 0)
}

// slowUpload is a multipart upload whose file the test sends piece by
// piece through a pipe.
type slowUpload struct {
	pw   *io.PipeWriter
	mw   *multipart.Writer
	file io.Writer
	done chan uploadResult
}

type uploadResult struct {
	status int
	body   []byte
	err    error
}

// startSlowUpload sends the request head and the operations, then waits
// for write calls.
func startSlowUpload(t *testing.T, s *testServer, token, filename string) *slowUpload {
	t.Helper()
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.CloseWithError(errors.New("test over")) })
	mw := multipart.NewWriter(pw)
	req, err := http.NewRequest("POST", s.URL+"/graphql", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("GraphQL-Preflight", "1")
	req.Header.Set("Authorization", "Bearer "+token)
	up := &slowUpload{pw: pw, mw: mw, done: make(chan uploadResult, 1)}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			up.done <- uploadResult{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		up.done <- uploadResult{status: resp.StatusCode, body: body, err: err}
	}()
	ops := `{"query":"mutation($f: Upload!) { uploadAsset(file: $f) { id status } }","variables":{"f":null}}`
	if err := mw.WriteField("operations", ops); err != nil {
		t.Fatal(err)
	}
	if err := mw.WriteField("map", `{"0": ["variables.f"]}`); err != nil {
		t.Fatal(err)
	}
	if up.file, err = mw.CreateFormFile("0", filename); err != nil {
		t.Fatal(err)
	}
	return up
}

func (u *slowUpload) write(t *testing.T, p []byte) {
	t.Helper()
	if _, err := u.file.Write(p); err != nil {
		t.Fatalf("sending the upload: %v", err)
	}
}

// finish ends the body and waits for the answer.
func (u *slowUpload) finish(t *testing.T) uploadResult {
	t.Helper()
	if err := u.mw.Close(); err != nil {
		t.Fatal(err)
	}
	u.pw.Close()
	return u.wait(t, time.Minute)
}

func (u *slowUpload) wait(t *testing.T, max time.Duration) uploadResult {
	t.Helper()
	select {
	case r := <-u.done:
		return r
	case <-time.After(max):
		t.Fatalf("no answer to the upload within %s", max)
		return uploadResult{}
	}
}

// stopAsync stops the server in the background, as SIGTERM does; the
// channel closes when serve has returned. A cleanup waits for it, so the
// server's own cleanup never runs concurrently.
func stopAsync(t *testing.T, rs runningServer) <-chan struct{} {
	t.Helper()
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		rs.stop()
	}()
	t.Cleanup(func() { <-stopped })
	return stopped
}

func waitStopped(t *testing.T, stopped <-chan struct{}, max time.Duration) {
	t.Helper()
	select {
	case <-stopped:
	case <-time.After(max + 5*time.Second):
		t.Fatalf("the server did not stop within %s", max)
	}
}

// waitRefused waits until the server refuses new connections.
func waitRefused(t *testing.T, s *testServer) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: time.Second}
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := client.Get(s.URL + "/healthz")
		if errors.Is(err, syscall.ECONNREFUSED) {
			return
		}
		if err == nil {
			resp.Body.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("still accepting connections while shutting down (last: %v)", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitAssetStatus polls an asset until it has status want.
func waitAssetStatus(t *testing.T, s *testServer, token, id, want string, max time.Duration) {
	t.Helper()
	deadline := time.Now().Add(max)
	for {
		d := s.mustGQL(t, token, `query($id: ID!) { asset(id: $id) { status error } }`, map[string]any{"id": id})
		got := dig(d, "asset", "status")
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("asset %s is %v (%v) after %s, want %s", id, got, dig(d, "asset", "error"), max, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkNoOrphans checks the local object store under dataDir against the
// asset records: every object is an asset's original or rendition, every
// key a record names is there with its sidecar, and no temporary file
// (an interrupted write) is left. There must be wantAssets assets.
func checkNoOrphans(t *testing.T, dataDir string, s *testServer, token string, wantAssets int) {
	t.Helper()
	d := s.mustGQL(t, token, `{ assets(first: 100) { totalCount edges { node { id status sha256 renditions { name format url } webp: renditions(format: WEBP) { name format url } } } } }`, nil)
	edges, _ := dig(d, "assets", "edges").([]any)
	if len(edges) != wantAssets {
		t.Errorf("%d assets, want %d", len(edges), wantAssets)
	}
	want := map[string]string{} // key → asset id
	for _, e := range edges {
		a := dig(e, "node").(map[string]any)
		sha := a["sha256"].(string)
		want[app.OriginalKey(sha)] = a["id"].(string)
		for _, r := range append(a["renditions"].([]any), a["webp"].([]any)...) {
			r := r.(map[string]any)
			// The URL's v is the start of the rendition's own hash, as in its key.
			u, err := neturl.Parse(r["url"].(string))
			if err != nil {
				t.Fatal(err)
			}
			want[app.RenditionKey(sha, r["name"].(string), r["format"].(string), u.Query().Get("v"))] = a["id"].(string)
		}
	}
	root := filepath.Join(dataDir, "objects")
	have := map[string]bool{}
	walkFiles(t, filepath.Join(root, "objects"), func(key string) {
		have[key] = true
		if want[key] == "" {
			t.Errorf("orphan object %s: no asset refers to it", key)
		}
	})
	for key, id := range want {
		if !have[key] {
			t.Errorf("asset %s refers to %s, which is not stored", id, key)
		}
	}
	walkFiles(t, filepath.Join(root, "meta"), func(key string) {
		if !have[strings.TrimSuffix(key, ".json")] {
			t.Errorf("sidecar %s without its object", key)
		}
	})
	walkFiles(t, filepath.Join(root, "tmp"), func(key string) {
		t.Errorf("half-written file left: tmp/%s", key)
	})
}

// walkFiles calls fn with the slash-separated path of every file under dir.
func walkFiles(t *testing.T, dir string, fn func(rel string)) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		fn(filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(fmt.Errorf("walk %s: %w", dir, err))
	}
}

// split cuts p into n pieces of about the same size.
func split(p []byte, n int) [][]byte {
	var out [][]byte
	size := (len(p) + n - 1) / n
	for len(p) > 0 {
		k := min(size, len(p))
		out = append(out, p[:k])
		p = p[k:]
	}
	return out
}

// TestShutdownEndsSubscriptions: an open subscription neither holds the
// stop up nor outlives it. Held up, the stop says so in its log: its
// handler outlives handlersStopGrace ("requests still running after
// shutdown") or its request outlives shutdownGrace ("grace period over");
// the log is checked rather than the stop's time, which a busy machine
// can stretch.
func TestShutdownEndsSubscriptions(t *testing.T) {
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": t.TempDir(), "ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}
	var logs syncBuffer
	rs := startLogged(t, env, io.MultiWriter(&logs, testLog{T: t}))
	tok := login(t, rs.srv, adminEmail, adminPassword)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(rs.srv.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	send := func(msg string) {
		t.Helper()
		if err := ws.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	send(`{"type":"connection_init","payload":{"Authorization":"Bearer ` + tok + `"}}`)
	if _, msg, err := ws.Read(ctx); err != nil || !strings.Contains(string(msg), "connection_ack") {
		t.Fatalf("init: %s %v", msg, err)
	}
	send(`{"id":"1","type":"subscribe","payload":{"query":"subscription { assetUpdated { id status } }"}}`)
	// Read as a browser does, answering the server's close frame.
	closed := make(chan error, 1)
	go func() {
		for {
			if _, _, err := ws.Read(ctx); err != nil {
				closed <- err
				return
			}
		}
	}()
	waitSubscribed(t, rs.srv.URL, 1)

	start := time.Now()
	stopped := stopAsync(t, rs)
	waitStopped(t, stopped, shutdownGrace+handlersStopGrace+workersStopGrace)
	t.Logf("figure: the stop with an open subscription took %s", time.Since(start).Round(time.Millisecond))
	for _, held := range []string{"requests still running after shutdown", "grace period over"} {
		if strings.Contains(logs.String(), held) {
			t.Errorf("the open subscription held the stop up: the log says %q", held)
		}
	}
	select {
	case err := <-closed:
		if ctx.Err() != nil {
			t.Fatalf("subscription not closed by the server: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("subscription still open after the stop")
	}
}

// waitHandling waits until the server handles at least n requests besides
// the /metrics scrape that asks (stillroom_http_requests_in_flight).
func waitHandling(t *testing.T, s *testServer, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := metricstest.Gauge(t, scrape(t, s), "stillroom_http_requests_in_flight", nil) - 1
		if got >= float64(n) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v requests in flight after 30 s, want %d", got, n)
		}
		time.Sleep(5 * time.Millisecond) // between scrapes
	}
}
