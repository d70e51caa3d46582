// Package servertest runs the real Stillroom binary for end-to-end tests
// that must see the server as its users do: a separate process on a
// loopback port, its own data folder, optionally a bucket of the test
// MinIO. The binary is built once per test process from ./server (with
// -race when the tests run with it).
package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stillroom/stillroom/internal/testenv"
)

// startTimeout bounds a server's start (the embedded database included).
const startTimeout = 2 * time.Minute

var (
	// tempRoot is the temporary folder as the test process started: the
	// binary outlives a test that points TMPDIR at its own TempDir (which
	// is removed when it ends) and happens to build it.
	tempRoot = os.TempDir()

	buildOnce sync.Once
	binary    string
	buildErr  error
)

// Binary returns the path of the server binary, building it on first use.
//
// The binary is built without the race detector even when the tests are
// (set STILLROOM_SERVERTEST_RACE=1 to build it with): the child runs real
// image processing and bcrypt, which the detector slows ten-fold, and the
// tests that use it are about behaviour seen from outside (browsers,
// attackers). The server's own code runs under the detector in the server
// package's in-process tests.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		root, err := testenv.ModuleRoot()
		if err != nil {
			buildErr = err
			return
		}
		removeStaleBinaries()
		dir, err := os.MkdirTemp(tempRoot, "stillroom-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "stillroom")
		args := []string{"build", "-o", binary}
		if raceEnabled && os.Getenv("STILLROOM_SERVERTEST_RACE") == "1" {
			args = append(args, "-race")
		}
		args = append(args, "./server")
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./server: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// staleBinaryAge is when a binary folder of an earlier test process is
// surely unused: no test run lasts this long.
const staleBinaryAge = 6 * time.Hour

// removeStaleBinaries removes the binary folders earlier test processes
// left (a process cannot remove its own at exit: tests share it until
// then), so repeated runs do not fill the temporary folder.
func removeStaleBinaries() {
	dirs, _ := filepath.Glob(filepath.Join(tempRoot, "stillroom-bin-*"))
	for _, d := range dirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() && time.Since(fi.ModTime()) > staleBinaryAge {
			os.RemoveAll(d)
		}
	}
}

// Options configure a server.
type Options struct {
	// Env holds STILLROOM_* settings without the prefix ("ENV": "production").
	Env map[string]string
	// MinIO stores objects in a fresh bucket of the test MinIO instead of
	// the data folder (the test fails under CI=true without one).
	MinIO bool
	// Admin creates this admin at start (password Password).
	Admin string
	// Args are extra command-line arguments after "serve".
	Args []string
	// Binary, when set, is run instead of the one built from ./server (to
	// measure an older build).
	Binary string
	// DataDir is the data folder; empty = a new temporary one. Several
	// servers (and commands, see Run) may share one.
	DataDir string
}

// Password is the password of Options.Admin.
const Password = "correct horse battery staple"

// Server is a running server process.
type Server struct {
	URL     string // http://127.0.0.1:port
	Addr    string // 127.0.0.1:port
	DataDir string
	// ObjectsURL is the test MinIO's origin (http://host:port) when
	// Options.MinIO is set: direct uploads from a browser go there.
	ObjectsURL string
	Cmd        *exec.Cmd

	exited chan error // the process's exit, put back by whoever takes it
	mu     sync.Mutex
	log    bytes.Buffer
}

// Start runs the server and waits until /healthz answers. It is stopped
// (SIGTERM, then killed after 10 s) when t ends; its output is logged if
// t failed.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	bin := opts.Binary
	if bin == "" {
		bin = Binary(t)
	}
	addr := freeAddr(t)
	s := &Server{URL: "http://" + addr, Addr: addr, DataDir: opts.DataDir}
	if s.DataDir == "" {
		s.DataDir = t.TempDir()
	}
	env := map[string]string{"ADDR": addr, "DATA_DIR": s.DataDir}
	if opts.MinIO {
		c := testenv.NewBucketConfig(t)
		env["S3_ENDPOINT"], env["S3_ACCESS_KEY"], env["S3_SECRET_KEY"], env["S3_BUCKET"] = c.Endpoint, c.AccessKey, c.SecretKey, c.Bucket
		s.ObjectsURL = "http://" + c.Endpoint
	}
	if opts.Admin != "" {
		env["ADMIN_EMAIL"], env["ADMIN_PASSWORD"] = opts.Admin, Password
	}
	for k, v := range opts.Env {
		env[k] = v
	}
	cmd := exec.Command(bin, append([]string{"serve"}, opts.Args...)...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, "STILLROOM_"+k+"="+v)
	}
	cmd.Stdout = (*logWriter)(s)
	cmd.Stderr = (*logWriter)(s)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.Cmd = cmd
	exited := make(chan error, 1)
	s.exited = exited
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-exited
			}
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.Log())
		}
	})

	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("server exited before it was ready: %v\n%s", err, s.Log())
		default:
		}
		res, err := http.Get(s.URL + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready after %s\n%s", startTimeout, s.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop stops the server as an operator does, with SIGTERM, and waits for
// it to exit; t fails when it is not gone within 30 s (it is killed then)
// or exits with an error.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	s.Cmd.Process.Signal(syscall.SIGTERM)
	var err error
	select {
	case err = <-s.exited:
	case <-time.After(30 * time.Second):
		s.Cmd.Process.Kill()
		err = <-s.exited
		t.Errorf("the server did not stop within 30 s of SIGTERM")
	}
	s.exited <- err // for the cleanup Start registered
	if err != nil {
		t.Errorf("the server exited with %v\n%s", err, s.Log())
	}
}

// Run runs the binary once with args (a command such as "gc") and the
// STILLROOM_* settings env (without the prefix), and returns its combined
// output and error.
func Run(t testing.TB, env map[string]string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, Binary(t), args...)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, "STILLROOM_"+k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

type logWriter Server

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.log.Write(p)
}

// Log returns what the server wrote so far.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Result is a GraphQL answer.
type Result struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// Code is the first error's extensions.code, or "".
func (r Result) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// Decode unmarshals the data into v, failing t on errors.
func (r Result) Decode(t testing.TB, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("GraphQL errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decode %s: %v", r.Data, err)
	}
}

// GraphQL posts one operation as JSON, with a bearer token when token is
// not empty.
func (s *Server) GraphQL(t testing.TB, token, query string, vars map[string]any) Result {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /graphql: %v", err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var r Result
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("POST /graphql: HTTP %d, not JSON: %.200s", res.StatusCode, raw)
	}
	return r
}

// Login signs in with a password and returns a bearer token.
func (s *Server) Login(t testing.TB, email, password string) string {
	t.Helper()
	var d struct {
		Login struct{ Token string } `json:"login"`
	}
	s.GraphQL(t, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`,
		map[string]any{"e": email, "p": password}).Decode(t, &d)
	if d.Login.Token == "" {
		t.Fatal("login gave no token")
	}
	return d.Login.Token
}

// CreateUser creates a user with the admin's token and returns the new
// user's token.
func (s *Server) CreateUser(t testing.TB, adminToken, email, name, role string) string {
	t.Helper()
	s.GraphQL(t, adminToken, `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
		map[string]any{"i": map[string]any{"email": email, "name": name, "role": role, "password": Password}}).Decode(t, &struct{}{})
	return s.Login(t, email, Password)
}

// Pid is the server's process id.
func (s *Server) Pid() int { return s.Cmd.Process.Pid }

// Contains reports whether the server's log contains s.
func (s *Server) Contains(sub string) bool { return strings.Contains(s.Log(), sub) }
