package app_test

import (
	"testing"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// TestUpdateUserKeepsAnAdminOnly checks the last-admin rule applies to
// changes that take an enabled admin away, and to nothing else.
func TestUpdateUserKeepsAnAdminOnly(t *testing.T) {
	f := newFixture(t, app.Config{})
	editor := &core.User{ID: "ed", Email: "ed@example.com", Name: "Ed", Role: core.RoleEditor}
	if err := f.db.InsertUser(f.ctx, editor); err != nil {
		t.Fatal(err)
	}
	cli := app.WithUser(t.Context(), &core.User{ID: "cli", Role: core.RoleAdmin}, "")
	yes, no := true, false
	admin := core.RoleAdmin

	// The only admin cannot be disabled or demoted.
	if _, err := f.svc.UpdateUser(cli, "admin", app.UserPatch{Disabled: &yes}); !core.IsCode(err, core.CodeBadUserInput) {
		t.Fatalf("disabling the last admin: %v, want BAD_USER_INPUT", err)
	}
	// A data folder with no enabled admin (all disabled, or only editors
	// made by `user create`): editors can still be disabled and enabled,
	// and someone can be made admin again.
	a, err := f.db.UserByID(t.Context(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	a.Disabled = true
	if err := f.db.UpdateUser(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	if u, err := f.svc.UpdateUser(cli, "ed", app.UserPatch{Disabled: &yes}); err != nil || !u.Disabled {
		t.Fatalf("disabling an editor with no enabled admin: %v %+v", err, u)
	}
	if _, err := f.svc.UpdateUser(cli, "ed", app.UserPatch{Disabled: &no, Role: &admin}); err != nil {
		t.Fatalf("enabling and promoting the editor: %v", err)
	}
	// Now the promoted editor is the only enabled admin.
	if _, err := f.svc.UpdateUser(cli, "ed", app.UserPatch{Disabled: &yes}); !core.IsCode(err, core.CodeBadUserInput) {
		t.Fatalf("disabling the new last admin: %v, want BAD_USER_INPUT", err)
	}
}

// TestRoleChangeEndsLiveSessionsAtOnce: a websocket bound to a session
// (BindSession) ends when its user's role changes, not only at the next
// periodic check.
func TestRoleChangeEndsLiveSessionsAtOnce(t *testing.T) {
	f := newFixture(t, app.Config{})
	editor := &core.User{ID: "ed", Email: "ed@example.com", Name: "Ed", Role: core.RoleEditor}
	if err := f.db.InsertUser(f.ctx, editor); err != nil {
		t.Fatal(err)
	}
	live := f.svc.BindSession(app.WithUser(t.Context(), editor, "a-session-hash"))
	photographer := core.RolePhotographer
	if _, err := f.svc.UpdateUser(f.ctx, "ed", app.UserPatch{Role: &photographer}); err != nil {
		t.Fatal(err)
	}
	if live.Err() == nil {
		t.Fatal("the live session outlived its user's role change")
	}
}
