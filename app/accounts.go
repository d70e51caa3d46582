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
//
// Several processes share the accounts (servers, the command line): every
// change is a versioned write (changeUser), and these rules hold across
// them. When two changes race to take away the last two enabled admins,
// the one written second (and, depending on timing, the first one too) is
// refused and undone: never both kept.

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
	var name string
	if p.Name != nil {
		name = strings.TrimSpace(*p.Name)
		if name == "" || utf8.RuneCountInString(name) > 200 {
			return nil, core.Errorf(core.CodeBadUserInput, "name must be 1 to 200 characters")
		}
	}
	if p.Role != nil && !p.Role.Valid() {
		return nil, core.Errorf(core.CodeBadUserInput, "unknown role %q", *p.Role)
	}
	was, u, err := s.changeUser(ctx, id, func(u *core.User) error {
		wasAdmin := enabledAdmin(u)
		if p.Name != nil {
			u.Name = name
		}
		if p.Role != nil {
			u.Role = *p.Role
		}
		if p.Disabled != nil {
			u.Disabled = *p.Disabled
		}
		// Only a change that takes an enabled admin away can leave the
		// newsroom without one; renaming, promoting or disabling anyone
		// else never does (even where no admin is left, as after `user
		// create` made only editors).
		if !wasAdmin || enabledAdmin(u) {
			return nil
		}
		if u.ID == me.ID {
			return core.Errorf(core.CodeBadUserInput, "you cannot disable or demote your own account; ask another admin")
		}
		return s.keepAnAdmin(ctx, u.ID)
	})
	if err != nil {
		return nil, err
	}
	if enabledAdmin(was) && !enabledAdmin(u) {
		// keepAnAdmin saw another enabled admin before the write, but
		// another process may have taken that one away meanwhile (two
		// admins demoting each other on two servers). Each such change
		// looks again after its own write, so the one written second sees
		// the first and is undone: an enabled admin always remains.
		if err := s.keepAnAdmin(ctx, ""); err != nil {
			if uerr := s.undoAdminLoss(ctx, was, u); uerr != nil {
				return nil, uerr
			}
			return nil, err
		}
	}
	enabling := was.Disabled && !u.Disabled
	if enabling {
		if _, err := s.store.DeleteUserSessions(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	if enabling || u.Role != was.Role || u.Disabled != was.Disabled {
		// Open websockets close: their next connection gets the account
		// as it is now.
		s.sessionsEnded(u.ID)
	}
	return u, nil
}

func enabledAdmin(u *core.User) bool { return u.Role == core.RoleAdmin && !u.Disabled }

// undoAdminLoss gives the account the role and disabled state it had
// (was) back, unless another change moved them on from what this one
// wrote (now).
func (s *Service) undoAdminLoss(ctx context.Context, was, now *core.User) error {
	_, _, err := s.changeUser(ctx, was.ID, func(u *core.User) error {
		if u.Role != now.Role || u.Disabled != now.Disabled {
			return errUnchanged
		}
		u.Role, u.Disabled = was.Role, was.Disabled
		return nil
	})
	if err == errUnchanged {
		return nil
	}
	return err
}

// errUnchanged tells changeUser that there is nothing to write.
var errUnchanged = core.Errorf(core.CodeConflict, "unchanged")

// changeUser applies change to account id as one versioned write
// (core.Users.UpdateUser), read and applied again when another process
// changed the account in between (updateVersioned). It returns the
// account as read and as written.
func (s *Service) changeUser(ctx context.Context, id string, change func(*core.User) error) (was, now *core.User, err error) {
	var read core.User
	now, err = updateVersioned(ctx, id, maxRetries, s.store.UserByID, s.store.UpdateUser, func(u *core.User) error {
		read = *u
		if err := change(u); err != nil {
			return err
		}
		u.UpdatedAt = s.now()
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return &read, now, nil
}

// keepAnAdmin refuses when no enabled admin but except would remain.
func (s *Service) keepAnAdmin(ctx context.Context, except string) error {
	users, err := s.store.ListUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if u.ID != except && enabledAdmin(u) {
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
	if _, err := s.setPassword(ctx, id, pw, ""); err != nil {
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
	// Written only over the password just checked: if an admin reset it
	// meanwhile, the current password is no longer right.
	hash, err := s.setPassword(ctx, u.ID, next, u.PasswordHash)
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
	_, err = s.setPassword(ctx, u.ID, password, "")
	return err
}

// setPassword is what every change of a password does: hash it, store it
// on the account (a versioned write, so a change made meanwhile, here or
// in another process, is kept), end all the account's sessions and close
// what holds them open in this process. With checked set, the password is
// written only over that hash (the one the caller's current password was
// checked against); else BAD_USER_INPUT. It returns the stored hash. The
// caller checks permissions and the password's rules.
func (s *Service) setPassword(ctx context.Context, id, password, checked string) (string, error) {
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return "", err
	}
	_, u, err := s.changeUser(ctx, id, func(u *core.User) error {
		if checked != "" && u.PasswordHash != checked {
			return core.Errorf(core.CodeBadUserInput, "the current password is not right")
		}
		u.PasswordHash = string(hash)
		return nil
	})
	if err != nil {
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
	every := SessionRecheck // read by the caller, which a test that sets it can wait for
	go func() {
		defer s.sessionWatch.remove(w)
		t := time.NewTicker(every)
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
