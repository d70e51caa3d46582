package mongostore

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// AssetIDsInUse returns the IDs of every asset some gallery (item or
// cover) or article (cover or image block) uses, each once. It reads only
// those fields of every gallery and article: two queries.
func (db *DB) AssetIDsInUse(ctx context.Context) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	type galleryUses struct {
		Cover string `bson:"coverAssetId"`
		Items []struct {
			AssetID string `bson:"assetId"`
		} `bson:"items"`
	}
	gals, err := findProjected[galleryUses](ctx, db, db.galleries, bson.D{{Key: "coverAssetId", Value: 1}, {Key: "items.assetId", Value: 1}})
	if err != nil {
		return nil, translate(err, "find", "assets in galleries", "")
	}
	for _, g := range gals {
		add(g.Cover)
		for _, it := range g.Items {
			add(it.AssetID)
		}
	}
	type articleUses struct {
		Cover  string `bson:"coverAssetId"`
		Blocks []struct {
			AssetIDs []string `bson:"assetIds"`
		} `bson:"blocks"`
	}
	arts, err := findProjected[articleUses](ctx, db, db.articles, bson.D{{Key: "coverAssetId", Value: 1}, {Key: "blocks.assetIds", Value: 1}})
	if err != nil {
		return nil, translate(err, "find", "assets in articles", "")
	}
	for _, a := range arts {
		add(a.Cover)
		for _, b := range a.Blocks {
			for _, id := range b.AssetIDs {
				add(id)
			}
		}
	}
	return out, nil
}

// findProjected returns the projection of every document of coll.
func findProjected[D any](ctx context.Context, db *DB, coll *mongo.Collection, projection bson.D) ([]D, error) {
	cur, err := coll.Find(ctx, bson.D{}, options.Find().SetProjection(projection))
	if err != nil {
		return nil, err
	}
	var out []D
	err = cur.All(ctx, &out)
	return out, err
}
