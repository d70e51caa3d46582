package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/stillroom/stillroom/core"
)

// ticketDoc is a core.UploadTicket as stored in the uploads collection.
type ticketDoc struct {
	ID          string     `bson:"_id"`
	Key         string     `bson:"key"`
	UserID      string     `bson:"userId"`
	Filename    string     `bson:"filename"`
	ContentType string     `bson:"contentType"`
	ByteSize    int64      `bson:"byteSize"`
	MaxBytes    int64      `bson:"maxBytes"`
	ExpiresAt   time.Time  `bson:"expiresAt"`
	UsedAt      *time.Time `bson:"usedAt"`
	CreatedAt   time.Time  `bson:"createdAt"`
}

// InsertTicket stores t; CONFLICT if its ID exists.
func (db *DB) InsertTicket(ctx context.Context, t *core.UploadTicket) error {
	d := ticketDoc{ID: t.ID, Key: t.Key, UserID: t.UserID, Filename: t.Filename, ContentType: t.ContentType,
		ByteSize: t.ByteSize, MaxBytes: t.MaxBytes, ExpiresAt: storedTime(t.ExpiresAt),
		UsedAt: storedTimePtr(t.UsedAt), CreatedAt: storedTime(t.CreatedAt)}
	_, err := db.uploads.InsertOne(ctx, d)
	return translate(err, "insert", "upload ticket "+t.ID, "upload ticket exists")
}

// TicketByID returns the ticket; NOT_FOUND when there is none.
func (db *DB) TicketByID(ctx context.Context, id string) (*core.UploadTicket, error) {
	var d ticketDoc
	if err := db.uploads.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, translate(err, "find", "upload ticket "+id, "")
	}
	return &core.UploadTicket{ID: d.ID, Key: d.Key, UserID: d.UserID, Filename: d.Filename,
		ContentType: d.ContentType, ByteSize: d.ByteSize, MaxBytes: d.MaxBytes, ExpiresAt: d.ExpiresAt,
		UsedAt: d.UsedAt, CreatedAt: d.CreatedAt}, nil
}

// UseTicket marks an unused ticket used: CONFLICT when it was used
// already, NOT_FOUND when there is none.
func (db *DB) UseTicket(ctx context.Context, id string, now time.Time) error {
	res, err := db.uploads.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "usedAt", Value: nil}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "usedAt", Value: storedTime(now)}}}})
	if err != nil {
		return translate(err, "use", "upload ticket "+id, "")
	}
	if res.MatchedCount == 1 {
		return nil
	}
	if _, err := db.TicketByID(ctx, id); err != nil {
		return err
	}
	return core.Errorf(core.CodeConflict, "upload ticket %s was used already", id)
}

// DeleteTicketsExpiredBefore removes tickets that expired before t.
func (db *DB) DeleteTicketsExpiredBefore(ctx context.Context, t time.Time) (int64, error) {
	res, err := db.uploads.DeleteMany(ctx, bson.D{{Key: "expiresAt", Value: bson.D{{Key: "$lt", Value: t}}}})
	if err != nil {
		return 0, translate(err, "delete", "expired upload tickets", "")
	}
	return res.DeletedCount, nil
}

// settingDoc is one named value in the settings collection.
type settingDoc struct {
	Name  string `bson:"_id"`
	Value string `bson:"value"`
}

// SettingOrInit returns the value stored under name, storing init first
// when there is none; the first value stored wins.
func (db *DB) SettingOrInit(ctx context.Context, name, init string) (string, error) {
	var d settingDoc
	err := db.settings.FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&d)
	if err == nil {
		return d.Value, nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return "", translate(err, "find", "setting "+name, "")
	}
	if _, err := db.settings.InsertOne(ctx, settingDoc{Name: name, Value: init}); err != nil && !mongo.IsDuplicateKeyError(err) {
		return "", translate(err, "insert", "setting "+name, "")
	}
	if err := db.settings.FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&d); err != nil {
		return "", translate(err, "find", "setting "+name, "")
	}
	return d.Value, nil
}
