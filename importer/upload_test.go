package importer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fakeServer answers `me` and uploadAsset like a Stillroom server whose
// clock is skew away from this machine's: files named "old-*" are assets
// it has had for ten minutes, the others new ones. The real server is
// used in server/import_test.go; this one exists because its clock cannot
// be moved. onUpload, when set, runs first on each upload; when it returns
// false the upload is not answered.
func fakeServer(t *testing.T, skew time.Duration, onUpload func(r *http.Request) bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now().Add(skew)
		w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer tok" {
			t.Errorf("Authorization %q", r.Header.Get("Authorization"))
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			io.WriteString(w, `{"data":{"me":{"email":"e@example.com","role":"EDITOR"}}}`)
			return
		}
		if r.Header.Get("GraphQL-Preflight") == "" {
			t.Error("upload without the preflight header")
		}
		if onUpload != nil && !onUpload(r) {
			return
		}
		f, h, err := r.FormFile("0")
		if err != nil {
			t.Errorf("upload: %v", err)
			return
		}
		data, _ := io.ReadAll(f)
		sum := sha256.Sum256(data)
		created := now
		if strings.HasPrefix(h.Filename, "old-") {
			created = now.Add(-10 * time.Minute)
		}
		json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"uploadAsset": map[string]any{
			"id": "a-" + h.Filename, "filename": h.Filename, "sha256": hex.EncodeToString(sum[:]),
			"status": "READY", "error": nil, "createdAt": created.Truncate(time.Millisecond),
		}}})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestSkippedUsesTheServersClock: "skipped" means created before the run
// started in the server's clock, whichever way the clocks disagree.
func TestSkippedUsesTheServersClock(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"old-1.jpg", "old-2.jpg", "new-1.jpg"} {
		writeFile(t, dir, name, name)
	}
	for _, tc := range []struct {
		name string
		skew time.Duration
	}{
		{"same clock", 0},
		{"server an hour ahead", time.Hour},
		{"server an hour behind", -time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeServer(t, tc.skew, nil)
			var out bytes.Buffer
			err := Run(context.Background(), []string{"--server", srv.URL, "--token", "tok", dir}, noEnv, &out, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if want := "uploaded 1, skipped 2 (already on the server), refused 0\n"; out.String() != want {
				t.Errorf("summary %q, want %q", out.String(), want)
			}
		})
	}
}

// TestStopped: files not sent, or not answered within finishGrace of the
// run being stopped, are "not attempted", not refused, and Run returns
// Interrupted (exit 130).
func TestStopped(t *testing.T) {
	defer func(g time.Duration) { finishGrace = g }(finishGrace)
	finishGrace = 100 * time.Millisecond
	dir := t.TempDir()
	for _, name := range []string{"a.jpg", "b.jpg", "c.jpg"} {
		writeFile(t, dir, name, name)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The first upload stops the run and is never answered; its handler
	// returns at cleanup (release is closed before the server, as cleanups
	// run last-registered first).
	release := make(chan struct{})
	srv := fakeServer(t, 0, func(r *http.Request) bool {
		cancel()
		<-release
		return false
	})
	t.Cleanup(func() { close(release) })
	var out bytes.Buffer
	err := Run(ctx, []string{"--server", srv.URL, "--token", "tok", "--jobs", "1", dir}, noEnv, &out, io.Discard)
	var in *Interrupted
	if !errors.As(err, &in) || in.ExitCode() != 130 || in.Left != 3 || in.Done != 0 {
		t.Errorf("error %v, want Interrupted with 3 left, exit 130", err)
	}
	if want := "uploaded 0, skipped 0 (already on the server), refused 0, not attempted 3\n" +
		"interrupted: 0 uploaded, 3 left; run again to resume\n"; out.String() != want {
		t.Errorf("summary %q, want %q", out.String(), want)
	}
}

// TestStoppedFinishesInFlight: an upload in flight when the run is
// stopped (Ctrl-C) is finished and counted as uploaded; the files not yet
// sent are left.
func TestStoppedFinishesInFlight(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.jpg", "b.jpg", "c.jpg"} {
		writeFile(t, dir, name, name)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The first upload stops the run, then is answered.
	srv := fakeServer(t, 0, func(r *http.Request) bool {
		cancel()
		return true
	})
	var out bytes.Buffer
	err := Run(ctx, []string{"--server", srv.URL, "--token", "tok", "--jobs", "1", dir}, noEnv, &out, io.Discard)
	var in *Interrupted
	if !errors.As(err, &in) || in.Done != 1 || in.Left != 2 {
		t.Errorf("error %v, want Interrupted with 1 uploaded and 2 left", err)
	}
	if want := "uploaded 1, skipped 0 (already on the server), refused 0, not attempted 2\n" +
		"interrupted: 1 uploaded, 2 left; run again to resume\n"; out.String() != want {
		t.Errorf("summary %q, want %q", out.String(), want)
	}
}

func noEnv(string) string { return "" }
