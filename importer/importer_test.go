package importer

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	env := map[string]string{"STILLROOM_SERVER": "http://env:8080", "STILLROOM_TOKEN": "env-token"}
	noEnv := func(string) string { return "" }
	withEnv := func(k string) string { return env[k] }
	for _, tc := range []struct {
		name    string
		args    []string
		getenv  func(string) string
		want    options
		wantErr string
	}{
		{"flags before the folder", []string{"--server", "http://a:1", "--token", "t", "--jobs", "2", "--article", "a.txt", "dir"}, noEnv,
			options{server: "http://a:1", token: "t", jobs: 2, article: "a.txt", dir: "dir"}, ""},
		{"flags after the folder", []string{"dir", "-server=http://a:1", "-token=t"}, noEnv,
			options{server: "http://a:1", token: "t", jobs: DefaultJobs, dir: "dir"}, ""},
		{"server and token from the environment", []string{"dir"}, withEnv,
			options{server: "http://env:8080", token: "env-token", jobs: DefaultJobs, dir: "dir"}, ""},
		{"flags win over the environment", []string{"--token", "flag-token", "dir"}, withEnv,
			options{server: "http://env:8080", token: "flag-token", jobs: DefaultJobs, dir: "dir"}, ""},
		{"no folder", []string{"--server", "http://a:1", "--token", "t"}, noEnv, options{}, "exactly one folder"},
		{"two folders", []string{"a", "b"}, withEnv, options{}, "exactly one folder"},
		{"no server or token", []string{"dir"}, noEnv, options{}, "--server (or STILLROOM_SERVER) is required"},
		{"server without scheme", []string{"--server", "localhost:8080", "dir"}, withEnv, options{}, "must start with http://"},
		{"zero jobs", []string{"--jobs", "0", "dir"}, withEnv, options{}, "--jobs must be 1 to 64"},
		{"unknown flag", []string{"--nope", "dir"}, withEnv, options{}, "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseFlags(tc.args, tc.getenv, io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestProgressBar(t *testing.T) {
	var out strings.Builder
	p := newProgress(&out, 4, true)
	for _, o := range []outcome{uploaded, skipped, refused, uploaded} {
		p.add(fileResult{status: o})
	}
	p.finish()
	lines := strings.Split(out.String(), "\r")
	last := strings.TrimSuffix(lines[len(lines)-1], "\n")
	if want := "[" + strings.Repeat("#", progressWidth) + "] 4/4  uploaded 2  skipped 1  refused 1"; last != want {
		t.Errorf("last line %q, want %q", last, want)
	}
	if len(lines) != 6 { // "", the first draw and one per file
		t.Errorf("%d redraws, want 5: %q", len(lines)-1, out.String())
	}
}

// TestProgressLines: away from a terminal, one plain line per file and no
// carriage returns.
func TestProgressLines(t *testing.T) {
	var out strings.Builder
	p := newProgress(&out, 2, false)
	p.add(fileResult{name: "a.jpg", status: uploaded})
	p.add(fileResult{name: "b.jpg", status: refused})
	p.finish()
	if want := "1/2 uploaded a.jpg\n2/2 refused b.jpg\n"; out.String() != want {
		t.Errorf("progress %q, want %q", out.String(), want)
	}
	if isTerminal(&out) {
		t.Error("a buffer is a terminal")
	}
}

func TestListImages(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.JPG", "a.jpeg", "c.png", "d.gif", "e.webp", "notes.txt", "raw.cr2", ".hidden"} {
		writeFile(t, dir, name, "x")
	}
	mkdir(t, dir, "sub.jpg")
	got, err := listImages(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := "a.jpeg b.JPG c.png d.gif e.webp"; strings.Join(got, " ") != want {
		t.Errorf("listImages = %q, want %q", got, want)
	}
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mkdir(t *testing.T, dir, name string) {
	t.Helper()
	if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
		t.Fatal(err)
	}
}
