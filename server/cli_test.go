package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stillroom/stillroom/importer"
)

// TestCommands covers dispatch, help and argument errors: everything that
// answers without opening a store.
func TestCommands(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		wantOut string // a substring of stdout
		wantErr string // a substring of the error; "" for none
	}{
		{"help", []string{"help"}, mainUsage, ""},
		{"-h", []string{"-h"}, mainUsage, ""},
		{"--help", []string{"--help"}, mainUsage, ""},
		{"help for a command", []string{"help", "import"}, importer.Usage, ""},
		{"help for user", []string{"help", "user"}, userUsage, ""},
		{"help for an unknown command", []string{"help", "deploy"}, "", `unknown command "deploy"`},
		{"serve -h", []string{"serve", "-h"}, serveUsage, ""},
		{"flags then -h is serve's help", []string{"--demo", "--addr", ":0", "--help"}, serveUsage, ""},
		{"user create -h", []string{"user", "create", "-h"}, userUsage, ""},
		{"import -h", []string{"import", "-h"}, "", ""},
		{"gc -h", []string{"gc", "-h"}, gcUsage, ""},
		{"reprocess -h", []string{"reprocess", "-h"}, reprocessUsage, ""},
		{"gc with a bad grace", []string{"gc", "--grace", "soon"}, "", "invalid value"},
		{"gc with a grace below the floor", []string{"gc", "--grace", "0s"}, "", "is below 10m0s"},
		{"gc with a short grace", []string{"gc", "--grace", "9m59s"}, "", "add --force"},
		{"gc with a negative grace", []string{"gc", "--grace", "-1h", "--force"}, "", "is negative"},
		{"gc dry run with a negative grace", []string{"gc", "--grace", "-1h", "--dry-run"}, "", "is negative"},
		{"unknown command", []string{"deploy"}, "", `unknown command "deploy"`},
		{"unknown serve flag", []string{"serve", "--colour"}, "", "flag provided but not defined: -colour"},
		{"serve with an argument", []string{"serve", "now"}, "", "unexpected arguments"},
		{"user without subcommand", []string{"user"}, userUsage, "give a subcommand: create"},
		{"user delete", []string{"user", "delete"}, "", `unknown subcommand "delete"`},
		{"user create without flags", []string{"user", "create", "--email", "a@example.com"}, "", "--name, --role required"},
		{"user create with a bad own flag", []string{"user", "create", "--email"}, "", "flag needs an argument: -email"},
		{"import without folder", []string{"import", "--server", "http://127.0.0.1:1", "--token", "t"}, "", "exactly one folder"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := runCommand(context.Background(), tc.args, func(string) string { return "" }, &out, io.Discard)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("error %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Errorf("stdout %q does not contain %q", out.String(), tc.wantOut)
			}
		})
	}
}

func TestSplitFlags(t *testing.T) {
	fs := newFlagSet("test", "", io.Discard)
	fs.Bool("demo", false, "")
	fs.String("email", "", "")
	for _, tc := range []struct {
		name       string
		args       []string
		mine, rest []string
	}{
		{"none", []string{"--addr", ":1"}, nil, []string{"--addr", ":1"}},
		{"bool flag among others", []string{"--addr", ":1", "--demo", "-workers=3"}, []string{"--demo"}, []string{"--addr", ":1", "-workers=3"}},
		{"bool with value", []string{"-demo=false", "--s3-use-tls"}, []string{"-demo=false"}, []string{"--s3-use-tls"}},
		{"string with separate value", []string{"-email", "a@b.c", "--data-dir", "d"}, []string{"-email", "a@b.c"}, []string{"--data-dir", "d"}},
		{"string with =", []string{"--email=a@b.c"}, []string{"--email=a@b.c"}, nil},
		{"string at the end without value", []string{"--email"}, []string{"--email"}, nil},
		{"positional and --", []string{"x", "--", "--demo"}, []string{"--demo"}, []string{"x", "--"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mine, rest := splitFlags(fs, tc.args)
			if !slices.Equal(mine, tc.mine) || !slices.Equal(rest, tc.rest) {
				t.Errorf("splitFlags(%q) = %q, %q; want %q, %q", tc.args, mine, rest, tc.mine, tc.rest)
			}
		})
	}
}

// TestUserCreate adds accounts with `stillroom user create` on a data
// folder and signs in with them on a server started on that folder.
func TestUserCreate(t *testing.T) {
	dataDir := t.TempDir()
	env := map[string]string{"STILLROOM_DATA_DIR": dataDir}
	userCreate := func(t *testing.T, extraEnv map[string]string, args ...string) (string, error) {
		t.Helper()
		return runCLI(t, env, extraEnv, append([]string{"user", "create"}, args...)...)
	}

	passwords := map[string]string{}
	for _, tc := range []struct {
		name, email, role, flagPassword, envPassword string
	}{
		{"password flag", "editor@example.com", "EDITOR", "editor-password", ""},
		{"password from the environment", "ph@example.com", "photographer", "", "from-the-env-pw"},
		{"generated password", "admin2@example.com", "Admin", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"--email", tc.email, "--name", "Nguyễn Thị Lan", "--role", tc.role}
			if tc.flagPassword != "" {
				args = append(args, "--password", tc.flagPassword)
			}
			out, err := userCreate(t, map[string]string{"STILLROOM_USER_PASSWORD": tc.envPassword}, args...)
			if err != nil {
				t.Fatal(err)
			}
			if want := "created " + strings.ToUpper(tc.role) + " " + tc.email; !strings.Contains(out, want) {
				t.Errorf("stdout %q lacks %q", out, want)
			}
			pw := tc.flagPassword + tc.envPassword
			m := regexp.MustCompile(`(?m)^password: (\S+)$`).FindStringSubmatch(out)
			if (pw == "") != (m != nil) {
				t.Errorf("password printed: %v, want %v", m != nil, pw == "")
			}
			if m != nil {
				pw = m[1]
			}
			passwords[tc.email] = pw
		})
	}
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"email taken", []string{"--email", "EDITOR@example.com", "--name", "B", "--role", "EDITOR", "--password", "long enough"}, "CONFLICT: email already registered"},
		{"unknown role", []string{"--email", "x@example.com", "--name", "X", "--role", "CHIEF", "--password", "long enough"}, `--role must be PHOTOGRAPHER, EDITOR or ADMIN, not "CHIEF"`},
		{"short password", []string{"--email", "y@example.com", "--name", "Y", "--role", "EDITOR", "--password", "short"}, "BAD_USER_INPUT: password must be"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := userCreate(t, nil, tc.args...); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}

	s := startWith(t, map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": dataDir})
	for email, pw := range passwords {
		tok := login(t, s, email, pw)
		if me := s.mustGQL(t, tok, `{ me { email } }`, nil); dig(me, "me", "email") != email {
			t.Errorf("signed in as %v, want %s", me, email)
		}
	}
}

// TestServeDemo seeds demo content the way `serve --demo` does, twice,
// then serves the folder: anonymous readers see one published article with
// its published gallery.
func TestServeDemo(t *testing.T) {
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": t.TempDir()}
	cfg, err := parseConfig(nil, func(k string) string { return env[strings.TrimPrefix(k, "STILLROOM_")] })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(testLog{T: t}, nil))
	for range 2 {
		if err := seedDemo(context.Background(), cfg, log); err != nil {
			t.Fatal(err)
		}
	}
	s := startWith(t, env)
	d := s.mustGQL(t, "", `{ articles { totalCount edges { node { status section blocks { __typename
		... on GalleryBlock { gallery { status itemCount items { asset { status caption altText credit } } } } } } } } }`, nil)
	if n := dig(d, "articles", "totalCount"); n != 1.0 {
		t.Fatalf("%v articles, want 1", n)
	}
	a := dig(d, "articles", "edges", 0, "node")
	if dig(a, "status") != "PUBLISHED" || dig(a, "section") != "Tin tức - Sự kiện" {
		t.Errorf("article: %v", a)
	}
	blocks := dig(a, "blocks").([]any)
	g := dig(blocks[len(blocks)-1], "gallery")
	if dig(g, "status") != "PUBLISHED" || dig(g, "itemCount") != 6.0 {
		t.Fatalf("last block's gallery: %v", g)
	}
	for _, it := range dig(g, "items").([]any) {
		as := dig(it, "asset")
		if dig(as, "status") != "READY" || dig(as, "caption") == nil || dig(as, "altText") == nil || dig(as, "credit") == nil {
			t.Errorf("gallery asset: %v", as)
		}
	}
}

// TestGCAndReprocessCommands: gc --dry-run reports an unreferenced object
// and keeps it, gc removes it, reprocess queues every asset.
func TestGCAndReprocessCommands(t *testing.T) {
	dir := t.TempDir()
	env := func(k string) string {
		return map[string]string{"STILLROOM_DATA_DIR": dir}[k]
	}
	stray := filepath.Join(dir, "objects", "objects", "originals", "ab", "cd", strings.Repeat("ab", 32))
	// Make the data folder's stores first, then put a stray original in.
	var out bytes.Buffer
	if err := runCommand(t.Context(), []string{"gc"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"assets left processing (queued again): 0", "expired sessions removed: 0"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("gc on an empty folder: %q lacks %q", out.String(), want)
		}
	}
	if err := os.MkdirAll(filepath.Dir(stray), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stray, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(stray, old, old)

	// A grace below the floor is taken for a dry run (nothing changes)
	// and with --force.
	for _, args := range [][]string{{"gc", "--dry-run"}, {"gc", "--dry-run", "--grace", "0s"}, {"gc", "--dry-run", "--grace", "0s", "--force"}} {
		out.Reset()
		if err := runCommand(t.Context(), args, env, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "would remove 1 unreferenced objects") {
			t.Errorf("%v: %s", args, out.String())
		}
	}
	if _, err := os.Stat(stray); err != nil {
		t.Fatalf("dry run removed the object: %v", err)
	}
	out.Reset()
	if err := runCommand(t.Context(), []string{"gc", "--grace", "1m", "--force"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stray); !os.IsNotExist(err) {
		t.Errorf("gc kept %s (%v): %s", stray, err, out.String())
	}
	out.Reset()
	if err := runCommand(t.Context(), []string{"reprocess"}, env, &out, io.Discard); err != nil || !strings.Contains(out.String(), "queued 0 assets") {
		t.Errorf("reprocess: %v %s", err, out.String())
	}
}

// runCLI runs a stillroom command with env (STILLROOM_* names), extraEnv
// taking precedence, and returns its standard output; both outputs are
// logged.
func runCLI(t *testing.T, env, extraEnv map[string]string, args ...string) (string, error) {
	t.Helper()
	getenv := func(k string) string {
		if v, ok := extraEnv[k]; ok {
			return v
		}
		return env[k]
	}
	var out, errOut bytes.Buffer
	err := runCommand(context.Background(), args, getenv, &out, &errOut)
	t.Logf("%q: %v\nstdout: %s\nstderr: %s", args, err, out.String(), errOut.String())
	return out.String(), err
}
