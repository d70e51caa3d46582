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
	m := db.mem[coll.Name()]
	doc, err := db.forMemory(m, doc)
	if err != nil {
		return translate(err, "update", what, conflict)
	}
	unlock := db.exclusive()
	res, err := coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: version}}, doc)
	if err == nil && res.MatchedCount == 1 {
		m.written(coll, id, doc, nil)
	} else if err != nil {
		m.written(coll, id, nil, err)
	}
	unlock()
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
// It is exclusive with replaceVersioned, which on FerretDB would otherwise
// report success for a document deleted under it.
func (db *DB) deleteByID(ctx context.Context, coll *mongo.Collection, id, what string) error {
	m := db.mem[coll.Name()]
	unlock := db.exclusive()
	res, err := coll.DeleteOne(ctx, eq("_id", id))
	if err != nil || res.DeletedCount == 1 {
		m.written(coll, id, nil, err)
	}
	unlock()
	if err != nil {
		return translate(err, "delete", what, "")
	}
	if res.DeletedCount == 0 {
		return core.Errorf(core.CodeNotFound, "%s not found", what)
	}
	return nil
}

// insertDoc inserts doc, whose _id is id, into coll (and its in-memory
// copy). It returns the driver's error.
func (db *DB) insertDoc(ctx context.Context, coll *mongo.Collection, id string, doc any) error {
	m := db.mem[coll.Name()]
	doc, err := db.forMemory(m, doc)
	if err != nil {
		return err
	}
	unlock := db.exclusive()
	defer unlock()
	_, err = coll.InsertOne(ctx, doc)
	m.written(coll, id, doc, err)
	return err
}

// forMemory returns doc as BSON bytes when coll has an in-memory copy m
// (the same bytes then go to the database and to memory), else doc itself.
func (db *DB) forMemory(m *memColl, doc any) (any, error) {
	if m == nil {
		return doc, nil
	}
	b, err := bson.Marshal(doc)
	return bson.Raw(b), err
}

// written brings the in-memory copy in line with a write of document id:
// doc is what the database now holds (nil: the document was deleted) when
// err is nil. A duplicate key changed nothing; any other error leaves the
// outcome unknown, so the document is read back. Called under exclusive.
func (m *memColl) written(coll *mongo.Collection, id string, doc any, err error) {
	switch {
	case m == nil:
	case err == nil && doc == nil:
		m.remove(id)
	case err == nil:
		m.put(id, doc.(bson.Raw))
	case !isDuplicateKey(err):
		m.resync(coll, id)
	}
}
