package app

import (
	"context"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/stillroom/stillroom/core"
)

// Accounts, for the newsroom's admins and for everyone's own password.
//
// Decisions: an admin cannot disable or demote their own account (so a
// newsroom is never left without a way in by a slip), and the last enabled
// admin cannot be disabled or demoted. A disabled account's sessions stop
// working at once (every request reads the user) and say why: "this
// account has been disabled"; enabling it again ends those sessions, so
// its owner signs in afresh. A role change applies from the next request. A reset password is random, shown once to
// the admin, and ends the account's sessions.

// ListUsers returns every account, by email. ADMIN only.
func (s *Service) ListUsers(ctx context.Context) ([]*core.User, error) {
	if _, err := require(ctx, core.RoleAdmin); err != nil {
		return nil, err
	}
	return s.store.ListUsers(ctx)
}

// UserPatch is what UpdateUser changes; nil fields stay.
type UserPatch struct {
	Name     *string
	Role     *core.Role
	Disabled *bool
}

// UpdateUser changes an account's name, role or disabled state. ADMIN only.
func (s *Service) UpdateUser(ctx context.Context, id string, p UserPatch) (*core.User, error) {
	me, err := require(ctx, core.RoleAdmin)
	if err != nil {
		return nil, err
	}
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Name != nil {
		name := strings.TrimSpace(*p.Name)
		if name == "" || utf8.RuneCountInString(name) > 200 {
			return nil, core.Errorf(core.CodeBadUserInput, "name must be 1 to 200 characters")
		}
		u.Name = name
	}
	if p.Role != nil {
		if !p.Role.Valid() {
			return nil, core.Errorf(core.CodeBadUserInput, "unknown role %q", *p.Role)
		}
		u.Role = *p.Role
	}
	enabling := p.Disabled != nil && !*p.Disabled && u.Disabled
	if p.Disabled != nil {
		u.Disabled = *p.Disabled
	}
	losesAdmin := u.Role != core.RoleAdmin || u.Disabled
	if u.ID == me.ID && losesAdmin {
		return nil, core.Errorf(core.CodeBadUserInput, "you cannot disable or demote your own account; ask another admin")
	}
	if losesAdmin {
		if err := s.keepAnAdmin(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	u.UpdatedAt = s.now()
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	if enabling {
		if _, err := s.store.DeleteUserSessions(ctx, u.ID); err != nil {
			return nil, err
		}
		s.sessionsEnded(u.ID)
	}
	return u, nil
}

// keepAnAdmin refuses when no enabled admin but except would remain.
func (s *Service) keepAnAdmin(ctx context.Context, except string) error {
	users, err := s.store.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.ID != except && u.Role == core.RoleAdmin && !u.Disabled {
			return nil
		}
	}
	return core.Errorf(core.CodeBadUserInput, "the newsroom needs at least one enabled admin")
}

// ResetPassword gives the account a new random password, ends its sessions
// and returns the password (to be shown once). ADMIN only.
func (s *Service) ResetPassword(ctx context.Context, id string) (string, error) {
	if _, err := require(ctx, core.RoleAdmin); err != nil {
		return "", err
	}
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return "", err
	}
	pw := randomString(15) // 20 characters of base64url
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), bcryptCost)
	if err != nil {
		return "", core.WrapError(core.CodeInternal, err, "hash a password")
	}
	u.PasswordHash, u.UpdatedAt = string(hash), s.now()
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return "", err
	}
	if _, err := s.store.DeleteUserSessions(ctx, u.ID); err != nil {
		return "", err
	}
	s.sessionsEnded(u.ID)
	return pw, nil
}

// ChangePassword changes the caller's own password after checking the
// current one. The caller's other sessions end; this one stays.
func (s *Service) ChangePassword(ctx context.Context, current, next string) error {
	me, err := require(ctx, core.RolePhotographer)
	if err != nil {
		return err
	}
	u, err := s.store.UserByID(ctx, me.ID)
	if err != nil {
		return err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(current)) != nil {
		return core.Errorf(core.CodeBadUserInput, "the current password is not right")
	}
	if len(next) < MinPasswordLen || len(next) > MaxPasswordLen {
		return core.Errorf(core.CodeBadUserInput, "password must be %d to %d bytes", MinPasswordLen, MaxPasswordLen)
	}
	if next == current {
		return core.Errorf(core.CodeBadUserInput, "the new password is the same as the current one")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(next), bcryptCost)
	if err != nil {
		return core.WrapError(core.CodeBadUserInput, err, "unusable password")
	}
	this, err := s.store.SessionByTokenHash(ctx, tokenHashFrom(ctx))
	if err != nil {
		return err
	}
	u.PasswordHash, u.UpdatedAt = string(hash), s.now()
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return err
	}
	if _, err := s.store.DeleteUserSessions(ctx, u.ID); err != nil {
		return err
	}
	s.sessionsEnded(u.ID)
	return s.store.InsertSession(ctx, this)
}

// sessionsEnded is called after a user's sessions were deleted, for
// anything holding one open (subscriptions): they notice at their next
// check. A hook for the websocket transport; nothing to do here yet.
func (s *Service) sessionsEnded(string) {}
