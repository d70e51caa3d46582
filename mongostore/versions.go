package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/stillroom/stillroom/core"
)

// replaceVersioned replaces the document id of coll with doc, which carries
// version+1, if the stored version is still version: optimistic locking
// for assets, galleries and articles. what names the document in errors
// ("gallery 123"); conflict is the message for a unique index violation.
// It returns CONFLICT when the stored version differs and NOT_FOUND when
// the document is gone.
func (db *DB) replaceVersioned(ctx context.Context, coll *mongo.Collection, id string, version int, doc any, what, conflict string) error {
	res, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: version}}, doc)
	if err != nil {
		return translate(err, "update", what, conflict)
	}
	if res.MatchedCount == 1 {
		return nil
	}
	// Nothing matched: stale or gone. Only failures pay for this look-up.
	n, err := coll.CountDocuments(ctx, eq("_id", id), options.Count().SetLimit(1))
	if err != nil {
		return translate(err, "update", what, conflict)
	}
	if n == 0 {
		return core.Errorf(core.CodeNotFound, "%s not found", what)
	}
	return core.Errorf(core.CodeConflict, "%s was changed by someone else: version %d is stale", what, version)
}

// deleteByID removes the document id of coll; NOT_FOUND when there is none.
func (db *DB) deleteByID(ctx context.Context, coll *mongo.Collection, id, what string) error {
	res, err := coll.DeleteOne(ctx, eq("_id", id))
	if err != nil {
		return translate(err, "delete", what, "")
	}
	if res.DeletedCount == 0 {
		return core.Errorf(core.CodeNotFound, "%s not found", what)
	}
	return nil
}

// insertDoc inserts doc into coll and returns the driver's error.
func (db *DB) insertDoc(ctx context.Context, coll *mongo.Collection, doc any) error {
	_, err := coll.InsertOne(ctx, doc)
	return err
}
