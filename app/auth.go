package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/stillroom/stillroom/core"
)

// Password rules: bcrypt reads at most 72 bytes, so longer passwords are
// refused rather than silently truncated.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 72
	bcryptCost     = 11
)

// MaxEmailLen is the longest email address an account may have (RFC 5321's
// path limit). Longer ones are refused at creation and answered at sign-in
// as a wrong email, before anything about them is kept.
const MaxEmailLen = 254

// Login checks email and password and starts a session. It returns the
// bearer token (shown once; only its hash is stored). UNAUTHENTICATED for a
// wrong email or password, without saying which; BAD_USER_INPUT for a
// password longer than bcrypt reads (MaxPasswordLen bytes), refused as at
// creation rather than truncated; RATE_LIMITED when the attempt is over a
// limit (see LoginFailuresPerAccountAddress), reserved before the password
// is checked.
func (s *Service) Login(ctx context.Context, email, password string) (string, *core.User, time.Time, error) {
	email = normalizeEmail(email)
	if len(password) > MaxPasswordLen {
		return "", nil, time.Time{}, core.Errorf(core.CodeBadUserInput, "a password is at most %d bytes", MaxPasswordLen)
	}
	if len(email) > MaxEmailLen {
		// No such account can exist; the limiter keeps nothing for it.
		return "", nil, time.Time{}, core.Errorf(core.CodeUnauthenticated, "invalid email or password")
	}
	attempt, wait := s.signIns.reserve(email, clientAddr(ctx), s.now())
	if attempt == nil {
		return "", nil, time.Time{}, rateLimited(wait)
	}
	u, err := s.checkPassword(ctx, email, password)
	attempt.end(core.IsCode(err, core.CodeUnauthenticated), s.now())
	if err != nil {
		return "", nil, time.Time{}, err
	}
	now := s.now()
	token, hash := newToken()
	sess := &core.Session{TokenHash: hash, UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}
	if err := s.startSession(ctx, sess, u.PasswordHash); err != nil {
		return "", nil, time.Time{}, err
	}
	NoteSignedIn(ctx, u.ID)
	return token, u, sess.ExpiresAt, nil
}

// startSession stores sess for an account whose password hash was
// passwordHash when it was checked, then reads the account again: a
// password change (a reset, `stillroom user set-password`, another
// changePassword) or a disable ends every session of the account, and one
// made between that check and this insert would escape it. Whichever
// comes first, the session does not survive: the change deletes it, or
// this read sees the change and deletes it. UNAUTHENTICATED then.
func (s *Service) startSession(ctx context.Context, sess *core.Session, passwordHash string) error {
	if err := s.store.InsertSession(ctx, sess); err != nil {
		return err
	}
	u, err := s.store.UserByID(ctx, sess.UserID)
	switch {
	case err == nil && u.PasswordHash == passwordHash && !u.Disabled:
		return nil
	case err == nil && u.Disabled:
		err = core.Errorf(core.CodeUnauthenticated, "this account has been disabled")
	case err == nil || core.IsCode(err, core.CodeNotFound):
		err = core.Errorf(core.CodeUnauthenticated, "the password was changed meanwhile; sign in with the new one")
	}
	if derr := s.store.DeleteSession(ctx, sess.TokenHash); derr != nil {
		return derr
	}
	return err
}

func rateLimited(wait time.Duration) error {
	if wait < time.Minute {
		return core.Errorf(core.CodeRateLimited, "too many sign-in attempts; try again in %d seconds", int(wait.Seconds())+1)
	}
	return core.Errorf(core.CodeRateLimited, "too many failed sign-ins; try again in %d minutes", int(wait.Minutes())+1)
}

// checkPassword returns the user when the password is theirs, else
// UNAUTHENTICATED without saying whether the email exists.
func (s *Service) checkPassword(ctx context.Context, email, password string) (*core.User, error) {
	u, err := s.store.UserByEmail(ctx, email)
	if core.IsCode(err, core.CodeNotFound) {
		// Spend the same time as a real check so timing does not reveal
		// which emails exist.
		_ = s.comparePassword(ctx, dummyHash, password)
		return nil, core.Errorf(core.CodeUnauthenticated, "invalid email or password")
	}
	if err != nil {
		return nil, err
	}
	if s.comparePassword(ctx, []byte(u.PasswordHash), password) != nil {
		return nil, core.Errorf(core.CodeUnauthenticated, "invalid email or password")
	}
	if u.Disabled {
		// Said only to whoever knows the password.
		return nil, core.Errorf(core.CodeUnauthenticated, "this account has been disabled")
	}
	return u, nil
}

var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("stillroom-timing-equaliser"), bcryptCost)

// comparePassword runs bcrypt (about 100 ms of CPU) outside the caller's
// execution slot (so reads are not queued behind sign-ins) but at most
// one per core at a time (hashSlots).
func (s *Service) comparePassword(ctx context.Context, hash []byte, password string) error {
	release, err := s.hashSlot(ctx)
	if err != nil {
		return err
	}
	defer release()
	return bcrypt.CompareHashAndPassword(hash, []byte(password))
}

// hashPassword is bcrypt's hash, run as comparePassword runs.
func (s *Service) hashPassword(ctx context.Context, password string) ([]byte, error) {
	release, err := s.hashSlot(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
}

func (s *Service) hashSlot(ctx context.Context) (func(), error) {
	yieldSlot(ctx)
	select {
	case s.hashSlots <- struct{}{}:
		return func() { <-s.hashSlots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Logout ends the caller's session. UNAUTHENTICATED when not signed in.
func (s *Service) Logout(ctx context.Context) error {
	if _, err := require(ctx, core.RolePhotographer); err != nil {
		return err
	}
	hash := tokenHashFrom(ctx)
	err := s.store.DeleteSession(ctx, hash)
	s.sessionWatch.end(func(w *sessionWatcher) bool { return w.hash == hash })
	return err
}

// Authenticate resolves a bearer token to its user. UNAUTHENTICATED when
// the token is unknown, expired or revoked.
func (s *Service) Authenticate(ctx context.Context, token string) (*core.User, string, error) {
	return s.authenticateHash(ctx, hashToken(token))
}

// authenticateHash is Authenticate for a token's hash. A disabled user's
// session is refused too.
func (s *Service) authenticateHash(ctx context.Context, hash string) (*core.User, string, error) {
	sess, err := s.store.SessionByTokenHash(ctx, hash)
	if core.IsCode(err, core.CodeNotFound) {
		return nil, "", core.Errorf(core.CodeUnauthenticated, "invalid or expired token")
	}
	if err != nil {
		return nil, "", err
	}
	if !s.now().Before(sess.ExpiresAt) {
		_ = s.store.DeleteSession(ctx, hash)
		return nil, "", core.Errorf(core.CodeUnauthenticated, "invalid or expired token")
	}
	u, err := s.store.UserByID(ctx, sess.UserID)
	if core.IsCode(err, core.CodeNotFound) {
		return nil, "", core.Errorf(core.CodeUnauthenticated, "invalid or expired token")
	}
	if err == nil && u.Disabled {
		return nil, "", core.Errorf(core.CodeUnauthenticated, "this account has been disabled")
	}
	return u, hash, err
}

// NewUser is what CreateUser needs.
type NewUser struct {
	Email    string
	Name     string
	Password string
	Role     core.Role
}

// CreateUser adds an account. ADMIN only; BAD_USER_INPUT for an invalid
// email, name, password or role; CONFLICT when the email is registered.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (*core.User, error) {
	if _, err := require(ctx, core.RoleAdmin); err != nil {
		return nil, err
	}
	return s.createUser(ctx, in)
}

func (s *Service) createUser(ctx context.Context, in NewUser) (*core.User, error) {
	email := normalizeEmail(in.Email)
	if len(email) > MaxEmailLen {
		return nil, core.Errorf(core.CodeBadUserInput, "an email address is at most %d bytes", MaxEmailLen)
	}
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email {
		return nil, core.Errorf(core.CodeBadUserInput, "invalid email address %q", in.Email)
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 200 {
		return nil, core.Errorf(core.CodeBadUserInput, "name must be 1 to 200 characters")
	}
	if err := checkNewPassword(in.Password, email); err != nil {
		return nil, err
	}
	if !in.Role.Valid() {
		return nil, core.Errorf(core.CodeBadUserInput, "unknown role %q", in.Role)
	}
	hash, err := s.hashPassword(ctx, in.Password)
	if err != nil {
		return nil, core.WrapError(core.CodeBadUserInput, err, "unusable password")
	}
	now := s.now()
	u := &core.User{ID: core.NewID(), Email: email, Name: name, Role: in.Role,
		PasswordHash: string(hash), CreatedAt: now, UpdatedAt: now}
	if err := s.store.InsertUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// BootstrapResult says what Bootstrap did, for the start-up log.
type BootstrapResult struct {
	Created           bool
	Email             string
	GeneratedPassword string // set only when a password was generated
}

// Bootstrap makes sure there is a way in. With email and password set and
// no such user, that ADMIN is created. With neither and no users at all, an
// admin with a random password is created and the password returned, to be
// logged once. Otherwise nothing changes.
func (s *Service) Bootstrap(ctx context.Context, email, password string) (BootstrapResult, error) {
	if email != "" || password != "" {
		if email == "" || password == "" {
			return BootstrapResult{}, core.Errorf(core.CodeBadUserInput, "set both the admin email and the admin password")
		}
		_, err := s.store.UserByEmail(ctx, normalizeEmail(email))
		if err == nil {
			return BootstrapResult{Email: normalizeEmail(email)}, nil
		}
		if !core.IsCode(err, core.CodeNotFound) {
			return BootstrapResult{}, err
		}
		return s.bootstrapAdmin(ctx, email, password, false)
	}
	n, err := s.store.CountUsers(ctx)
	if err != nil || n > 0 {
		return BootstrapResult{}, err
	}
	return s.bootstrapAdmin(ctx, "admin@stillroom.local", randomString(18), true)
}

// bootstrapAdmin creates Bootstrap's admin. Another process starting on
// the same database at the same moment (two replicas on a fresh MongoDB)
// may create it first: the email's CONFLICT then means the way in exists,
// and this process goes on without creating anything (and without a
// password to log, which only the creator knows).
func (s *Service) bootstrapAdmin(ctx context.Context, email, password string, generated bool) (BootstrapResult, error) {
	u, err := s.createUser(ctx, NewUser{Email: email, Name: "Administrator", Password: password, Role: core.RoleAdmin})
	if core.IsCode(err, core.CodeConflict) {
		if other, rerr := s.store.UserByEmail(ctx, normalizeEmail(email)); rerr == nil {
			return BootstrapResult{Email: other.Email}, nil
		}
	}
	if err != nil {
		return BootstrapResult{}, err
	}
	res := BootstrapResult{Created: true, Email: u.Email}
	if generated {
		res.GeneratedPassword = password
	}
	return res, nil
}

func normalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func newToken() (token, hash string) {
	token = randomString(32)
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
