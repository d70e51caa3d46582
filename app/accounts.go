package app

import (
	"context"
	_ "embed"
	"strings"
	"sync"
	"time"

	"github.com/stillroom/stillroom/core"
)

// Account lifecycle: listing users, changing a name, role or disabled
// state, changing and resetting passwords. Every change of role, password
// or disabled state ends all the user's sessions at once: their bearer
// tokens and cookies stop working and their open websockets are closed
// (see BindSession).

//go:embed commonpasswords.txt
var commonPasswordsText string

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	m := make(map[string]struct{}, 10000)
	for line := range strings.SplitSeq(commonPasswordsText, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			m[line] = struct{}{}
		}
	}
	return m
})

// checkNewPassword applies the password rules: MinPasswordLen characters
// to MaxPasswordLen bytes, not one of the 10,000 most common passwords,
// nor one of them followed by digits or punctuation ("dragon2024!"), nor
// the account's email.
func checkNewPassword(password, email string) error {
	if n := len([]rune(password)); n < MinPasswordLen || len(password) > MaxPasswordLen {
		return core.Errorf(core.CodeBadUserInput, "password must be %d characters to %d bytes long", MinPasswordLen, MaxPasswordLen)
	}
	lower := strings.ToLower(password)
	base := strings.TrimRightFunc(lower, func(r rune) bool {
		return r >= '0' && r <= '9' || strings.ContainsRune("!@#$%^&*()-_=+.,;:?~ ", r)
	})
	common := commonPasswords()
	_, isCommon := common[lower]
	_, baseCommon := common[base]
	if isCommon || baseCommon || (email != "" && strings.Contains(lower, strings.ToLower(email))) {
		return core.Errorf(core.CodeBadUserInput, "this password is too common or easy to guess; choose another (a few unrelated words work well)")
	}
	return nil
}

// ListUsers returns every account, by email. ADMIN only.
func (s *Service) ListUsers(ctx context.Context) ([]*core.User, error) {
	if _, err := require(ctx, core.RoleAdmin); err != nil {
		return nil, err
	}
	return s.store.ListUsers(ctx)
}

// UserPatch changes an account; nil fields are left as they are.
type UserPatch struct {
	Name     *string
	Role     *core.Role
	Disabled *bool
}

// UpdateUser changes a user's name, role or disabled state. ADMIN only.
// A change of role or disabled state ends the user's sessions.
// BAD_USER_INPUT for an invalid name or role, or when the change would
// leave no enabled admin; NOT_FOUND when there is no such user.
func (s *Service) UpdateUser(ctx context.Context, id string, p UserPatch) (*core.User, error) {
	if _, err := require(ctx, core.RoleAdmin); err != nil {
		return nil, err
	}
	return s.updateUser(ctx, id, p)
}

func (s *Service) updateUser(ctx context.Context, id string, p UserPatch) (*core.User, error) {
	s.accountsMu.Lock()
	defer s.accountsMu.Unlock()
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	was := *u
	if p.Name != nil {
		name := strings.TrimSpace(*p.Name)
		if name == "" || len([]rune(name)) > 200 {
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
	if p.Disabled != nil {
		u.Disabled = *p.Disabled
	}
	if was.Role == core.RoleAdmin && !was.Disabled && (u.Role != core.RoleAdmin || u.Disabled) {
		if err := s.keepAnAdmin(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	u.UpdatedAt = s.now()
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	if u.Role != was.Role || u.Disabled != was.Disabled {
		if err := s.revokeUser(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// keepAnAdmin refuses a change that leaves no enabled admin but except.
func (s *Service) keepAnAdmin(ctx context.Context, except string) error {
	users, err := s.store.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, o := range users {
		if o.ID != except && o.Role == core.RoleAdmin && !o.Disabled {
			return nil
		}
	}
	return core.Errorf(core.CodeBadUserInput, "this is the last enabled admin; make another admin first")
}

// ChangePassword changes the caller's password, given the current one
// (its checks count as sign-in attempts). Every session of the caller
// ends, this one included: sign in again with the new password.
// UNAUTHENTICATED when the current password is wrong; BAD_USER_INPUT when
// the new one breaks the rules; RATE_LIMITED as Login.
func (s *Service) ChangePassword(ctx context.Context, current, next string) error {
	u, err := require(ctx, core.RolePhotographer)
	if err != nil {
		return err
	}
	if len(current) > MaxPasswordLen {
		return core.Errorf(core.CodeUnauthenticated, "the current password is wrong")
	}
	if err := checkNewPassword(next, u.Email); err != nil {
		return err
	}
	attempt, wait := s.signIns.reserve(u.Email, clientAddr(ctx), s.now())
	if attempt == nil {
		return rateLimited(wait)
	}
	stored, err := s.store.UserByID(ctx, u.ID)
	if err != nil {
		attempt.end(false, s.now())
		return err
	}
	wrong := s.comparePassword(ctx, []byte(stored.PasswordHash), current) != nil
	attempt.end(wrong, s.now())
	if wrong {
		return core.Errorf(core.CodeUnauthenticated, "the current password is wrong")
	}
	return s.setPassword(ctx, u.ID, next)
}

// ResetPassword gives the user a new random password, returned once for
// the admin to pass on, and ends the user's sessions. ADMIN only.
func (s *Service) ResetPassword(ctx context.Context, id string) (string, error) {
	if _, err := require(ctx, core.RoleAdmin); err != nil {
		return "", err
	}
	pw := randomString(15)
	return pw, s.setPassword(ctx, id, pw)
}

// SetPasswordByEmail sets a user's password and ends their sessions: for
// the command line (`stillroom user set-password`), which has no signed-in
// caller. BAD_USER_INPUT when the password breaks the rules.
func (s *Service) SetPasswordByEmail(ctx context.Context, email, password string) error {
	u, err := s.store.UserByEmail(ctx, normalizeEmail(email))
	if err != nil {
		return err
	}
	if err := checkNewPassword(password, u.Email); err != nil {
		return err
	}
	return s.setPassword(ctx, u.ID, password)
}

// SetDisabledByEmail disables or enables an account (ending its sessions):
// for the command line (`stillroom user disable|enable`).
func (s *Service) SetDisabledByEmail(ctx context.Context, email string, disabled bool) (*core.User, error) {
	u, err := s.store.UserByEmail(ctx, normalizeEmail(email))
	if err != nil {
		return nil, err
	}
	return s.updateUser(ctx, u.ID, UserPatch{Disabled: &disabled})
}

func (s *Service) setPassword(ctx context.Context, id, password string) error {
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return err
	}
	s.accountsMu.Lock()
	defer s.accountsMu.Unlock()
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return err
	}
	u.PasswordHash, u.UpdatedAt = string(hash), s.now()
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return err
	}
	return s.revokeUser(ctx, id)
}

// revokeUser ends every session of the user, here and in the store.
func (s *Service) revokeUser(ctx context.Context, userID string) error {
	_, err := s.store.DeleteUserSessions(context.WithoutCancel(ctx), userID)
	s.sessionWatch.end(func(w *sessionWatcher) bool { return w.userID == userID })
	return err
}

// SessionRecheck is how often a bound session (BindSession) is looked up
// again, for ends this process did not see (another process, the command
// line, expiry).
var SessionRecheck = 5 * time.Second

// errSessionEnded is the cause of a bound context's end.
var errSessionEnded = core.Errorf(core.CodeUnauthenticated, "the session has ended (signed out, expired or revoked)")

type sessionWatcher struct {
	hash, userID string
	cancel       context.CancelCauseFunc
}

// sessionWatchers are the contexts bound to sessions in this process.
type sessionWatchers struct {
	mu sync.Mutex
	ws map[*sessionWatcher]struct{}
}

func (sw *sessionWatchers) add(w *sessionWatcher) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if sw.ws == nil {
		sw.ws = map[*sessionWatcher]struct{}{}
	}
	sw.ws[w] = struct{}{}
}

func (sw *sessionWatchers) remove(w *sessionWatcher) {
	sw.mu.Lock()
	delete(sw.ws, w)
	sw.mu.Unlock()
}

// end cancels every watcher that match selects.
func (sw *sessionWatchers) end(match func(*sessionWatcher) bool) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	for w := range sw.ws {
		if match(w) {
			w.cancel(errSessionEnded)
			delete(sw.ws, w)
		}
	}
}

// BindSession returns a context that ends when the caller's session ends:
// at once when it is signed out or its user's sessions are revoked in this
// process, and within SessionRecheck otherwise. A long-lived connection
// (a websocket) runs under it, so it loses its rights with its session.
// Without a session (anonymous), ctx is returned as it is.
func (s *Service) BindSession(ctx context.Context) context.Context {
	hash, u := tokenHashFrom(ctx), UserFrom(ctx)
	if hash == "" || u == nil {
		return ctx
	}
	ctx, cancel := context.WithCancelCause(ctx)
	w := &sessionWatcher{hash: hash, userID: u.ID, cancel: cancel}
	s.sessionWatch.add(w)
	go func() {
		defer s.sessionWatch.remove(w)
		t := time.NewTicker(SessionRecheck)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := s.CheckSession(ctx); core.IsCode(err, core.CodeUnauthenticated) {
					cancel(errSessionEnded)
					return
				}
			}
		}
	}()
	return ctx
}

// CheckSession looks the caller's session up again: UNAUTHENTICATED when
// it has ended or its user changed role or was disabled since ctx was
// made; nil for anonymous callers.
func (s *Service) CheckSession(ctx context.Context) error {
	hash, u := tokenHashFrom(ctx), UserFrom(ctx)
	if hash == "" || u == nil {
		return nil
	}
	if err := context.Cause(ctx); err != nil && core.IsCode(err, core.CodeUnauthenticated) {
		return err
	}
	now, _, err := s.authenticateHash(ctx, hash)
	if err != nil {
		return err
	}
	if now.Role != u.Role || now.Disabled {
		return errSessionEnded
	}
	return nil
}
