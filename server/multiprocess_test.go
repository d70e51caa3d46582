package main

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stillroom/stillroom/internal/servertest"
)

// TestTwoProcesses runs two real server processes on one data folder (the
// embedded SQLite file) and the binary's commands beside them: each sees
// the other's writes at once, they share the processing queue with every
// job claimed by one of them only, and `user create`, `user set-password`,
// `reprocess` and `gc` work while they run. SQLite's transactions are what
// make the queue's claims atomic across processes (see sqlitestore).
func TestTwoProcesses(t *testing.T) {
	const admin = "admin@example.com"
	a := servertest.Start(t, servertest.Options{Admin: admin})
	b := servertest.Start(t, servertest.Options{DataDir: a.DataDir})
	env := map[string]string{"DATA_DIR": a.DataDir}

	// B sees the admin A created, and its sessions.
	tokA := a.Login(t, admin, servertest.Password)
	tokB := b.Login(t, admin, servertest.Password)
	var me struct{ Me struct{ Email string } }
	b.GraphQL(t, tokA, `{ me { email } }`, nil).Decode(t, &me)
	if me.Me.Email != admin {
		t.Fatalf("B does not know A's session: %+v", me)
	}

	// A user made by the command line while both run signs in on both.
	out, err := servertest.Run(t, env, "user", "create", "--email", "ed@example.com", "--name", "Ed", "--role", "EDITOR", "--password", "a long password")
	if err != nil {
		t.Fatalf("user create while serving: %v\n%s", err, out)
	}
	edA := a.Login(t, "ed@example.com", "a long password")
	edB := b.Login(t, "ed@example.com", "a long password")

	// user set-password while both run: the new password signs in on both,
	// the old one nowhere, and the sessions made with it end on both.
	out, err = servertest.Run(t, env, "user", "set-password", "--email", "ed@example.com", "--password", "another long password")
	if err != nil || !strings.Contains(out, "sessions ended") {
		t.Fatalf("user set-password while serving: %v\n%s", err, out)
	}
	for _, s := range []*servertest.Server{a, b} {
		for _, tok := range []string{edA, edB} {
			if r := s.GraphQL(t, tok, `{ me { email } }`, nil); r.Code() != "UNAUTHENTICATED" {
				t.Errorf("%s: a session from before set-password still works: %s %+v", s.Addr, r.Data, r.Errors)
			}
		}
		if r := s.GraphQL(t, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`,
			map[string]any{"e": "ed@example.com", "p": "a long password"}); r.Code() != "UNAUTHENTICATED" {
			t.Errorf("%s: the old password still signs in: %s %+v", s.Addr, r.Data, r.Errors)
		}
		s.Login(t, "ed@example.com", "another long password")
	}

	// Uploads to both; every asset is processed once, by one of them.
	const n = 8
	var ids []string
	for i := range n {
		s, tok := a, tokA
		if i%2 == 1 {
			s, tok = b, tokB
		}
		ids = append(ids, uploadTo(t, s, tok, fmt.Sprintf("still-%d.jpg", i), photoJPEG(t, 640, 480, uint8(i*25))))
	}
	waitProcessed(t, a, b, ids, 1)
	var list struct {
		Assets struct{ TotalCount int } `json:"assets"`
	}
	b.GraphQL(t, tokB, `{ assets(first: 50, filter: {status: READY}) { totalCount } }`, nil).Decode(t, &list)
	if list.Assets.TotalCount != n {
		t.Fatalf("B lists %d READY assets, want %d", list.Assets.TotalCount, n)
	}

	// reprocess (a third process) queues every asset; the servers share
	// the work, each job once.
	out, err = servertest.Run(t, env, "reprocess")
	if err != nil || !strings.Contains(out, fmt.Sprintf("queued %d assets", n)) {
		t.Fatalf("reprocess while serving: %v\n%s", err, out)
	}
	waitProcessed(t, a, b, ids, 2)

	// gc while serving: nothing missing, nothing orphaned.
	out, err = servertest.Run(t, env, "gc", "--dry-run")
	if err != nil {
		t.Fatalf("gc while serving: %v\n%s", err, out)
	}
	for _, want := range []string{"would remove 0 unreferenced objects", "missing original (FAILED): 0", "missing renditions (queued): 0", "left processing (queued again): 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("gc --dry-run output lacks %q:\n%s", want, out)
		}
	}
}

// uploadTo uploads one file to s and returns the asset's ID.
func uploadTo(t *testing.T, s *servertest.Server, token, name string, data []byte) string {
	t.Helper()
	req := multipartUpload(t, s.URL, name, data, "id")
	req.Header.Set("GraphQL-Preflight", "1")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	m := regexp.MustCompile(`"id":"([0-9a-f]{24})"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("upload %s: %s", name, body)
	}
	return string(m[1])
}

// waitProcessed waits until the two servers' logs together show each
// asset processed exactly times times, and fails if one is processed more
// often (a job claimed twice).
func waitProcessed(t *testing.T, a, b *servertest.Server, ids []string, times int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		done := true
		var counts []string
		for _, id := range ids {
			n := processedCount(a.Log(), id) + processedCount(b.Log(), id)
			if n > times {
				t.Fatalf("asset %s processed %d times, want %d: a job was claimed twice", id, n, times)
			}
			if n < times {
				done = false
			}
			counts = append(counts, fmt.Sprint(n))
		}
		if done {
			na, nb := 0, 0
			for _, id := range ids {
				na, nb = na+processedCount(a.Log(), id), nb+processedCount(b.Log(), id)
			}
			t.Logf("processed by A: %d, by B: %d", na, nb)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processed counts %v, want %d each", counts, times)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// processedCount counts the worker's "processed" lines for asset id.
func processedCount(log, id string) int {
	n := 0
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "msg=processed ") && strings.Contains(line, "asset="+id) {
			n++
		}
	}
	return n
}
