package main

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestAccounts covers login, logout, createUser and what each role may do
// with accounts.
func TestAccounts(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	const loginQ = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token user { email role } } }`

	for _, tc := range []struct{ name, email, password string }{
		{"wrong password", adminEmail, "not the password"},
		{"unknown email", "nobody@example.com", adminPassword},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.gql(t, "", loginQ, map[string]any{"e": tc.email, "p": tc.password})
			if r.Code() != "UNAUTHENTICATED" || r.Errors[0].Message != "invalid email or password" {
				t.Errorf("got %+v", r.Errors)
			}
		})
	}
	// Emails are matched without regard to case or surrounding space.
	d := s.mustGQL(t, "", loginQ, map[string]any{"e": "  ADMIN@example.com ", "p": adminPassword})
	admin := dig(d, "login", "token").(string)
	if dig(d, "login", "user", "role") != "ADMIN" {
		t.Fatalf("login: %v", d)
	}
	if me := s.mustGQL(t, admin, `{ me { email role } }`, nil); dig(me, "me", "email") != adminEmail {
		t.Errorf("me = %v", me)
	}

	const create = `mutation($in: CreateUserInput!) { createUser(input: $in) { id email role } }`
	user := func(email, role string) map[string]any {
		return map[string]any{"in": map[string]any{"email": email, "name": "Nguyễn Văn A", "password": "long enough pw", "role": role}}
	}
	s.mustGQL(t, admin, create, user("editor@example.com", "EDITOR"))
	s.mustGQL(t, admin, create, user("ph@example.com", "PHOTOGRAPHER"))
	editor := login(t, s, "editor@example.com", "long enough pw")
	ph := login(t, s, "ph@example.com", "long enough pw")

	for _, tc := range []struct {
		name, token string
		vars        map[string]any
		code        string
	}{
		{"anonymous", "", user("x1@example.com", "EDITOR"), "UNAUTHENTICATED"},
		{"photographer", ph, user("x2@example.com", "EDITOR"), "FORBIDDEN"},
		{"editor", editor, user("x3@example.com", "EDITOR"), "FORBIDDEN"},
		{"duplicate email", admin, user("EDITOR@example.com", "EDITOR"), "CONFLICT"},
		{"bad email", admin, user("not an email", "EDITOR"), "BAD_USER_INPUT"},
		{"short password", admin, map[string]any{"in": map[string]any{"email": "y@example.com", "name": "Y", "password": "short", "role": "EDITOR"}}, "BAD_USER_INPUT"},
	} {
		t.Run("createUser as "+tc.name, func(t *testing.T) {
			if r := s.gql(t, tc.token, create, tc.vars); r.Code() != tc.code {
				t.Errorf("got %+v, want %s", r.Errors, tc.code)
			}
		})
	}

	t.Run("logout revokes the token", func(t *testing.T) {
		tok := login(t, s, "ph@example.com", "long enough pw")
		s.mustGQL(t, tok, `mutation { logout }`, nil)
		if r := s.gql(t, tok, `{ me { id } }`, nil); r.Code() != "UNAUTHENTICATED" {
			t.Errorf("revoked token: got %+v", r.Errors)
		}
		// Other sessions of the same user are untouched.
		if me := s.mustGQL(t, ph, `{ me { email } }`, nil); dig(me, "me", "email") != "ph@example.com" {
			t.Errorf("other session: %v", me)
		}
	})
	t.Run("an invalid token is refused, not read as anonymous", func(t *testing.T) {
		for _, h := range []string{"Bearer nope", "Basic abc", "Bearer "} {
			req, _ := http.NewRequest("POST", s.URL+"/graphql", strings.NewReader(`{"query":"{ me { id } }"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", h)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%q: HTTP %d, want 401", h, resp.StatusCode)
			}
		}
	})
	t.Run("photographers cannot curate", func(t *testing.T) {
		for _, q := range []string{
			`mutation { createGallery(input: {title: "x"}) { id } }`,
			`mutation { createArticle(input: {title: "x"}) { id } }`,
		} {
			if r := s.gql(t, ph, q, nil); r.Code() != "FORBIDDEN" {
				t.Errorf("%s: got %+v, want FORBIDDEN", q, r.Errors)
			}
			if r := s.gql(t, "", q, nil); r.Code() != "UNAUTHENTICATED" {
				t.Errorf("%s anonymous: got %+v, want UNAUTHENTICATED", q, r.Errors)
			}
		}
	})
}

// TestExpiredToken: a token past its session TTL no longer works.
func TestExpiredToken(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword, "SESSION_TTL": "1ms"}, false)
	tok := login(t, s, adminEmail, adminPassword)
	time.Sleep(10 * time.Millisecond)
	if r := s.gql(t, tok, `{ me { id } }`, nil); r.Code() != "UNAUTHENTICATED" {
		t.Errorf("expired token: got %+v", r.Errors)
	}
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestGeneratedAdmin: with no users and no admin settings, the first start
// creates an admin with a random password, logs it once, and it works; the
// second start logs no password.
func TestGeneratedAdmin(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": dir}
	var first syncBuffer
	s := startLogged(t, env, &first)
	m := regexp.MustCompile(`email=(\S+) password=(\S+)`).FindStringSubmatch(first.String())
	if m == nil {
		t.Fatalf("no generated password in the log:\n%s", first.String())
	}
	login(t, s.srv, m[1], m[2])
	s.stop()

	var second syncBuffer
	s2 := startLogged(t, env, &second)
	s2.stop()
	if strings.Contains(second.String(), "password=") {
		t.Errorf("second start logged a password:\n%s", second.String())
	}
}

// TestLoginRateLimit: after 10 failed sign-ins an account is refused,
// even with the right password, while other accounts still sign in; after
// 50 failures from one address, every sign-in from it is refused.
func TestLoginRateLimit(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	admin := login(t, s, adminEmail, adminPassword)
	s.mustGQL(t, admin, `mutation { createUser(input: {email: "ed@example.com", name: "E", password: "editor-password", role: EDITOR}) { id } }`, nil)
	const q = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`
	try := func(email, pw string) string {
		return s.gql(t, "", q, map[string]any{"e": email, "p": pw}).Code()
	}
	for i := 0; i < 10; i++ {
		if c := try("ed@example.com", "wrong"); c != "UNAUTHENTICATED" {
			t.Fatalf("failure %d: %s", i+1, c)
		}
	}
	if c := try("ed@example.com", "editor-password"); c != "RATE_LIMITED" {
		t.Errorf("11th sign-in with the right password: %q, want RATE_LIMITED", c)
	}
	if c := try(adminEmail, adminPassword); c != "" {
		t.Errorf("another account: %q", c)
	}
	for i := 0; i < 40; i++ {
		try(fmt.Sprintf("nobody%d@example.com", i), "wrong")
	}
	if c := try(adminEmail, adminPassword); c != "RATE_LIMITED" {
		t.Errorf("after 50 failures from this address: %q, want RATE_LIMITED", c)
	}
}
