package app

import (
	"context"
	_ "embed"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

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
	// One account change at a time in this process, so two admins
	// demoting each other at once cannot both pass the last-admin check.
	s.accountsMu.Lock()
	defer s.accountsMu.Unlock()
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	wasRole, wasDisabled := u.Role, u.Disabled
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
	// Only a change that takes an enabled admin away can leave the
	// newsroom without one; renaming, promoting or disabling anyone else
	// never does (even where no admin is left, as after `user create`
	// made only editors).
	losesAdmin := wasRole == core.RoleAdmin && !wasDisabled && (u.Role != core.RoleAdmin || u.Disabled)
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
	}
	if enabling || u.Role != wasRole || u.Disabled != wasDisabled {
		// Open websockets close: their next connection gets the account
		// as it is now.
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
	if _, err := s.store.UserByID(ctx, id); err != nil {
		return "", err // NOT_FOUND before the hashing
	}
	pw := randomString(15) // 20 characters of base64url
	if _, err := s.setPassword(ctx, id, pw); err != nil {
		return "", err
	}
	return pw, nil
}

// ChangePassword changes the caller's own password after checking the
// current one. The caller's other sessions end; this one stays.
func (s *Service) ChangePassword(ctx context.Context, current, next string) error {
	me, err := require(ctx, core.RolePhotographer)
	if err != nil {
		return err
	}
	if len(current) > MaxPasswordLen {
		return core.Errorf(core.CodeBadUserInput, "the current password is not right")
	}
	if err := checkNewPassword(next, me.Email); err != nil {
		return err
	}
	if next == current {
		return core.Errorf(core.CodeBadUserInput, "the new password is the same as the current one")
	}
	// The current password is checked like a sign-in, within its limits.
	attempt, wait := s.signIns.reserve(me.Email, clientAddr(ctx), s.now())
	if attempt == nil {
		return rateLimited(wait)
	}
	u, err := s.store.UserByID(ctx, me.ID)
	if err != nil {
		attempt.end(false, s.now())
		return err
	}
	wrong := s.comparePassword(ctx, []byte(u.PasswordHash), current) != nil
	attempt.end(wrong, s.now())
	if wrong {
		return core.Errorf(core.CodeBadUserInput, "the current password is not right")
	}
	this, err := s.store.SessionByTokenHash(ctx, tokenHashFrom(ctx))
	if err != nil {
		return err
	}
	hash, err := s.setPassword(ctx, u.ID, next)
	if err != nil {
		return err
	}
	// Kept only while the password is still this one: an admin's reset
	// right after this change ends this session too.
	return s.startSession(ctx, this, hash)
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
	_, err = s.setPassword(ctx, u.ID, password)
	return err
}

// setPassword is what every change of a password does: hash it, store it
// on the account (read again after the hashing, so a change made
// meanwhile is kept), end all the account's sessions and close what holds
// them open in this process. It returns the stored hash. The caller
// checks permissions and the password's rules.
func (s *Service) setPassword(ctx context.Context, id, password string) (string, error) {
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return "", err
	}
	// Not in the middle of UpdateUser's read and write of the same
	// account, which would put the old hash back.
	s.accountsMu.Lock()
	defer s.accountsMu.Unlock()
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return "", err
	}
	u.PasswordHash, u.UpdatedAt = string(hash), s.now()
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return "", err
	}
	if _, err := s.store.DeleteUserSessions(ctx, id); err != nil {
		return "", err
	}
	s.sessionsEnded(id)
	return u.PasswordHash, nil
}

// sessionsEnded closes what holds one of the user's sessions open in
// this process (websockets, see BindSession) after the user's sessions
// ended or the account changed.
func (s *Service) sessionsEnded(userID string) {
	s.sessionWatch.end(func(w *sessionWatcher) bool { return w.userID == userID })
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
