package mongostore

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/stillroom/stillroom/core"
)

// CopyCounts says how many records CopyTo copied, by collection.
type CopyCounts map[string]int64

// CopyTo writes every record of this database into dst, which should be
// empty, through dst's insert methods: users, sessions, assets, galleries,
// articles, jobs (with their attempts and leases), upload tickets and
// settings, each with its ID and version. It is how an embedded data
// folder of FerretDB moves to SQLite (internal/tools/migrateembedded).
func (db *DB) CopyTo(ctx context.Context, dst core.Store) (CopyCounts, error) {
	counts := CopyCounts{}
	var err error
	step := func(name string, fn func() (int64, error)) {
		if err != nil {
			return
		}
		var n int64
		n, err = fn()
		counts[name] = n
		if err != nil {
			err = fmt.Errorf("mongostore: copy %s: %w", name, err)
		}
	}
	step(collUsers, func() (int64, error) {
		return copyColl(ctx, db.users, func(d *userDoc) error { return dst.InsertUser(ctx, d.toCore()) })
	})
	step(collSessions, func() (int64, error) {
		return copyColl(ctx, db.sessions, func(d *sessionDoc) error { return dst.InsertSession(ctx, d.toCore()) })
	})
	step(collAssets, func() (int64, error) {
		return copyColl(ctx, db.assets, func(d *assetDoc) error { return dst.InsertAsset(ctx, d.toCore()) })
	})
	step(collGalleries, func() (int64, error) {
		return copyColl(ctx, db.galleries, func(d *galleryDoc) error { return dst.InsertGallery(ctx, d.toCore()) })
	})
	step(collArticles, func() (int64, error) {
		return copyColl(ctx, db.articles, func(d *articleDoc) error { return dst.InsertArticle(ctx, d.toCore()) })
	})
	step(collJobs, func() (int64, error) {
		return copyColl(ctx, db.jobs, func(d *jobDoc) error { return dst.EnqueueJob(ctx, d.toCore()) })
	})
	step(collUploads, func() (int64, error) {
		return copyColl(ctx, db.uploads, func(d *ticketDoc) error {
			return dst.InsertTicket(ctx, &core.UploadTicket{ID: d.ID, Key: d.Key, UserID: d.UserID, Filename: d.Filename,
				ContentType: d.ContentType, ByteSize: d.ByteSize, MaxBytes: d.MaxBytes, ExpiresAt: d.ExpiresAt,
				UsedAt: d.UsedAt, CreatedAt: d.CreatedAt})
		})
	})
	step(collSettings, func() (int64, error) {
		return copyColl(ctx, db.settings, func(d *settingDoc) error {
			v, err := dst.SettingOrInit(ctx, d.Name, d.Value)
			if err == nil && v != d.Value {
				err = fmt.Errorf("setting %s exists in the destination with another value", d.Name)
			}
			return err
		})
	})
	return counts, err
}

// copyColl decodes every document of coll, in _id order, and passes it to
// put.
func copyColl[D any](ctx context.Context, coll *mongo.Collection, put func(*D) error) (int64, error) {
	cur, err := coll.Find(ctx, bson.D{})
	if err != nil {
		return 0, err
	}
	defer cur.Close(ctx)
	var n int64
	for cur.Next(ctx) {
		var d D
		if err := cur.Decode(&d); err != nil {
			return n, err
		}
		if err := put(&d); err != nil {
			return n, err
		}
		n++
	}
	return n, cur.Err()
}
