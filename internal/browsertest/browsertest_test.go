package browsertest

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
)

// page is a small form: a label, a field, a button that writes a greeting,
// and an image from another origin when asked.
const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Harness</title></head>
<body><main>
<h1>Harness</h1>
<label for="n">Your name</label> <input id="n" type="text">
<button type="button" onclick="document.getElementById('out').textContent = 'Hello, ' + document.getElementById('n').value">Greet</button>
<p id="out"></p>
<p id="lang"></p>
<script>
document.getElementById('lang').textContent = navigator.language + ' ' + new Intl.DateTimeFormat().resolvedOptions().locale + ' ' + new Intl.DateTimeFormat().resolvedOptions().timeZone;
if (location.search.startsWith('?img=')) {
  const i = new Image(); i.alt = ''; i.src = decodeURIComponent(location.search.slice(5)); document.body.append(i);
}
if (location.search === '?error') { console.error('boom from the page'); }
</script>
</main></body></html>`

func serve(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestActsThroughLabels(t *testing.T) {
	srv := serve(t)
	b := Start(t, Options{Allow: []string{srv.URL}})
	b.Navigate(srv.URL)
	b.Fill("Your name", "Dân vận khéo")
	b.Click("button", "Greet")
	b.WaitText("Hello, Dân vận khéo")
	if n := b.Count("button", "Greet"); n != 1 {
		t.Errorf("Count(button, Greet) = %d, want 1", n)
	}
	if n := b.Count("button", "Nothing"); n != 0 {
		t.Errorf("Count(button, Nothing) = %d, want 0", n)
	}
	if p := b.Screenshot("greeted"); p == "" {
		t.Error("no screenshot written")
	}
	if v := b.Axe(); len(v) != 0 {
		t.Errorf("axe found violations on a plain labelled form: %v", v)
	}
}

func TestLanguageAndTimezone(t *testing.T) {
	srv := serve(t)
	b := Start(t, Options{Allow: []string{srv.URL}, Lang: "vi-VN", Timezone: "Asia/Ho_Chi_Minh"})
	b.Navigate(srv.URL)
	got := Eval[string](b, `document.getElementById('lang').textContent`)
	// ICU names the zone by its older alias.
	if got != "vi-VN vi-VN Asia/Ho_Chi_Minh" && got != "vi-VN vi-VN Asia/Saigon" {
		t.Errorf("navigator.language, Intl locale, time zone = %q, want vi-VN vi-VN Asia/Ho_Chi_Minh", got)
	}
}

func TestAxeFindsUnlabelledControls(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><title>Bad</title></head><body><main><input type="text"><button></button></main></body></html>`)
	}))
	defer srv.Close()
	b := Start(t, Options{Allow: []string{srv.URL}})
	b.Navigate(srv.URL)
	var ids []string
	for _, v := range b.Axe() {
		ids = append(ids, v.ID)
	}
	for _, want := range []string{"label", "button-name"} {
		if !slices.Contains(ids, want) {
			t.Errorf("axe violations %v lack %q", ids, want)
		}
	}
}

func TestRecordsOutsideRequests(t *testing.T) {
	srv := serve(t)
	// Another loopback origin that is not allowed.
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	b := Start(t, Options{Allow: []string{srv.URL}})
	b.ExpectConsoleError(`404|Failed to load`)
	b.Navigate(srv.URL + "/?img=" + other.URL + "/pixel.png")
	b.WaitText("Harness")
	waitFor(t, func() bool { return len(b.OutsideRequests()) > 0 })
	out := b.TakeOutsideRequests()
	if len(out) != 1 || !strings.Contains(out[0], other.URL+"/pixel.png") {
		t.Errorf("outside requests = %v, want the image from %s", out, other.URL)
	}
}

func TestRecordsConsoleErrors(t *testing.T) {
	srv := serve(t)
	b := Start(t, Options{Allow: []string{srv.URL}})
	b.Navigate(srv.URL + "/?error")
	waitFor(t, func() bool { return len(b.ConsoleErrors()) > 0 })
	if got := b.ConsoleErrors(); !strings.Contains(got[0], "boom from the page") {
		t.Errorf("console errors = %v", got)
	}
	b.ExpectConsoleError("boom from the page")
}

func TestNamesDoNotResolve(t *testing.T) {
	// Only loopback names resolve: a page cannot reach the internet even
	// when a test allows an origin by mistake.
	srv := serve(t)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	b := Start(t, Options{Allow: []string{srv.URL, "http://example.com", "http://localhost:" + port}})
	b.Navigate(srv.URL)
	ok := Eval[string](b, `fetch('http://localhost:`+port+`/', {mode: 'no-cors'}).then(r => 'ok', e => 'failed')`)
	if ok != "ok" {
		t.Errorf("fetch of localhost = %q, want ok", ok)
	}
	b.ExpectConsoleError(`example\.com|ERR_NAME_NOT_RESOLVED`)
	got := Eval[string](b, `fetch('http://example.com/', {mode: 'no-cors'}).then(r => 'ok', e => 'failed')`)
	if got != "failed" {
		t.Errorf("fetch of example.com = %q, want failed", got)
	}
}

// waitFor waits until cond holds, for up to 20 s, the harness's own wait
// (Options.Timeout): it returns as soon as cond holds, and a busy machine
// can take seconds to report a page's request or console error.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(25 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 20 s")
		}
	}
}
