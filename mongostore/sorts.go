package mongostore

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/core/sortkey"
)

// sortDoc holds a document's sort keys (see package core/sortkey), written
// with it on every insert and replace, each field indexed: sort.title on
// articles and galleries, the others on assets. MongoDB's collation would
// order text, but FerretDB has none, and a stored key also makes the keyset
// cursor one comparison on one field.
type sortDoc struct {
	Title        string `bson:"title,omitempty"`
	Filename     string `bson:"filename,omitempty"`
	TakenAsc     string `bson:"takenAsc,omitempty"`
	TakenDesc    string `bson:"takenDesc,omitempty"`
	TimecodeAsc  string `bson:"timecodeAsc,omitempty"`
	TimecodeDesc string `bson:"timecodeDesc,omitempty"`
}

func assetSortDoc(a *core.Asset) *sortDoc {
	return &sortDoc{
		Filename:     sortkey.Asset(a, core.SortFilename, false),
		TakenAsc:     sortkey.Asset(a, core.SortTakenAt, false),
		TakenDesc:    sortkey.Asset(a, core.SortTakenAt, true),
		TimecodeAsc:  sortkey.Asset(a, core.SortTimecode, false),
		TimecodeDesc: sortkey.Asset(a, core.SortTimecode, true),
	}
}

// sortIndexes are the indexes of the sort keys of coll's documents.
func sortIndexes(coll string) []indexSpec {
	if coll == collAssets {
		return []indexSpec{
			index(false, "sort.filename"), index(false, "sort.takenAsc"), index(false, "sort.takenDesc"),
			index(false, "sort.timecodeAsc"), index(false, "sort.timecodeDesc"),
		}
	}
	return []indexSpec{index(false, "sort.title")}
}

// sortField is the field holding the key of the order by, desc of the
// list coll; BAD_USER_INPUT for an order coll lacks.
func sortField(coll string, by core.SortBy, desc bool) (string, error) {
	if err := sortkey.Check(coll, by); err != nil {
		return "", err
	}
	dir := "Asc"
	if desc {
		dir = "Desc"
	}
	switch by {
	case core.SortTitle:
		return "sort.title", nil
	case core.SortFilename:
		return "sort.filename", nil
	case core.SortTakenAt:
		return "sort.taken" + dir, nil
	case core.SortTimecode:
		return "sort.timecode" + dir, nil
	}
	return "_id", nil
}

// backfillSortKeys gives the documents stored before sort keys existed
// theirs. It runs when the store opens; the query ({sort.title: null},
// {sort.filename: null}) reads the keys' index, so once every document has
// keys it costs one index look-up per collection. Each document is updated
// only if its version is still the one read: a document replaced meanwhile
// got its keys from that write.
func (db *DB) backfillSortKeys(ctx context.Context) error {
	if err := backfill(ctx, db.articles, "sort.title", func(d *articleDoc) (int, *sortDoc) {
		return d.Version, toArticleDoc(d.toCore()).Sort
	}); err != nil {
		return err
	}
	if err := backfill(ctx, db.galleries, "sort.title", func(d *galleryDoc) (int, *sortDoc) {
		return d.Version, toGalleryDoc(d.toCore()).Sort
	}); err != nil {
		return err
	}
	return backfill(ctx, db.assets, "sort.filename", func(d *assetDoc) (int, *sortDoc) {
		return d.Version, assetSortDoc(d.toCore())
	})
}

func backfill[D any](ctx context.Context, coll *mongo.Collection, field string, keys func(*D) (int, *sortDoc)) error {
	cur, err := coll.Find(ctx, eq(field, nil))
	if err != nil {
		return fmt.Errorf("mongostore: find %s without sort keys: %w", coll.Name(), err)
	}
	var docs []D
	if err := cur.All(ctx, &docs); err != nil {
		return fmt.Errorf("mongostore: find %s without sort keys: %w", coll.Name(), err)
	}
	for i := range docs {
		version, s := keys(&docs[i])
		id := idOf(&docs[i])
		_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: version}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "sort", Value: s}}}})
		if err != nil {
			return fmt.Errorf("mongostore: set sort keys of %s %s: %w", coll.Name(), id, err)
		}
	}
	return nil
}

// idOf is the _id of a decoded document.
func idOf(d any) string {
	switch d := d.(type) {
	case *articleDoc:
		return d.ID
	case *galleryDoc:
		return d.ID
	case *assetDoc:
		return d.ID
	}
	panic(fmt.Sprintf("mongostore: no id for %T", d))
}
