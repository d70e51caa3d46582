package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/stillroom/stillroom/core"
)

const conflictEmail = "email already registered"

func storedUser(u *core.User) *core.User {
	c := *u
	c.CreatedAt, c.UpdatedAt = storedTime(c.CreatedAt), storedTime(c.UpdatedAt)
	return &c
}

// InsertUser stores u. CONFLICT when the email is taken.
func (db *DB) InsertUser(ctx context.Context, u *core.User) error {
	_, err := db.exec(ctx, "INSERT INTO users (id, email, doc) VALUES (?, ?, ?)", u.ID, u.Email, string(encode(storedUser(u))))
	return translate(err, "insert", "user "+u.ID, conflictEmail)
}

// UserByID returns the user with id; NOT_FOUND when there is none.
func (db *DB) UserByID(ctx context.Context, id string) (*core.User, error) {
	return docByKey[core.User](ctx, db, "users", "id", id, "user "+id)
}

// UserByEmail returns the user with the (lower-cased) email; NOT_FOUND when
// there is none.
func (db *DB) UserByEmail(ctx context.Context, email string) (*core.User, error) {
	return docByKey[core.User](ctx, db, "users", "email", email, "user "+email)
}

// UsersByIDs returns the users that exist among ids, in any order.
func (db *DB) UsersByIDs(ctx context.Context, ids []string) ([]*core.User, error) {
	return docsByIDs[core.User](ctx, db, "users", ids, "users by id")
}

// CountUsers returns how many users there are.
func (db *DB) CountUsers(ctx context.Context) (int64, error) {
	return db.count(ctx, "users", "")
}

// ListUsers returns every user, by email.
func (db *DB) ListUsers(ctx context.Context) ([]*core.User, error) {
	users, err := queryDocs[core.User](ctx, db, "users", " ORDER BY email")
	return users, translate(err, "find", "users", "")
}

// UpdateUser replaces the stored user u.ID if its version is still
// u.Version (a document without one is at 0), then increments u.Version:
// one statement, atomic across processes. NOT_FOUND when there is none,
// CONFLICT when stale or the email belongs to another user.
func (db *DB) UpdateUser(ctx context.Context, u *core.User) error {
	next := storedUser(u)
	next.Version++
	n, err := db.exec(ctx, "UPDATE users SET email = ?, doc = ? WHERE id = ? AND coalesce(json_extract(doc, '$.Version'), 0) = ?",
		u.Email, string(encode(next)), u.ID, u.Version)
	if err != nil {
		return translate(err, "update", "user "+u.ID, conflictEmail)
	}
	if n == 0 {
		// Stale or gone; only a failed write pays for this look-up.
		if exists, err := db.count(ctx, "users", "id = ?", u.ID); err != nil || exists == 0 {
			if err != nil {
				return err
			}
			return core.Errorf(core.CodeNotFound, "user %s not found", u.ID)
		}
		return core.Errorf(core.CodeConflict, "user %s was changed by someone else: version %d is stale", u.ID, u.Version)
	}
	u.Version++
	return nil
}

// count returns the number of rows of table matching cond ("" = all).
func (db *DB) count(ctx context.Context, table, cond string, args ...any) (int64, error) {
	q := "SELECT count(*) FROM " + table
	if cond != "" {
		q += " WHERE " + cond
	}
	var n int64
	err := db.queryRow(ctx, q, args...).Scan(&n)
	return n, translate(err, "count", table, "")
}

// Session errors never name the token hash: it is a credential.

// InsertSession stores s. CONFLICT if a session with the same token hash
// exists (which means the token was not random).
func (db *DB) InsertSession(ctx context.Context, s *core.Session) error {
	_, err := db.exec(ctx, "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
		s.TokenHash, s.UserID, ms(s.CreatedAt), ms(s.ExpiresAt))
	return translate(err, "insert", "session", "session already exists")
}

// SessionByTokenHash returns the session with the token hash, expired or
// not; NOT_FOUND when there is none.
func (db *DB) SessionByTokenHash(ctx context.Context, hash string) (*core.Session, error) {
	s := core.Session{TokenHash: hash}
	var created, expires int64
	err := db.queryRow(ctx, "SELECT user_id, created_at, expires_at FROM sessions WHERE token_hash = ?", hash).
		Scan(&s.UserID, &created, &expires)
	if err != nil {
		return nil, translate(err, "find", "session", "")
	}
	s.CreatedAt, s.ExpiresAt = fromMS(created), fromMS(expires)
	return &s, nil
}

// DeleteSession removes the session with the token hash. Removing a session
// that does not exist is not an error, so signing out twice is harmless.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	_, err := db.exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", hash)
	return translate(err, "delete", "session", "")
}

// DeleteExpiredSessions removes sessions that expired at or before now and
// returns how many it removed.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	n, err := db.exec(ctx, "DELETE FROM sessions WHERE expires_at <= ?", ms(now))
	return n, translate(err, "delete", "expired sessions", "")
}

// DeleteUserSessions ends every session of the user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID string) (int64, error) {
	n, err := db.exec(ctx, "DELETE FROM sessions WHERE user_id = ?", userID)
	return n, translate(err, "delete", "sessions of user "+userID, "")
}

// InsertTicket stores t; CONFLICT if its ID exists.
func (db *DB) InsertTicket(ctx context.Context, t *core.UploadTicket) error {
	_, err := db.exec(ctx, `INSERT INTO uploads (id, key, user_id, filename, content_type, byte_size, max_bytes, expires_at, used_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.Key, t.UserID, t.Filename, t.ContentType, t.ByteSize, t.MaxBytes, ms(t.ExpiresAt), msPtr(t.UsedAt), ms(t.CreatedAt))
	return translate(err, "insert", "upload ticket "+t.ID, "upload ticket exists")
}

// TicketByID returns the ticket; NOT_FOUND when there is none.
func (db *DB) TicketByID(ctx context.Context, id string) (*core.UploadTicket, error) {
	t := core.UploadTicket{ID: id}
	var expires, created int64
	var used sql.NullInt64
	err := db.queryRow(ctx, `SELECT key, user_id, filename, content_type, byte_size, max_bytes, expires_at, used_at, created_at
		FROM uploads WHERE id = ?`, id).
		Scan(&t.Key, &t.UserID, &t.Filename, &t.ContentType, &t.ByteSize, &t.MaxBytes, &expires, &used, &created)
	if err != nil {
		return nil, translate(err, "find", "upload ticket "+id, "")
	}
	t.ExpiresAt, t.CreatedAt = fromMS(expires), fromMS(created)
	if used.Valid {
		u := fromMS(used.Int64)
		t.UsedAt = &u
	}
	return &t, nil
}

// UseTicket marks an unused ticket used, in one statement: CONFLICT when
// it was used already, NOT_FOUND when there is none.
func (db *DB) UseTicket(ctx context.Context, id string, now time.Time) error {
	n, err := db.exec(ctx, "UPDATE uploads SET used_at = ? WHERE id = ? AND used_at IS NULL", ms(now), id)
	if err != nil {
		return translate(err, "use", "upload ticket "+id, "")
	}
	if n == 1 {
		return nil
	}
	if _, err := db.TicketByID(ctx, id); err != nil {
		return err
	}
	return core.Errorf(core.CodeConflict, "upload ticket %s was used already", id)
}

// DeleteTicketsExpiredBefore removes tickets that expired before t.
func (db *DB) DeleteTicketsExpiredBefore(ctx context.Context, t time.Time) (int64, error) {
	n, err := db.exec(ctx, "DELETE FROM uploads WHERE expires_at < ?", ms(t))
	return n, translate(err, "delete", "expired upload tickets", "")
}

// SettingOrInit returns the value stored under name, storing init first
// when there is none; the first value stored wins.
func (db *DB) SettingOrInit(ctx context.Context, name, init string) (string, error) {
	var v string
	err := db.queryRow(ctx, "SELECT value FROM settings WHERE name = ?", name).Scan(&v)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", translate(err, "find", "setting "+name, "")
	}
	if _, err := db.exec(ctx, "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING", name, init); err != nil {
		return "", translate(err, "insert", "setting "+name, "")
	}
	err = db.queryRow(ctx, "SELECT value FROM settings WHERE name = ?", name).Scan(&v)
	return v, translate(err, "find", "setting "+name, "")
}
