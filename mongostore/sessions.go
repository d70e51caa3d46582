package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/stillroom/stillroom/core"
)

// sessionDoc is a core.Session as stored in the sessions collection. The
// token hash is unique by construction, so it is the _id.
type sessionDoc struct {
	TokenHash string    `bson:"_id"`
	UserID    string    `bson:"userId"`
	CreatedAt time.Time `bson:"createdAt"`
	ExpiresAt time.Time `bson:"expiresAt"`
}

func toSessionDoc(s *core.Session) *sessionDoc {
	return &sessionDoc{
		TokenHash: s.TokenHash,
		UserID:    s.UserID,
		CreatedAt: storedTime(s.CreatedAt),
		ExpiresAt: storedTime(s.ExpiresAt),
	}
}

func (d *sessionDoc) toCore() *core.Session {
	return &core.Session{
		TokenHash: d.TokenHash,
		UserID:    d.UserID,
		CreatedAt: d.CreatedAt,
		ExpiresAt: d.ExpiresAt,
	}
}

// Session errors never name the token hash: it is a credential.

// InsertSession stores s. CONFLICT if a session with the same token hash
// exists (which means the token was not random).
func (db *DB) InsertSession(ctx context.Context, s *core.Session) error {
	_, err := db.sessions.InsertOne(ctx, toSessionDoc(s))
	return translate(err, "insert", "session", "session already exists")
}

// SessionByTokenHash returns the session with the token hash, expired or
// not; NOT_FOUND when there is none.
func (db *DB) SessionByTokenHash(ctx context.Context, hash string) (*core.Session, error) {
	var d sessionDoc
	if err := db.sessions.FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&d); err != nil {
		return nil, translate(err, "find", "session", "")
	}
	return d.toCore(), nil
}

// DeleteSession removes the session with the token hash. Removing a session
// that does not exist is not an error, so signing out twice is harmless.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	_, err := db.sessions.DeleteOne(ctx, bson.D{{Key: "_id", Value: hash}})
	return translate(err, "delete", "session", "")
}

// DeleteExpiredSessions removes sessions that expired at or before now and
// returns how many it removed.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.sessions.DeleteMany(ctx, bson.D{{Key: "expiresAt", Value: bson.D{{Key: "$lte", Value: now}}}})
	if err != nil {
		return 0, translate(err, "delete", "expired sessions", "")
	}
	return res.DeletedCount, nil
}

// DeleteUserSessions ends every session of the user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID string) (int64, error) {
	res, err := db.sessions.DeleteMany(ctx, bson.D{{Key: "userId", Value: userID}})
	if err != nil {
		return 0, translate(err, "delete", "sessions of user "+userID, "")
	}
	return res.DeletedCount, nil
}
