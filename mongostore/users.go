package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/stillroom/stillroom/core"
)

// userDoc is a core.User as stored in the users collection.
type userDoc struct {
	ID           string    `bson:"_id"`
	Email        string    `bson:"email"`
	Name         string    `bson:"name"`
	Role         string    `bson:"role"`
	PasswordHash string    `bson:"passwordHash"`
	Disabled     bool      `bson:"disabled,omitempty"`
	Version      int       `bson:"version"` // 0 when stored before users had versions
	CreatedAt    time.Time `bson:"createdAt"`
	UpdatedAt    time.Time `bson:"updatedAt"`
}

func toUserDoc(u *core.User) *userDoc {
	return &userDoc{
		ID:           u.ID,
		Email:        u.Email,
		Name:         u.Name,
		Role:         string(u.Role),
		PasswordHash: u.PasswordHash,
		Disabled:     u.Disabled,
		Version:      u.Version,
		CreatedAt:    storedTime(u.CreatedAt),
		UpdatedAt:    storedTime(u.UpdatedAt),
	}
}

func (d *userDoc) toCore() *core.User {
	return &core.User{
		ID:           d.ID,
		Email:        d.Email,
		Name:         d.Name,
		Role:         core.Role(d.Role),
		PasswordHash: d.PasswordHash,
		Disabled:     d.Disabled,
		Version:      d.Version,
		CreatedAt:    d.CreatedAt,
		UpdatedAt:    d.UpdatedAt,
	}
}

const conflictEmail = "email already registered"

// InsertUser stores u. CONFLICT when the email is taken.
func (db *DB) InsertUser(ctx context.Context, u *core.User) error {
	_, err := db.users.InsertOne(ctx, toUserDoc(u))
	return translate(err, "insert", "user "+u.ID, conflictEmail)
}

// UserByID returns the user with id; NOT_FOUND when there is none.
func (db *DB) UserByID(ctx context.Context, id string) (*core.User, error) {
	return db.findUser(ctx, bson.D{{Key: "_id", Value: id}}, "user "+id)
}

// UserByEmail returns the user with the (lower-cased) email; NOT_FOUND when
// there is none.
func (db *DB) UserByEmail(ctx context.Context, email string) (*core.User, error) {
	return db.findUser(ctx, bson.D{{Key: "email", Value: email}}, "user "+email)
}

func (db *DB) findUser(ctx context.Context, filter bson.D, what string) (*core.User, error) {
	var d userDoc
	if err := db.users.FindOne(ctx, filter).Decode(&d); err != nil {
		return nil, translate(err, "find", what, "")
	}
	return d.toCore(), nil
}

// UsersByIDs returns the users that exist among ids, in any order.
func (db *DB) UsersByIDs(ctx context.Context, ids []string) ([]*core.User, error) {
	docs, err := findByIDs[userDoc](ctx, db, db.users, ids)
	if err != nil {
		return nil, translate(err, "find", "users by id", "")
	}
	out := make([]*core.User, len(docs))
	for i := range docs {
		out[i] = docs[i].toCore()
	}
	return out, nil
}

// CountUsers returns how many users there are.
func (db *DB) CountUsers(ctx context.Context) (int64, error) {
	n, err := db.users.CountDocuments(ctx, bson.D{})
	return n, translate(err, "count", "users", "")
}

// ListUsers returns every user, by email.
func (db *DB) ListUsers(ctx context.Context) ([]*core.User, error) {
	cur, err := db.users.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "email", Value: 1}}))
	if err != nil {
		return nil, translate(err, "find", "users", "")
	}
	var docs []userDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate(err, "find", "users", "")
	}
	out := make([]*core.User, len(docs))
	for i := range docs {
		out[i] = docs[i].toCore()
	}
	return out, nil
}

// UpdateUser replaces the stored user u.ID if its version is still
// u.Version, then increments u.Version: one single-document conditional
// replace. A user stored before users had versions has no version field
// and counts as version 0 (null matches a missing field). NOT_FOUND when
// there is none, CONFLICT when stale or the email belongs to another user.
func (db *DB) UpdateUser(ctx context.Context, u *core.User) error {
	d := toUserDoc(u)
	d.Version++
	var version any = u.Version
	if u.Version == 0 {
		version = bson.D{{Key: "$in", Value: bson.A{0, nil}}}
	}
	res, err := db.users.ReplaceOne(ctx, bson.D{{Key: "_id", Value: u.ID}, {Key: "version", Value: version}}, d)
	if err != nil {
		return translate(err, "update", "user "+u.ID, conflictEmail)
	}
	if res.MatchedCount == 0 {
		// Stale or gone; only a failed write pays for this look-up.
		n, err := db.users.CountDocuments(ctx, eq("_id", u.ID), options.Count().SetLimit(1))
		if err != nil {
			return translate(err, "update", "user "+u.ID, "")
		}
		if n == 0 {
			return core.Errorf(core.CodeNotFound, "user %s not found", u.ID)
		}
		return core.Errorf(core.CodeConflict, "user %s was changed by someone else: version %d is stale", u.ID, u.Version)
	}
	u.Version++
	return nil
}
