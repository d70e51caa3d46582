package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	neturl "net/url"
	"strings"
	"testing"
	"time"
)

// A browser session: the cookie is HttpOnly and SameSite=Strict, the token
// never appears in the answer, the cookie opens /graphql and /media, a
// form-encoded post from elsewhere is anonymous, and logout ends it.
func TestCookieSession(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	admin := login(t, s, adminEmail, adminPassword)
	up := s.upload(t, admin, "still.jpg", photoJPEG(t, 640, 480, 7), "id")
	if len(up.Errors) > 0 {
		t.Fatal(up.Errors)
	}
	id := dig(up.Data, "uploadAsset", "id").(string)
	url := dig(s.mustGQL(t, admin, `query($id: ID!) { asset(id: $id) { renditions { name url } } }`, map[string]any{"id": id}),
		"asset", "renditions", 0, "url").(string)

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	post := func(ctype, body string, header map[string]string) gqlResult {
		t.Helper()
		req, _ := http.NewRequest("POST", s.URL+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r gqlResult
		json.NewDecoder(resp.Body).Decode(&r)
		if strings.Contains(ctype, "json") && resp.Header.Get("Set-Cookie") != "" {
			for _, c := range resp.Cookies() {
				if c.Name == "stillroom_session" && c.MaxAge >= 0 && (!c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/") {
					t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, Path=/", c)
				}
			}
		}
		return r
	}
	jsonBody := func(q string, vars map[string]any) string {
		b, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
		return string(b)
	}

	r := post("application/json", jsonBody(`mutation($e: String!, $p: String!) { login(email: $e, password: $p, cookie: true) { token user { email } expiresAt } }`,
		map[string]any{"e": adminEmail, "p": adminPassword}), nil)
	if len(r.Errors) > 0 || dig(r.Data, "login", "token") != "" || dig(r.Data, "login", "user", "email") != adminEmail {
		t.Fatalf("cookie login: %+v %+v", r.Data, r.Errors)
	}
	if r := post("application/json", jsonBody(`{ me { email } }`, nil), nil); dig(r.Data, "me", "email") != adminEmail {
		t.Fatalf("me with the cookie: %+v %+v", r.Data, r.Errors)
	}
	// A form post (what another page can send without a preflight) does
	// not get the cookie's rights, even if the server would parse it.
	if r := post("text/plain", jsonBody(`mutation { logout }`, nil), nil); r.Code() == "" && dig(r.Data, "logout") == true {
		t.Fatalf("a text/plain post used the cookie: %+v", r)
	}
	if r := post("application/x-www-form-urlencoded", "query=mutation%7Blogout%7D", nil); dig(r.Data, "logout") == true {
		t.Fatalf("a form post used the cookie: %+v", r)
	}
	// The unpublished asset's rendition loads in a plain <img> (a GET with
	// the cookie), and is private.
	resp, err := browser.Get(s.abs(url))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Cache-Control"), "private") {
		t.Fatalf("rendition with the cookie: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if resp, _ := s.fetch(t, url, nil); resp.StatusCode == 200 {
		t.Fatalf("rendition of an unpublished asset without the cookie: %d", resp.StatusCode)
	}
	// Logout clears the cookie and ends the session on the server.
	cookie := jar.Cookies(resp.Request.URL)
	if r := post("application/json", jsonBody(`mutation { logout }`, nil), nil); dig(r.Data, "logout") != true {
		t.Fatalf("logout: %+v", r)
	}
	if r := post("application/json", jsonBody(`{ me { email } }`, nil), nil); dig(r.Data, "me") != nil {
		t.Fatalf("me after logout: %+v", r.Data)
	}
	// The old cookie, replayed on a GraphQL POST (the desk's next action),
	// is UNAUTHENTICATED and cleared; on a GET it is just anonymous.
	req, _ := http.NewRequest("POST", s.URL+"/graphql", bytes.NewReader([]byte(jsonBody(`{ me { email } }`, nil))))
	req.Header.Set("Content-Type", "application/json")
	for _, c := range cookie {
		req.AddCookie(c)
	}
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var after gqlResult
	json.NewDecoder(resp.Body).Decode(&after)
	resp.Body.Close()
	if after.Code() != "UNAUTHENTICATED" || !strings.Contains(resp.Header.Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("replayed cookie on POST: %+v, Set-Cookie %q", after, resp.Header.Get("Set-Cookie"))
	}
	req, _ = http.NewRequest("GET", s.URL+"/graphql?query="+neturl.QueryEscape(`{ me { email } }`), nil)
	for _, c := range cookie {
		req.AddCookie(c)
	}
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	after = gqlResult{}
	json.NewDecoder(resp.Body).Decode(&after)
	resp.Body.Close()
	if len(after.Errors) > 0 || dig(after.Data, "me") != nil {
		t.Fatalf("replayed cookie on GET: %+v", after)
	}
}

// In production the cookie is __Host- prefixed and Secure.
func TestCookieSessionProduction(t *testing.T) {
	s := startServer(t, map[string]string{"ENV": "production", "ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	body, _ := json.Marshal(map[string]any{"query": `mutation($e: String!, $p: String!) { login(email: $e, password: $p, cookie: true) { expiresAt } }`,
		"variables": map[string]any{"e": adminEmail, "p": adminPassword}})
	resp, err := http.Post(s.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var got *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-stillroom_session" {
			got = c
		}
	}
	if got == nil || !got.Secure || !got.HttpOnly || got.SameSite != http.SameSiteStrictMode || got.Path != "/" || got.Domain != "" {
		t.Fatalf("production cookie: %+v (all: %v)", got, resp.Header.Values("Set-Cookie"))
	}
	if got.MaxAge <= 0 || got.Expires.Before(time.Now()) {
		t.Errorf("cookie lifetime: %+v", got)
	}
}
