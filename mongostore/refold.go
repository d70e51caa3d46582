package mongostore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/stillroom/stillroom/fold"
)

// foldSetting names the settings document holding the fold.Version that
// the stored sort keys and search tokens were folded with (none: 1, or a
// new database).
const foldSetting = "mongostore.foldVersion"

// refold brings what an older fold.Version folded up to date when the
// store opens: every sort key and every document's search tokens (old
// tokens refold to the new ones: a change of folding maps letters, it
// never moves a word boundary). Only documents whose keys or tokens
// change are written, each with a version-checked $set (a document
// replaced meanwhile got its keys and tokens from that write). Then it
// records fold.Version, so later opens cost one read.
func (db *DB) refold(ctx context.Context) error {
	var d settingDoc
	err := db.settings.FindOne(ctx, eq("_id", foldSetting)).Decode(&d)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("mongostore: read %s: %w", foldSetting, err)
	}
	if v, _ := strconv.Atoi(d.Value); v >= fold.Version {
		return nil
	}
	err = refoldColl(ctx, db.articles, func(d *articleDoc) (string, int, *sortDoc, []string) {
		return d.ID, d.Version, toArticleDoc(d.toCore()).Sort, d.SearchTokens
	}, func(d *articleDoc) *sortDoc { return d.Sort })
	if err == nil {
		err = refoldColl(ctx, db.galleries, func(d *galleryDoc) (string, int, *sortDoc, []string) {
			return d.ID, d.Version, toGalleryDoc(d.toCore()).Sort, d.SearchTokens
		}, func(d *galleryDoc) *sortDoc { return d.Sort })
	}
	if err == nil {
		err = refoldColl(ctx, db.assets, func(d *assetDoc) (string, int, *sortDoc, []string) {
			return d.ID, d.Version, assetSortDoc(d.toCore()), d.SearchTokens
		}, func(d *assetDoc) *sortDoc { return d.Sort })
	}
	if err != nil {
		return err
	}
	_, err = db.settings.UpdateOne(ctx, eq("_id", foldSetting),
		bson.D{{Key: "$set", Value: bson.D{{Key: "value", Value: strconv.Itoa(fold.Version)}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("mongostore: write %s: %w", foldSetting, err)
	}
	return nil
}

// refoldColl sets the sort keys and refolded search tokens of every
// document of coll whose stored ones differ. keys gives a decoded
// document's ID, version, sort keys as they should be and stored tokens;
// stored its sort keys as stored.
func refoldColl[D any](ctx context.Context, coll *mongo.Collection, keys func(*D) (string, int, *sortDoc, []string), stored func(*D) *sortDoc) error {
	cur, err := coll.Find(ctx, bson.D{}, options.Find().SetSort(eq("_id", 1)))
	if err != nil {
		return fmt.Errorf("mongostore: refold %s: %w", coll.Name(), err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d D
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("mongostore: refold %s: %w", coll.Name(), err)
		}
		id, version, sort, tokens := keys(&d)
		refolded := fold.Tokens(tokens...)
		if old := stored(&d); old != nil && *old == *sort && slices.Equal(refolded, tokens) {
			continue
		}
		set := bson.D{{Key: "sort", Value: sort}}
		if len(refolded) > 0 {
			set = append(set, bson.E{Key: "searchTokens", Value: refolded})
		}
		_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: version}}, bson.D{{Key: "$set", Value: set}})
		if err != nil {
			return fmt.Errorf("mongostore: refold %s %s: %w", coll.Name(), id, err)
		}
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("mongostore: refold %s: %w", coll.Name(), err)
	}
	return nil
}
