package mongostore_test

import (
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/stillroom/stillroom/mongostore"
	"github.com/stillroom/stillroom/mongostore/mongotest"
)

func TestOpenCreatesIndexesIdempotently(t *testing.T) {
	ctx := t.Context()
	cfg := mongostore.Config{URI: mongotest.URI(t), Database: mongotest.DatabaseName(t)}
	for range 2 {
		db, err := mongostore.Open(ctx, cfg)
		mustNil(t, err)
		mustNil(t, db.Ping(ctx))
		t.Cleanup(func() {
			_ = db.DropDatabase(t.Context())
			_ = db.Close(t.Context())
		})
	}

	client, err := mongo.Connect(options.Client().ApplyURI(cfg.URI))
	mustNil(t, err)
	defer client.Disconnect(ctx)
	want := map[string][]string{
		"users":    {"_id_", "email_1"},
		"sessions": {"_id_", "expiresAt_1", "userId_1"},
		"assets": {"_id_", "searchTokens_1", "sha256_1", "sort.filename_1", "sort.takenAsc_1", "sort.takenDesc_1",
			"sort.timecodeAsc_1", "sort.timecodeDesc_1", "uploadedBy_1"},
		"galleries": {"_id_", "coverAssetId_1", "items.assetId_1", "searchTokens_1", "slug_1", "sort.title_1", "status_1_publishAt_1"},
		"articles": {"_id_", "blocks.assetIds_1", "blocks.galleryId_1", "coverAssetId_1", "importKey_1", "searchTokens_1",
			"section_1", "slug_1", "sort.title_1", "status_1_publishAt_1", "tags_1"},
		"jobs": {"_id_", "kind_1_assetId_1", "runAt_1"},
	}
	unique := map[string]bool{"users.email_1": true, "assets.sha256_1": true, "galleries.slug_1": true,
		"articles.slug_1": true, "jobs.kind_1_assetId_1": true}
	for coll, names := range want {
		cur, err := client.Database(cfg.Database).Collection(coll).Indexes().List(ctx)
		mustNil(t, err)
		var specs []struct {
			Name   string `bson:"name"`
			Unique bool   `bson:"unique"`
		}
		mustNil(t, cur.All(ctx, &specs))
		var got []string
		for _, s := range specs {
			got = append(got, s.Name)
			if s.Unique != unique[coll+"."+s.Name] {
				t.Errorf("%s.%s: unique %v", coll, s.Name, s.Unique)
			}
		}
		slices.Sort(got)
		wantEqual(t, got, names)
	}
}

func TestOpenFails(t *testing.T) {
	ctx := t.Context()
	_, err := mongostore.Open(ctx, mongostore.Config{URI: mongotest.URI(t)})
	if err == nil {
		t.Fatal("Open without a database name succeeded")
	}
	_, err = mongostore.Open(ctx, mongostore.Config{
		URI: "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=200", Database: "x",
	})
	if err == nil {
		t.Fatal("Open of an unreachable server succeeded")
	}
}
