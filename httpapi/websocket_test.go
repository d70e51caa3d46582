package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	coderws "github.com/coder/websocket"
)

// TestAdmissionTakesMultipartGET: only what the upload transport takes (a
// multipart POST) skips the line; a GET that says it is multipart is a
// query like any other, and with the one slot busy and no queue it is
// refused like a plain GET.
func TestAdmissionTakesMultipartGET(t *testing.T) {
	adm := newAdmission(1, 0, time.Second)
	release, err := adm.acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ran := false
	h := adm.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ran = true }))
	req := httptest.NewRequest(http.MethodGet, "/graphql?query=%7B__typename%7D", nil)
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if ran || rec.Code != http.StatusServiceUnavailable {
		t.Errorf("multipart GET with the only slot busy: ran %v, HTTP %d, want 503 without running", ran, rec.Code)
	}
}

// wsClient is a graphql-transport-ws client for these tests: one
// goroutine reads every message but pings and keep-alives into msgs, and
// closes it when the connection ends.
type wsClient struct {
	t    *testing.T
	c    *coderws.Conn
	msgs chan map[string]any
}

func dialWS(t *testing.T, url string) (*wsClient, *http.Response, error) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c, res, err := coderws.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+"/graphql",
		&coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, res, err
	}
	t.Cleanup(func() { c.CloseNow() })
	w := &wsClient{t, c, make(chan map[string]any, 100)}
	go func() {
		defer close(w.msgs)
		for {
			_, raw, err := c.Read(context.Background())
			if err != nil {
				return
			}
			var m map[string]any
			if json.Unmarshal(raw, &m) == nil && m["type"] != "ping" && m["type"] != "ka" {
				w.msgs <- m
			}
		}
	}()
	return w, res, nil
}

func (w *wsClient) send(msg string) {
	w.t.Helper()
	if err := w.c.Write(w.t.Context(), coderws.MessageText, []byte(msg)); err != nil {
		w.t.Fatal(err)
	}
}

// next waits for the next message; an error when the connection ended.
func (w *wsClient) next() (map[string]any, error) {
	select {
	case m, ok := <-w.msgs:
		if !ok {
			return nil, errors.New("connection closed")
		}
		return m, nil
	case <-time.After(20 * time.Second):
		return nil, errors.New("no message within 20s")
	}
}

func (w *wsClient) init(payload string) {
	w.t.Helper()
	w.send(`{"type":"connection_init","payload":` + payload + `}`)
	if m, err := w.next(); err != nil || m["type"] != "connection_ack" {
		w.t.Fatalf("connection_init: %v %v", m, err)
	}
}

// errorCode is the code of a "next" message's first error, or of an
// "error" message's.
func errorCode(m map[string]any) string {
	var errs []any
	switch m["type"] {
	case "next":
		p, _ := m["payload"].(map[string]any)
		errs, _ = p["errors"].([]any)
	case "error":
		errs, _ = m["payload"].([]any)
	}
	if len(errs) == 0 {
		return ""
	}
	e, _ := errs[0].(map[string]any)
	ext, _ := e["extensions"].(map[string]any)
	code, _ := ext["code"].(string)
	return code
}

// TestWebsocketQueriesTakeASlot: a query sent over the websocket waits for
// an operation slot like one sent over HTTP, so with the only slot busy
// and no queue it is refused with UNAVAILABLE; once the slot is free it
// runs.
func TestWebsocketQueriesTakeASlot(t *testing.T) {
	svc := newService(t)
	adm := newAdmission(1, 0, time.Second)
	ts := httptest.NewServer(adm.wrap(newGraphQL(svc, Config{}, testLogger(t))))
	defer ts.Close()
	ws, _, err := dialWS(t, ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	ws.init(`{}`)

	release, err := adm.acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ws.send(`{"id":"1","type":"subscribe","payload":{"query":"{ articles(first: 5) { totalCount } }"}}`)
	m, err := ws.next()
	if err != nil {
		t.Fatal(err)
	}
	if code := errorCode(m); code != "UNAVAILABLE" {
		t.Errorf("query over the websocket with the only slot busy: %v, want UNAVAILABLE", m)
	}
	release()
	for {
		m, err = ws.next()
		if err != nil {
			t.Fatal(err)
		}
		if m["id"] == "1" && m["type"] == "complete" {
			break
		}
	}
	ws.send(`{"id":"2","type":"subscribe","payload":{"query":"{ articles(first: 5) { totalCount } }"}}`)
	if m, err = ws.next(); err != nil || m["type"] != "next" || errorCode(m) != "" {
		t.Errorf("query over the websocket with a free slot: %v %v", m, err)
	}
}

// TestWebsocketOperationsPerConnection: one connection runs at most
// wsMaxOperations operations at once; the next is refused, and a place
// frees when one completes.
func TestWebsocketOperationsPerConnection(t *testing.T) {
	svc := newService(t)
	if _, err := svc.Bootstrap(t.Context(), "admin@example.com", "a long enough password 1"); err != nil {
		t.Fatal(err)
	}
	tok, _, _, err := svc.Login(t.Context(), "admin@example.com", "a long enough password 1")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(newGraphQL(svc, Config{}, testLogger(t)))
	defer ts.Close()
	ws, _, err := dialWS(t, ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	ws.init(`{"Authorization":"Bearer ` + tok + `"}`)
	// One more than the limit, at once: exactly one is refused (which one
	// depends on which goroutine gqlgen runs first).
	for i := range wsMaxOperations + 1 {
		ws.send(fmt.Sprintf(`{"id":"s%d","type":"subscribe","payload":{"query":"subscription { assetUpdated { id } }"}}`, i))
	}
	m, err := ws.next()
	if err != nil {
		t.Fatal(err)
	}
	if errorCode(m) != "RATE_LIMITED" {
		t.Fatalf("%d operations on one connection: %v, want one RATE_LIMITED", wsMaxOperations+1, m)
	}
	refused := m["id"]
	for {
		select {
		case <-time.After(300 * time.Millisecond):
		case m := <-ws.msgs:
			if m != nil && m["id"] == refused && m["type"] == "complete" {
				continue
			}
			t.Fatalf("besides %v: %v", refused, m)
		}
		break
	}
	running := "s0"
	if refused == running {
		running = "s1"
	}
	// Stopping one subscription makes room (its context ends at once, but
	// its count is given back just after: try a few times).
	ws.send(`{"id":"` + running + `","type":"complete"}`)
	for try := 0; try < 50; try++ {
		id := fmt.Sprintf("again%d", try)
		ws.send(`{"id":"` + id + `","type":"subscribe","payload":{"query":"subscription { assetUpdated { id } }"}}`)
		for refused := false; !refused; {
			select {
			case <-time.After(300 * time.Millisecond): // no refusal came: it runs
				return
			case got := <-ws.msgs:
				switch {
				case got == nil:
					t.Fatal("connection closed")
				case got["type"] == "complete":
					// the stopped subscription's, or a refused one's end
				case got["id"] == id && errorCode(got) == "RATE_LIMITED":
					refused = true
				default:
					t.Fatalf("after a subscription stopped: %v", got)
				}
			}
		}
	}
	t.Fatal("a stopped subscription did not give its place back")
}

// TestWebsocketsPerAddress: one address keeps at most wsMaxPerAddress
// websockets open (429 RATE_LIMITED before upgrading), and a closed one
// gives its place back.
func TestWebsocketsPerAddress(t *testing.T) {
	svc := newService(t)
	ts := httptest.NewServer(authenticate(svc, testLogger(t), false, nil, newGraphQL(svc, Config{}, testLogger(t))))
	defer ts.Close()
	var open []*wsClient
	for range wsMaxPerAddress {
		ws, _, err := dialWS(t, ts.URL)
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, ws)
	}
	_, res, err := dialWS(t, ts.URL)
	if err == nil || res == nil || res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("websocket %d from one address: %v, %v; want 429", wsMaxPerAddress+1, res, err)
	}
	body, _ := io.ReadAll(res.Body)
	if !strings.Contains(string(body), "RATE_LIMITED") {
		t.Errorf("429 body: %s", body)
	}
	open[0].c.CloseNow()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, _, err := dialWS(t, ts.URL); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a closed websocket did not give its place back")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestWebsocketBadInitClosed: a connection_init whose payload is not an
// object ends the connection (gqlgen returns without closing it; the
// transport's wrapper closes it), so it holds neither a socket nor a place.
func TestWebsocketBadInitClosed(t *testing.T) {
	svc := newService(t)
	ts := httptest.NewServer(newGraphQL(svc, Config{}, testLogger(t)))
	defer ts.Close()
	ws, _, err := dialWS(t, ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	ws.send(`{"type":"connection_init","payload":"not an object"}`)
	if m, err := ws.next(); err == nil {
		t.Errorf("after a bad connection_init the connection is still open: %v", m)
	}
}
