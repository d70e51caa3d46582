// Package browsertest drives a real headless Chromium (Debian's
// /usr/bin/chromium, never a downloaded build) for the project's browser
// tests, the way a person uses a page: controls are found by their
// accessible role and name, not by CSS classes.
//
// Each Browser is a fresh profile for one test. It fails the test when a
// page sends a request to an origin the test did not allow (nothing may
// leave the server) or writes an error to the console that the test did not
// expect, and it writes screenshots to a folder whose path it logs.
//
// Chromium is found at $STILLROOM_CHROMIUM, else /usr/bin/chromium, else
// "chromium" on the PATH. When there is none the test is skipped, or fails
// when CI=true (scripts/test.sh installs it).
package browsertest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	jsonv2 "github.com/chromedp/cdproto/cdp/jsonv2"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Options configure a Browser.
type Options struct {
	// Allow lists the origins ("http://127.0.0.1:8080") pages may send
	// requests to. data:, blob: and about: URLs are always allowed.
	Allow []string
	// Lang is the browser's language, e.g. "vi-VN" (navigator.language,
	// Accept-Language and Intl's default locale). Empty: "en-US".
	Lang string
	// Timezone, e.g. "Asia/Ho_Chi_Minh". Empty: UTC.
	Timezone string
	// Width and Height of the window in CSS pixels. Zero: 1280×800.
	Width, Height int
	// Timeout bounds every action run through the Browser's helpers
	// (finding, clicking, typing, waiting). Zero: 20 s.
	Timeout time.Duration
}

// Browser is one headless Chromium with one tab.
type Browser struct {
	// Ctx is the tab's context, for chromedp actions the helpers lack.
	Ctx context.Context

	t       testing.TB
	cancel  context.CancelFunc
	allowed map[string]bool
	timeout time.Duration
	shots   string

	mu       sync.Mutex
	console  []string
	outside  []string
	expected []*regexp.Regexp
}

// ChromiumPath returns the Chromium to run, or "" when there is none.
func ChromiumPath() string {
	if p := os.Getenv("STILLROOM_CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// Start launches Chromium for t and closes it when t ends, then fails t if
// a page requested an origin outside opts.Allow or logged an unexpected
// console error.
func Start(t testing.TB, opts Options) *Browser {
	t.Helper()
	exe := ChromiumPath()
	if exe == "" {
		msg := "no Chromium: install Debian's package (apt-get install -y chromium) or set STILLROOM_CHROMIUM"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if opts.Lang == "" {
		opts.Lang = "en-US"
	}
	if opts.Width == 0 || opts.Height == 0 {
		opts.Width, opts.Height = 1280, 800
	}
	if opts.Timeout == 0 {
		opts.Timeout = 20 * time.Second
	}
	b := &Browser{t: t, allowed: map[string]bool{}, timeout: opts.Timeout, shots: screenshotDir(t)}
	for _, o := range opts.Allow {
		u, err := url.Parse(o)
		if err != nil || u.Host == "" {
			t.Fatalf("browsertest: Allow %q is not an origin", o)
		}
		b.allowed[u.Scheme+"://"+u.Host] = true
	}

	profile, err := os.MkdirTemp("", "stillroom-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	allocOpts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(opts.Width, opts.Height),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,AutofillServerCommunication"),
		// No name resolves but the loopback ones: nothing can leave the
		// machine even if a page tries.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"),
		chromedp.Flag("lang", opts.Lang),
		chromedp.Flag("accept-lang", opts.Lang),
		chromedp.Env("LANGUAGE="+strings.ReplaceAll(opts.Lang, "-", "_"), "TZ="+opts.Timezone),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocOpts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	b.Ctx = ctx
	b.cancel = func() { cancelTab(); cancelAlloc() }
	t.Cleanup(func() {
		b.cancel()
		os.RemoveAll(profile)
		b.check()
	})

	// Start the browser and watch the tab before any page loads. The
	// first action must run on the tab's own context: the browser lives as
	// long as the context of the action that started it.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("browsertest: start %s: %v", exe, err)
	}
	if err := chromedp.Listen(ctx, b.onEvent); err != nil {
		t.Fatalf("browsertest: listen: %v", err)
	}
	go b.readConsole(ctx)
	tz := opts.Timezone
	if tz == "" {
		tz = "UTC"
	}
	startCtx, cancelStart := context.WithTimeout(ctx, time.Minute)
	defer cancelStart()
	if err := chromedp.Do(startCtx,
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			if _, err := cdp.Call(ctx, t, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: strings.ReplaceAll(opts.Lang, "_", "-")}); err != nil {
				return fmt.Errorf("locale: %w", err)
			}
			if _, err := cdp.Call(ctx, t, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: tz}); err != nil {
				return fmt.Errorf("timezone: %w", err)
			}
			return nil
		}),
	); err != nil {
		t.Fatalf("browsertest: %v", err)
	}
	return b
}

// onEvent runs in the tab's message loop: it only records.
func (b *Browser) onEvent(ev any) {
	var req *network.Request
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		req = e.Request
	case network.EventRequestWillBeSent:
		req = e.Request
	}
	if req == nil {
		return
	}
	if !b.allowedURL(req.URL) {
		b.mu.Lock()
		b.outside = append(b.outside, req.Method+" "+req.URL)
		b.mu.Unlock()
	}
}

func (b *Browser) allowedURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "data", "blob", "about", "javascript":
		return true
	}
	return b.allowed[u.Scheme+"://"+u.Host]
}

func (b *Browser) readConsole(ctx context.Context) {
	for m, err := range chromedp.Console(ctx) {
		if err != nil {
			return
		}
		if m.Type != chromedp.ConsoleError && m.Type != chromedp.ConsoleException {
			continue
		}
		text := m.Text
		if m.URL != "" {
			text += " (" + m.URL + ")"
		}
		b.mu.Lock()
		b.console = append(b.console, text)
		b.mu.Unlock()
	}
}

// ExpectConsoleError tells the Browser that console errors matching the
// regular expression are part of the test (a refused request logs one).
func (b *Browser) ExpectConsoleError(pattern string) {
	b.mu.Lock()
	b.expected = append(b.expected, regexp.MustCompile(pattern))
	b.mu.Unlock()
}

// ConsoleErrors returns the console errors so far, expected ones included.
func (b *Browser) ConsoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.console...)
}

// OutsideRequests returns the requests sent to origins not allowed.
func (b *Browser) OutsideRequests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.outside...)
}

func (b *Browser) check() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.outside {
		b.t.Errorf("browsertest: a page sent a request outside the allowed origins: %s", r)
	}
next:
	for _, c := range b.console {
		for _, re := range b.expected {
			if re.MatchString(c) {
				continue next
			}
		}
		b.t.Errorf("browsertest: console error: %s", c)
	}
}

// Do runs chromedp actions on the tab within the Browser's timeout and
// fails the test on error. When the page replaced the node between finding
// and using it (a re-render), the actions are run again from the start, a
// few times: every action here finds its node afresh.
func (b *Browser) Do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, b.timeout)
	defer cancel()
	var err error
	for range 3 {
		if err = chromedp.Do(ctx, actions...); err == nil || !staleNode(err) {
			break
		}
	}
	if err != nil {
		b.Screenshot("failed")
		b.t.Fatalf("browsertest: %s: %v", what, err)
	}
}

// staleNode reports whether err says a node found a moment ago is gone.
func staleNode(err error) bool {
	m := err.Error()
	return strings.Contains(m, "Could not find node with given id") || strings.Contains(m, "does not belong to the document") ||
		strings.Contains(m, "No node with given id")
}

// Eval evaluates a JavaScript expression (promises awaited) and decodes
// its value into T.
func Eval[T any](b *Browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, b.timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("browsertest: eval %.80q: %v", expr, err)
	}
	return v
}

// Navigate opens u and waits for its load event.
func (b *Browser) Navigate(u string) {
	b.t.Helper()
	b.Do("open "+u, chromedp.Navigate(u))
}

// Screenshot writes a PNG of the whole page as <n>-<name>.png in the
// test's screenshot folder and logs its path.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, b.timeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("browsertest: screenshot %s: %v", name, err)
		return ""
	}
	p := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", nextShot(b.shots), sanitize(name)))
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Logf("browsertest: screenshot %s: %v", name, err)
		return ""
	}
	b.t.Logf("screenshot: %s", p)
	return p
}

// shotSeq numbers the screenshots of each folder, across the browsers of
// one test, in the order they were taken.
var (
	shotMu  sync.Mutex
	shotSeq = map[string]int{}
)

func nextShot(dir string) int {
	shotMu.Lock()
	defer shotMu.Unlock()
	shotSeq[dir]++
	return shotSeq[dir]
}

// screenshotDir is $STILLROOM_SCREENSHOTS/<test> (default: the system's
// temporary folder/stillroom-screenshots/<test>), emptied when the test
// process first uses it. It outlives the test so that people can look at
// the pictures.
func screenshotDir(t testing.TB) string {
	root := os.Getenv("STILLROOM_SCREENSHOTS")
	if root == "" {
		root = filepath.Join(os.TempDir(), "stillroom-screenshots")
	}
	dir := filepath.Join(root, sanitize(t.Name()))
	shotMu.Lock()
	_, seen := shotSeq[dir]
	if !seen {
		shotSeq[dir] = 0
		os.RemoveAll(dir)
	}
	shotMu.Unlock()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func sanitize(s string) string { return strings.Trim(unsafeName.ReplaceAllString(s, "_"), "_") }

// jsQuote returns s as a JavaScript string literal.
func jsQuote(s string) string {
	q, err := jsonv2.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(q)
}

// TakeOutsideRequests returns the requests sent to origins not allowed so
// far and forgets them, for a test whose point is that they are refused.
func (b *Browser) TakeOutsideRequests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.outside
	b.outside = nil
	return out
}
