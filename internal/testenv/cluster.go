package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stillroom/stillroom/media/s3store"
)

// EnvMinIOBinary names the MinIO server binary; ./scripts/test.sh sets it to
// the pinned build in .cache/bin.
const EnvMinIOBinary = "STILLROOM_TEST_MINIO_BIN"

// clusterStartTimeout bounds a cluster's start and a node's return: the
// nodes wait for each other before they serve.
const clusterStartTimeout = 90 * time.Second

// MinIOBinary returns the path of the MinIO server binary: $STILLROOM_TEST_MINIO_BIN,
// else .cache/bin/minio at the module's root (where ./scripts/test.sh
// builds it). When there is none it skips the test, or fails it when
// CI=true.
func MinIOBinary(tb testing.TB) string {
	tb.Helper()
	path := os.Getenv(EnvMinIOBinary)
	if path == "" {
		if root, err := ModuleRoot(); err == nil {
			path = filepath.Join(root, ".cache", "bin", "minio")
		}
	}
	if fi, err := os.Stat(path); path == "" || err != nil || fi.IsDir() {
		msg := "no MinIO binary: set " + EnvMinIOBinary + " or run ./scripts/test.sh once to build .cache/bin/minio"
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return path
}

// ModuleRoot is the folder of the go.mod above the working directory (a
// test's package folder).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
		dir = parent
	}
}

// Cluster is a distributed MinIO of its own: n server processes on
// loopback ports, one drive (folder) each, erasure-coded across them (with
// 4 nodes MinIO's default parity is 2: reads need 2 drives, writes 3), with
// its own credentials. Tests kill and restart its nodes.
type Cluster struct {
	AccessKey, SecretKey string

	tb    testing.TB
	bin   string
	dir   string
	ports []int
	args  []string // the endpoints, the same for every node

	mu    sync.Mutex
	nodes []*node // nil when stopped
	logs  []*bytes.Buffer
}

// StartCluster starts n MinIO nodes and waits until the cluster has write
// quorum. Every node is killed when tb ends; their logs are shown if tb
// failed.
func StartCluster(tb testing.TB, n int) *Cluster {
	tb.Helper()
	c := &Cluster{tb: tb, bin: MinIOBinary(tb), dir: tb.TempDir()}
	k := make([]byte, 20)
	rand.Read(k)
	c.AccessKey, c.SecretKey = "cluster"+hex.EncodeToString(k[:4]), hex.EncodeToString(k)
	c.ports = freePorts(tb, n)
	for i, p := range c.ports {
		c.args = append(c.args, fmt.Sprintf("http://127.0.0.1:%d%s", p, filepath.Join(c.dir, "drive"+strconv.Itoa(i+1))))
	}
	c.nodes = make([]*node, n)
	c.logs = make([]*bytes.Buffer, n)
	tb.Cleanup(func() {
		for i := range c.nodes {
			c.Kill(i)
		}
		if tb.Failed() {
			for i := range c.nodes {
				tb.Logf("MinIO node %d log:\n%s", i, c.Log(i))
			}
		}
	})
	for i := range n {
		c.start(i)
	}
	for i := range n {
		c.WaitNode(i)
	}
	return c
}

// Endpoint is node i's host:port.
func (c *Cluster) Endpoint(i int) string { return "127.0.0.1:" + strconv.Itoa(c.ports[i]) }

// Config is the s3store configuration of node i (no bucket).
func (c *Cluster) Config(i int) s3store.Config {
	return s3store.Config{Endpoint: c.Endpoint(i), AccessKey: c.AccessKey, SecretKey: c.SecretKey}
}

func (c *Cluster) start(i int) {
	c.tb.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.nodes[i] != nil {
		c.tb.Fatalf("MinIO node %d already runs", i)
	}
	// The console gets a free port of its own; port 0 is refused.
	console := freePorts(c.tb, 1)[0]
	cmd := exec.Command(c.bin, append([]string{"server", "--address", c.Endpoint(i),
		"--console-address", "127.0.0.1:" + strconv.Itoa(console)}, c.args...)...)
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+c.AccessKey, "MINIO_ROOT_PASSWORD="+c.SecretKey,
		"MINIO_UPDATE=off",
		// The drives are folders on the root disk, which MinIO refuses in
		// distributed mode unless told it runs under CI.
		"MINIO_CI_CD=on",
		// In a container (/.dockerenv) MinIO waits for endpoints on
		// loopback to resolve elsewhere; this names the node's own one,
		// the others being remote (MinIO's cmd/endpoint.go). Elsewhere
		// it is unused: MinIO compares host and port itself.
		"_MINIO_SERVER_LOCAL="+c.Endpoint(i),
	)
	if c.logs[i] == nil {
		c.logs[i] = new(bytes.Buffer)
	}
	w := &lockedWriter{mu: &c.mu, b: c.logs[i]}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		c.tb.Fatalf("start MinIO node %d: %v", i, err)
	}
	nd := &node{cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(nd.done) }()
	c.nodes[i] = nd
}

type node struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has ended
}

// Kill stops node i at once (SIGKILL), as a crash or a pulled cable would.
func (c *Cluster) Kill(i int) {
	c.mu.Lock()
	nd := c.nodes[i]
	c.nodes[i] = nil
	c.mu.Unlock()
	if nd != nil {
		nd.cmd.Process.Signal(syscall.SIGKILL)
		<-nd.done
	}
}

// Restart starts node i again on its drive and waits until it serves.
func (c *Cluster) Restart(i int) {
	c.tb.Helper()
	c.start(i)
	c.WaitNode(i)
}

// WaitNode waits until node i answers that the cluster, seen from it, has
// write quorum.
func (c *Cluster) WaitNode(i int) {
	c.tb.Helper()
	url := "http://" + c.Endpoint(i) + "/minio/health/cluster"
	deadline := time.Now().Add(clusterStartTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		cancel()
		if err == nil && res.StatusCode == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			c.tb.Fatalf("MinIO node %d: no write quorum after %s (last: %v)\n%s", i, clusterStartTimeout, err, c.Log(i))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Log is what node i wrote so far (all its runs).
func (c *Cluster) Log(i int) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.logs[i] == nil {
		return ""
	}
	return c.logs[i].String()
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// freePorts returns n loopback ports free at the time of the call.
func freePorts(tb testing.TB, n int) []int {
	tb.Helper()
	var ports []int
	var lns []net.Listener
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}
