package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stillroom/stillroom/internal/browsertest"
)

// pageServer serves a blank page on its own loopback port, named
// http://localhost:<port>: an origin other than the API's
// (http://127.0.0.1:<port>).
func pageServer(t *testing.T) string {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>frontend</title><link rel="icon" href="data:,"></head><body><main><h1>frontend</h1></main></body></html>`))
	}))
	t.Cleanup(ts.Close)
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	return "http://localhost:" + port
}

// pageScript is loaded into each page: a small GraphQL client as a
// frontend on its own origin would write it.
const pageScript = `
window.gql = async (query, variables) => {
  const headers = {'Content-Type': 'application/json'};
  if (window.token) headers.Authorization = 'Bearer ' + window.token;
  const r = await fetch(API + '/graphql', {method: 'POST', headers, body: JSON.stringify({query, variables})});
  return r.json();
};
window.subscribeOnce = (id) => new Promise((resolve, reject) => {
  const ws = new WebSocket(API.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
  let poke;
  const done = (v, bad) => { clearInterval(poke); clearTimeout(timer); ws.close(); bad ? reject(v) : resolve(v); };
  const timer = setTimeout(() => done('no event within 15 s', true), 15000);
  ws.onopen = () => ws.send(JSON.stringify({type: 'connection_init', payload: {Authorization: 'Bearer ' + window.token}}));
  ws.onerror = () => done('websocket error', true);
  ws.onmessage = (ev) => {
    const m = JSON.parse(ev.data);
    if (m.type === 'connection_ack') {
      ws.send(JSON.stringify({id: '1', type: 'subscribe', payload: {
        query: 'subscription($ids: [ID!]) { assetUpdated(ids: $ids) { id caption } }', variables: {ids: [id]}}}));
      // Edit the asset until the subscription reports it (it may not be
      // registered on the server at the first edit).
      const edit = () => gql('mutation($id: ID!) { updateAsset(id: $id, input: {caption: "qua websocket"}) { id } }', {id});
      setTimeout(edit, 100);
      poke = setInterval(edit, 1000);
    } else if (m.type === 'next') {
      done(m.payload.data.assetUpdated.caption);
    } else if (m.type === 'error') {
      done(JSON.stringify(m.payload), true);
    }
  };
});
`

// TestBrowserOnAnotherOrigin: a page on an allowed origin signs in,
// queries, uploads with multipart, subscribes over the websocket, and
// draws an <img srcset> from the API's answer on a canvas it can read
// (crossorigin="anonymous"); the same page on a stranger origin is refused
// each of these. Real headless Chromium against a real server.
func TestBrowserOnAnotherOrigin(t *testing.T) {
	allowed, stranger := pageServer(t), pageServer(t)
	s := startServer(t, map[string]string{"ENV": "production", "CORS_ORIGINS": allowed,
		"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	b := browsertest.Start(t, browsertest.Options{Allow: []string{s.URL, allowed, stranger}})
	setup := func(page string) {
		b.Navigate(page + "/")
		email, _ := json.Marshal(adminEmail)
		pass, _ := json.Marshal(adminPassword)
		browsertest.Eval[bool](b, "window.API = "+strconv.Quote(s.URL)+"; window.EMAIL = "+string(email)+"; window.PASS = "+string(pass)+";"+pageScript+"; true")
	}

	setup(allowed)
	token := browsertest.Eval[string](b, `gql('mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', {e: EMAIL, p: PASS})
		.then(r => (window.token = r.data.login.token))`)
	if token == "" {
		t.Fatal("no token")
	}
	if me := browsertest.Eval[string](b, `gql('{ me { email } }').then(r => r.data.me.email)`); me != adminEmail {
		t.Errorf("me = %q", me)
	}
	up := browsertest.Eval[string](b, `(async () => {
		const c = document.createElement('canvas'); c.width = 600; c.height = 400;
		const x = c.getContext('2d'); x.fillStyle = 'rgb(200, 40, 30)'; x.fillRect(0, 0, 600, 400);
		const blob = await new Promise(res => c.toBlob(res, 'image/jpeg', 0.95));
		const fd = new FormData();
		fd.append('operations', JSON.stringify({query: 'mutation($f: Upload!) { uploadAsset(file: $f, input: {altText: "Đỏ", credit: "Ảnh: thử"}) { id status srcset renditions { name url } } }', variables: {f: null}}));
		fd.append('map', JSON.stringify({'0': ['variables.f']}));
		fd.append('0', blob, 'đỏ.jpg');
		const r = await fetch(API + '/graphql', {method: 'POST', headers: {Authorization: 'Bearer ' + token, 'GraphQL-Preflight': '1'}, body: fd});
		return JSON.stringify(await r.json());
	})()`)
	var upload struct {
		Data struct {
			UploadAsset struct {
				ID, Status, Srcset string
				Renditions         []struct{ Name, URL string }
			}
		}
		Errors []any
	}
	if err := json.Unmarshal([]byte(up), &upload); err != nil || upload.Data.UploadAsset.Status != "READY" {
		t.Fatalf("upload from the page: %s (%v)", up, err)
	}
	asset := upload.Data.UploadAsset
	if got := browsertest.Eval[string](b, `subscribeOnce(`+strconv.Quote(asset.ID)+`)`); got != "qua websocket" {
		t.Errorf("subscription from the page: %q", got)
	}

	// Published, the stills are public: an anonymous crossorigin image
	// from the answer's srcset loads and its pixels can be read.
	g := s.mustGQL(t, token, `mutation { createGallery(input: {title: "Đỏ"}) { id } }`, nil)
	gid := dig(g, "createGallery", "id").(string)
	s.mustGQL(t, token, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { id } }`, map[string]any{"g": gid, "a": []any{asset.ID}})
	s.mustGQL(t, token, `mutation($g: ID!) { publishGallery(id: $g) { id } }`, map[string]any{"g": gid})
	drawn := browsertest.Eval[string](b, `new Promise(resolve => {
		const img = new Image();
		img.crossOrigin = 'anonymous';
		img.sizes = '300px';
		img.srcset = `+strconv.Quote(asset.Srcset)+`;
		img.alt = 'Đỏ';
		img.onload = () => {
			const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;
			const x = c.getContext('2d'); x.drawImage(img, 0, 0);
			try { resolve(JSON.stringify({src: img.currentSrc, w: img.naturalWidth, px: Array.from(x.getImageData(5, 5, 1, 1).data)})); }
			catch (e) { resolve('canvas: ' + e); }
		};
		img.onerror = () => resolve('image did not load');
		document.querySelector('main').appendChild(img);
	})`)
	var canvas struct {
		Src string
		W   int
		Px  []int
	}
	if err := json.Unmarshal([]byte(drawn), &canvas); err != nil {
		t.Fatalf("canvas: %s", drawn)
	}
	if !strings.HasPrefix(canvas.Src, s.URL+"/media/"+asset.ID+"/") || canvas.W == 0 || len(canvas.Px) != 4 ||
		canvas.Px[0] < 150 || canvas.Px[1] > 90 || canvas.Px[2] > 90 {
		t.Errorf("image from srcset on the page: %+v", canvas)
	}
	b.Screenshot("allowed-origin")

	// The stranger's page: every request is refused by the browser.
	setup(stranger)
	b.ExpectConsoleError(`blocked by CORS policy`)
	b.ExpectConsoleError(`WebSocket connection to .* failed`)
	b.ExpectConsoleError(`Failed to load resource`)
	if got := browsertest.Eval[string](b, `gql('{ __typename }').then(() => 'answered', e => 'refused: ' + e.name)`); got != "refused: TypeError" {
		t.Errorf("stranger's query: %s", got)
	}
	browsertest.Eval[string](b, `window.token = `+strconv.Quote(token)+`; ''`)
	if got := browsertest.Eval[string](b, `subscribeOnce(`+strconv.Quote(asset.ID)+`).then(v => 'subscribed: ' + v, e => 'refused: ' + e)`); got != "refused: websocket error" {
		t.Errorf("stranger's subscription: %s", got)
	}
	if got := browsertest.Eval[string](b, `new Promise(resolve => {
		const img = new Image(); img.crossOrigin = 'anonymous'; img.src = `+strconv.Quote(asset.Renditions[0].URL)+`;
		img.onload = () => resolve('loaded'); img.onerror = () => resolve('refused');
	})`); got != "refused" {
		t.Errorf("stranger's crossorigin image: %s", got)
	}
}

// TestGraphiQLOffline: GraphiQL (development only) renders its editor and
// runs a query with every file from the server itself: the browser may
// reach no other origin (browsertest fails on any request elsewhere, and
// no name but loopback resolves). Production serves no GraphiQL.
func TestGraphiQLOffline(t *testing.T) {
	s := startServer(t, nil, false)
	b := browsertest.Start(t, browsertest.Options{Allow: []string{s.URL}})
	b.Navigate(s.URL + "/")
	b.WaitFor("button", "Execute query (Ctrl-Enter)")
	// The page's own example query (the newest articles: none yet).
	b.Click("button", "Execute query (Ctrl-Enter)")
	b.WaitText(`"edges": []`)
	b.Screenshot("graphiql")
	if got := browsertest.Eval[string](b, `document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()`); !strings.Contains(got, `"articles": {`) {
		t.Errorf("GraphiQL's answer: %s", got)
	}

	// Its Content-Security-Policy lets it open the subscription websocket.
	if got := browsertest.Eval[string](b, `new Promise(resolve => {
		const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
		ws.onopen = () => { ws.close(); resolve('open'); };
		ws.onerror = () => resolve('error');
	})`); got != "open" {
		t.Errorf("websocket from GraphiQL's page: %s", got)
	}

	p := startServer(t, map[string]string{"ENV": "production"}, false)
	for _, path := range []string{"/", "/graphiql/"} {
		if resp, _ := p.fetch(t, path, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("production GET %s: %d", path, resp.StatusCode)
		}
	}
}
