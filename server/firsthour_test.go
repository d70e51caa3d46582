package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestUploadWaitZero: --upload-wait 0 means "do not wait": the upload
// answers PROCESSING at once (it used to mean the 10 s default).
func TestUploadWaitZero(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword, "UPLOAD_WAIT": "0"}, false)
	tok := login(t, s, adminEmail, adminPassword)
	r := s.upload(t, tok, "a.jpg", photoJPEG(t, 64, 48, 1), "status")
	if st := dig(r.Data, "uploadAsset", "status"); st != "PROCESSING" {
		t.Errorf("upload with no wait: %v %+v", st, r.Errors)
	}
	cfg, err := parseConfig([]string{"-upload-wait", "0"}, func(string) string { return "" })
	if err != nil || cfg.appConfig().UploadWait >= 0 {
		t.Errorf("-upload-wait 0 gives the app %v (%v), want no wait", cfg.appConfig().UploadWait, err)
	}
}

// TestVersionAndServeHelp: --version and version print the build; help
// serve lists every setting, the same set as the README's table.
func TestVersionAndServeHelp(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}, {"-version"}} {
		var out bytes.Buffer
		if err := runCommand(context.Background(), args, func(string) string { return "" }, &out, io.Discard); err != nil ||
			!strings.HasPrefix(out.String(), "stillroom ") || !strings.Contains(out.String(), runtime.Version()) {
			t.Errorf("%v: %q %v", args, out.String(), err)
		}
	}
	var out bytes.Buffer
	if err := runCommand(context.Background(), []string{"help", "serve"}, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	help := map[string]bool{}
	for _, m := range regexp.MustCompile(`\((STILLROOM_[A-Z0-9_]+)`).FindAllStringSubmatch(out.String(), -1) {
		help[m[1]] = true
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	table := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `(STILLROOM_[A-Z0-9_]+)` \\| `-").FindAllStringSubmatch(string(readme), -1) {
		table[m[1]] = true
	}
	if len(help) < 20 {
		t.Fatalf("help serve lists %d settings:\n%s", len(help), out.String())
	}
	for v := range table {
		if !help[v] {
			t.Errorf("help serve does not list %s (in the README's table)", v)
		}
	}
	for v := range help {
		if !table[v] {
			t.Errorf("the README's settings table lacks %s (in help serve)", v)
		}
	}
	// Serve's -h is the same text.
	out.Reset()
	runCommand(context.Background(), []string{"serve", "-h"}, func(string) string { return "" }, &out, io.Discard)
	if !strings.Contains(out.String(), "--public-url (STILLROOM_PUBLIC_URL") {
		t.Errorf("serve -h: %s", out.String())
	}
}

// TestDemoPrintsItsURL: serve --demo seeds once the port is bound and logs
// a URL that reads the demo article; the log names GraphiQL's page.
func TestDemoPrintsItsURL(t *testing.T) {
	var log syncBuffer
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": t.TempDir()}
	r := startLogged(t, env, &log, func(c *config) { c.demo = true })
	m := regexp.MustCompile(`demo article published.*url=(\S+)`).FindStringSubmatch(log.String())
	if m == nil {
		t.Fatalf("no demo URL in the log:\n%s", log.String())
	}
	u, err := strconv.Unquote(m[1])
	if err != nil {
		u = m[1]
	}
	if !strings.HasPrefix(u, r.srv.URL+"/graphql?query=") {
		t.Fatalf("demo URL %q", u)
	}
	// Development: the start log names GraphiQL's page.
	if !strings.Contains(log.String(), "graphiql="+r.srv.URL+"/") {
		t.Errorf("no GraphiQL URL in the log:\n%s", log.String())
	}
	resp, body := r.srv.fetch(t, u, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"section":"Tin tức - Sự kiện"`) {
		t.Errorf("the demo URL answers %d: %.300s", resp.StatusCode, body)
	}
}
