package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestUserChangeCommands runs `stillroom user set-password`, `disable` and
// `enable` against the data folder of a running server, as an admin on the
// server's machine would when an account is lost or stolen: each change
// ends the account's sessions at once, and a mistake (unknown account, weak
// password, no --email) is refused with its code and changes nothing.
func TestUserChangeCommands(t *testing.T) {
	dataDir := t.TempDir()
	env := map[string]string{"STILLROOM_DATA_DIR": dataDir}
	run := func(t *testing.T, extraEnv map[string]string, args ...string) (string, error) {
		t.Helper()
		return runCLI(t, env, extraEnv, args...)
	}
	const email, first = "lan@example.com", "first-password-of-lan"
	if _, err := run(t, nil, "user", "create", "--email", email, "--name", "Trần Thị Lan", "--role", "EDITOR", "--password", first); err != nil {
		t.Fatal(err)
	}
	s := startWith(t, map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": dataDir})
	signIn := func(password string) (string, string) {
		r := s.gql(t, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, map[string]any{"e": email, "p": password})
		tok, _ := dig(r.Data, "login", "token").(string)
		return tok, r.Code()
	}
	me := func(tok string) (any, string) {
		r := s.gql(t, tok, `{ me { email } }`, nil)
		return dig(r.Data, "me", "email"), r.Code()
	}

	// Refusals change nothing: the session still works.
	tok, code := signIn(first)
	if tok == "" {
		t.Fatalf("sign-in: %s", code)
	}
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"user", "set-password", "--email", "nobody@example.com", "--password", "a-long-new-password"}, "NOT_FOUND"},
		{[]string{"user", "set-password", "--email", email, "--password", "short"}, "BAD_USER_INPUT"},
		{[]string{"user", "set-password", "--email", email, "--password", email}, "BAD_USER_INPUT"},
		{[]string{"user", "disable", "--email", "nobody@example.com"}, "NOT_FOUND"},
		{[]string{"user", "enable"}, "--email required"},
	} {
		if _, err := run(t, nil, tc.args...); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%q: error %v, want one containing %q", tc.args, err, tc.wantErr)
		}
	}
	if got, code := me(tok); got != email {
		t.Fatalf("after refused commands me = %v (%s), want %s", got, code, email)
	}

	// set-password: the old session and password are gone, the new one works.
	const second = "second-password-of-lan"
	if out, err := run(t, nil, "user", "set-password", "--email", email, "--password", second); err != nil || !strings.Contains(out, "sessions ended") {
		t.Fatalf("set-password: %v %q", err, out)
	}
	if got, code := me(tok); got != nil || code != "UNAUTHENTICATED" {
		t.Errorf("old session after set-password: me = %v, code %q; want UNAUTHENTICATED", got, code)
	}
	if _, code := signIn(first); code != "UNAUTHENTICATED" {
		t.Errorf("old password after set-password: code %q, want UNAUTHENTICATED", code)
	}
	if tok, code = signIn(second); tok == "" {
		t.Fatalf("new password refused: %s", code)
	}

	// A generated password (no --password, no STILLROOM_USER_PASSWORD) is
	// printed once and works.
	out, err := run(t, map[string]string{"STILLROOM_USER_PASSWORD": ""}, "user", "set-password", "--email", email)
	m := regexp.MustCompile(`(?m)^password: (\S+)$`).FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("generated set-password: %v %q", err, out)
	}
	if tok, code = signIn(m[1]); tok == "" {
		t.Fatalf("generated password refused: %s", code)
	}

	// disable: the session ends and signing in says why (to whoever knows
	// the password); enable lets the owner back in.
	if out, err := run(t, nil, "user", "disable", "--email", strings.ToUpper(email)); err != nil || !strings.Contains(out, "disabled") {
		t.Fatalf("disable: %v %q", err, out)
	}
	if got, code := me(tok); got != nil || code != "UNAUTHENTICATED" {
		t.Errorf("session of a disabled account: me = %v, code %q", got, code)
	}
	r := s.gql(t, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, map[string]any{"e": email, "p": m[1]})
	if r.Code() != "UNAUTHENTICATED" || len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "disabled") {
		t.Errorf("sign-in of a disabled account: %+v", r.Errors)
	}
	if out, err := run(t, nil, "user", "enable", "--email", email); err != nil || !strings.Contains(out, "enabled") {
		t.Fatalf("enable: %v %q", err, out)
	}
	if tok, code = signIn(m[1]); tok == "" {
		t.Fatalf("sign-in after enable: %s", code)
	}
	if got, _ := me(tok); got != email {
		t.Errorf("me after enable = %v", got)
	}
}
