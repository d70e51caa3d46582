package mongostore_test

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/mongostore"
	"github.com/stillroom/stillroom/mongostore/mongotest"
)

// TestUserStoredWithoutVersion: accounts written before users had
// versions have no version field. They read as version 0 and take
// versioned updates like any other.
func TestUserStoredWithoutVersion(t *testing.T) {
	ctx := t.Context()
	cfg := mongostore.Config{URI: mongotest.URI(t), Database: mongotest.DatabaseName(t)}
	db := mongotest.Open(t, cfg)
	mustNil(t, db.InsertUser(ctx, &core.User{ID: "old", Email: "old@example.com", Name: "Old", Role: core.RoleAdmin}))
	client, err := mongo.Connect(options.Client().ApplyURI(cfg.URI))
	mustNil(t, err)
	defer client.Disconnect(ctx)
	_, err = client.Database(cfg.Database).Collection("users").UpdateOne(ctx,
		bson.D{{Key: "_id", Value: "old"}}, bson.D{{Key: "$unset", Value: bson.D{{Key: "version", Value: ""}}}})
	mustNil(t, err)
	n, err := client.Database(cfg.Database).Collection("users").CountDocuments(ctx, bson.D{{Key: "version", Value: bson.D{{Key: "$exists", Value: true}}}})
	mustNil(t, err)
	if n != 0 {
		t.Fatal("the version field is still stored")
	}

	u, err := db.UserByID(ctx, "old")
	if err != nil || u.Version != 0 {
		t.Fatalf("%+v %v, want version 0", u, err)
	}
	stale := *u
	u.Name = "Renamed"
	if err := db.UpdateUser(ctx, u); err != nil || u.Version != 1 {
		t.Fatalf("update from version 0: %v, version %d", err, u.Version)
	}
	if err := db.UpdateUser(ctx, &stale); !core.IsCode(err, core.CodeConflict) {
		t.Fatalf("second update from version 0: %v, want CONFLICT", err)
	}
	got, err := db.UserByEmail(ctx, "old@example.com")
	if err != nil || got.Name != "Renamed" || got.Version != 1 {
		t.Fatalf("%+v %v", got, err)
	}
}
