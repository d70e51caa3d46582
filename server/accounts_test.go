package main

import (
	"strings"
	"testing"
)

// TestAccounts covers the admin's account work and everyone's own password:
// listing, role changes, disabling (sessions end at once, sign-in refused
// with a clear message, enabling again), resetting a password (shown once,
// old sessions end), changing one's own (other sessions end, this one
// stays), and the guards: no self-disable, a last admin stays, non-admins
// see nothing.
func TestAccountManagement(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	admin := login(t, s, adminEmail, adminPassword)
	const pw = "một mật khẩu đủ dài"
	create := func(email, role string) string {
		d := s.mustGQL(t, admin, `mutation($e: String!, $r: Role!, $p: String!) { createUser(input: {email: $e, name: "N", role: $r, password: $p}) { id } }`,
			map[string]any{"e": email, "r": role, "p": pw})
		return dig(d, "createUser", "id").(string)
	}
	photoID := create("minh@example.com", "PHOTOGRAPHER")
	create("lan@example.com", "EDITOR")
	photo := login(t, s, "minh@example.com", pw)

	list := s.mustGQL(t, admin, `{ users { email role disabled } }`, nil)
	if got := dig(list, "users").([]any); len(got) != 3 || dig(got, 0, "email") != adminEmail || dig(got, 2, "email") != "minh@example.com" {
		t.Fatalf("users: %v", got)
	}
	if r := s.gql(t, photo, `{ users { email } }`, nil); r.Code() != "FORBIDDEN" {
		t.Fatalf("a photographer listing users: %+v", r)
	}

	// Disabled: the open session ends at its next request, with the reason.
	const upd = `mutation($id: ID!, $in: UpdateUserInput!) { updateUser(id: $id, input: $in) { role disabled } }`
	d := s.mustGQL(t, admin, upd, map[string]any{"id": photoID, "in": map[string]any{"disabled": true, "role": "EDITOR"}})
	if dig(d, "updateUser", "disabled") != true || dig(d, "updateUser", "role") != "EDITOR" {
		t.Fatalf("updateUser: %v", d)
	}
	r := s.gql(t, photo, `{ me { email } }`, nil)
	if r.Code() != "UNAUTHENTICATED" || !strings.Contains(r.Errors[0].Message, "disabled") {
		t.Fatalf("a disabled user's session: %+v", r)
	}
	r = s.gql(t, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, map[string]any{"e": "minh@example.com", "p": pw})
	if r.Code() != "UNAUTHENTICATED" || !strings.Contains(r.Errors[0].Message, "disabled") {
		t.Fatalf("a disabled user signing in: %+v", r)
	}
	s.mustGQL(t, admin, upd, map[string]any{"id": photoID, "in": map[string]any{"disabled": false}})
	photo = login(t, s, "minh@example.com", pw)

	// Reset: a new password, shown once; the old one and old sessions end.
	d = s.mustGQL(t, admin, `mutation($id: ID!) { resetPassword(id: $id) { password user { email } } }`, map[string]any{"id": photoID})
	fresh := dig(d, "resetPassword", "password").(string)
	if len(fresh) < 16 || dig(d, "resetPassword", "user", "email") != "minh@example.com" {
		t.Fatalf("resetPassword: %v", d)
	}
	if r := s.gql(t, photo, `{ me { email } }`, nil); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("session after a reset: %+v", r)
	}
	if r := s.gql(t, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, map[string]any{"e": "minh@example.com", "p": pw}); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("old password after a reset: %+v", r)
	}
	one := login(t, s, "minh@example.com", fresh)
	two := login(t, s, "minh@example.com", fresh)

	// Change: the current password is checked; the other session ends.
	const change = `mutation($c: String!, $n: String!) { changePassword(current: $c, new: $n) }`
	if r := s.gql(t, one, change, map[string]any{"c": "wrong", "n": "mật khẩu mới của Minh"}); r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("change with a wrong current password: %+v", r)
	}
	s.mustGQL(t, one, change, map[string]any{"c": fresh, "n": "mật khẩu mới của Minh"})
	if d := s.mustGQL(t, one, `{ me { email } }`, nil); dig(d, "me", "email") != "minh@example.com" {
		t.Fatalf("the changing session after the change: %v", d)
	}
	if r := s.gql(t, two, `{ me { email } }`, nil); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("another session after the change: %+v", r)
	}
	login(t, s, "minh@example.com", "mật khẩu mới của Minh")

	// Guards.
	adminID := dig(s.mustGQL(t, admin, `{ me { id } }`, nil), "me", "id")
	if r := s.gql(t, admin, upd, map[string]any{"id": adminID, "in": map[string]any{"disabled": true}}); r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("an admin disabling themself: %+v", r)
	}
	if r := s.gql(t, admin, upd, map[string]any{"id": adminID, "in": map[string]any{"role": "EDITOR"}}); r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("an admin demoting themself: %+v", r)
	}
	if r := s.gql(t, photo, upd, map[string]any{"id": photoID, "in": map[string]any{"role": "ADMIN"}}); r.Code() == "" {
		t.Fatalf("a non-admin promoting themself: %+v", r)
	}
}
