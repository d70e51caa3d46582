package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/internal/embeddedtest"
	"github.com/stillroom/stillroom/internal/testenv"
	"github.com/stillroom/stillroom/media"
	"github.com/stillroom/stillroom/media/s3store"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// serverBinary builds this command once per test run.
func serverBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "stillroom-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "stillroom")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// process is a server running as its own OS process, so a test can kill
// it outright.
type process struct {
	cmd   *exec.Cmd
	url   string
	lines chan string
}

func startProcess(t *testing.T, env map[string]string) *process {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(serverBinary(t))
	cmd.Env = append(os.Environ(), "STILLROOM_ADDR=127.0.0.1:"+port)
	for k, v := range env {
		cmd.Env = append(cmd.Env, "STILLROOM_"+k+"="+v)
	}
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, url: "http://127.0.0.1:" + port, lines: make(chan string, 1000)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
	}()
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	p.waitFor(t, "msg=serving", 2*time.Minute)
	return p
}

// waitFor reads the log until a line contains s.
func (p *process) waitFor(t *testing.T, s string, limit time.Duration) string {
	t.Helper()
	deadline := time.After(limit)
	for {
		select {
		case l := <-p.lines:
			if strings.Contains(l, s) {
				return l
			}
		case <-deadline:
			t.Fatalf("no log line with %q within %s", s, limit)
		}
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "run", "../internal/tools/freeport", "1").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// assetStatusIn reads asset id's status from the database in dataDir, of
// a process that has ended.
func assetStatusIn(t *testing.T, dataDir, id string) core.AssetStatus {
	t.Helper()
	a, err := embeddedtest.DB(t, dataDir).AssetByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a.Status
}

// TestKilledMidProcessing: a process killed while it makes renditions
// leaves a job that another process picks up when the lease runs out; the
// asset ends READY with each object stored once and nothing unreferenced.
// The kill can miss on a busy machine (the job done before it lands):
// then the test uploads another photo to a new process and kills again,
// up to killAttempts times.
func TestKilledMidProcessing(t *testing.T) {
	s3 := testenv.NewBucketConfig(t)
	env := map[string]string{
		"DATA_DIR": t.TempDir(), "ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword,
		"S3_ENDPOINT": s3.Endpoint, "S3_ACCESS_KEY": s3.AccessKey, "S3_SECRET_KEY": s3.SecretKey, "S3_BUCKET": s3.Bucket,
		"UPLOAD_WAIT": "1ms", "JOB_LEASE": "3s", "WORKERS": "1",
	}
	const killAttempts = 3
	var id string
	uploads := 0
	for attempt := 1; ; attempt++ {
		uploads = attempt
		big := photoJPEG(t, 6000, 4000, uint8(76+attempt)) // a 24 MP photo takes a while to process
		a := startProcess(t, env)
		srv := &testServer{URL: a.url}
		tok := login(t, srv, adminEmail, adminPassword)
		r := srv.upload(t, tok, "big.jpg", big, "id status")
		id, _ = dig(r.Data, "uploadAsset", "id").(string)
		if id == "" {
			t.Fatalf("upload: %+v", r.Errors)
		}
		// Killed as soon as the job has started: a 24 MP photo takes far
		// longer than that to process, so the kill lands inside the job,
		// unless this process stalled. Had the job finished, the second
		// process would have no job to take over: try again.
		a.waitFor(t, "msg=processing", time.Minute)
		a.cmd.Process.Kill()
		a.cmd.Wait()
		status := assetStatusIn(t, env["DATA_DIR"], id)
		t.Logf("figure: kill %d landed with the asset %s", attempt, status)
		if status == core.AssetProcessing {
			break
		}
		if attempt == killAttempts {
			t.Fatalf("none of %d kills landed inside the job: the last asset is %s", killAttempts, status)
		}
	}

	b := startProcess(t, env)
	srv := &testServer{URL: b.url}
	tok := login(t, srv, adminEmail, adminPassword)
	// The second process takes the job over: its second attempt.
	if l := b.waitFor(t, "msg=processed", 2*time.Minute); !strings.Contains(l, "attempt=2") {
		t.Errorf("not a retry of the interrupted job: %s", l)
	}
	d := srv.mustGQL(t, tok, `query($id: ID!) { asset(id: $id) { status width sha256 renditions { name } } }`, map[string]any{"id": id})
	if dig(d, "asset", "status") != "READY" || dig(d, "asset", "width") != 6000.0 || len(dig(d, "asset", "renditions").([]any)) != 6 {
		t.Fatalf("after the crash: %v", d)
	}

	// Every object is referenced, each exactly once: the original, six
	// JPEG renditions and five WebP twins under content-derived keys, for
	// this asset and for each asset of a kill that missed.
	sha, _ := dig(d, "asset", "sha256").(string)
	store, err := s3store.New(context.Background(), s3)
	if err != nil {
		t.Fatal(err)
	}
	var keys, mine []string
	err = store.List(context.Background(), "", func(o media.ObjectInfo) error {
		keys = append(keys, o.Key)
		if sha != "" && strings.Contains(o.Key, sha) {
			mine = append(mine, o.Key)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(mine)
	if len(mine) != 12 || !strings.HasPrefix(mine[0], "originals/") {
		t.Errorf("the asset's objects after the crash: %q", mine)
	}
	originals := 0
	for _, k := range keys {
		switch {
		case strings.HasPrefix(k, "originals/"):
			originals++
		case !strings.HasPrefix(k, "renditions/"):
			t.Errorf("unexpected object %s", k)
		}
	}
	if len(keys) != 12*uploads || originals != uploads {
		t.Errorf("%d objects, %d originals after %d uploads: %q", len(keys), originals, uploads, keys)
	}
}
