package mongostore_test

import (
	"fmt"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/mongostore"
	"github.com/stillroom/stillroom/mongostore/mongotest"
)

// TestRefoldOnOpen guards documents folded by an older fold.Version
// (before "Ð" folded to d and long numbers sorted by value): opening the
// store refolds their sort keys and search tokens, so "Ðà Nẵng" sorts
// among the D titles and is found by "da", and "Ảnh 999999999" sorts
// before "Ảnh 1000000000".
func TestRefoldOnOpen(t *testing.T) {
	ctx := t.Context()
	cfg := mongostore.Config{URI: mongotest.URI(t), Database: mongotest.DatabaseName(t)}
	db := mongotest.Open(t, cfg)
	var eth string
	for i, title := range []string{"Huế", "Ðà Nẵng", "Cần Thơ"} {
		a := fullArticle(fmt.Sprint("a-", i))
		a.Title = title
		mustNil(t, db.InsertArticle(ctx, a))
		if i == 1 {
			eth = a.ID
		}
	}
	var nine, ten string
	for i, name := range []string{"Ảnh 1000000000.jpg", "Ảnh 999999999.jpg"} {
		as := fullAsset(fmt.Sprintf("%064x", i+1))
		as.Filename = name
		mustNil(t, db.InsertAsset(ctx, as))
		if i == 0 {
			ten = as.ID
		} else {
			nine = as.ID
		}
	}

	// What the older folding stored: its search tokens and sort keys.
	client, err := mongo.Connect(options.Client().ApplyURI(cfg.URI))
	mustNil(t, err)
	defer client.Disconnect(ctx)
	mdb := client.Database(cfg.Database)
	set := func(coll, id string, fields bson.D) {
		t.Helper()
		_, err := mdb.Collection(coll).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: fields}})
		mustNil(t, err)
	}
	set("articles", eth, bson.D{{Key: "sort.title", Value: "ða nang\x01" + eth}, {Key: "searchTokens", Value: []string{"ða", "nang"}}})
	set("assets", ten, bson.D{{Key: "sort.filename", Value: "anh 91000000000 jpg\x01" + ten}})
	set("assets", nine, bson.D{{Key: "sort.filename", Value: "anh 9999999999 jpg\x01" + nine}})
	_, err = mdb.Collection("settings").DeleteOne(ctx, bson.D{{Key: "_id", Value: "mongostore.foldVersion"}})
	mustNil(t, err)

	db2, err := mongostore.Open(ctx, cfg)
	mustNil(t, err)
	defer db2.Close(ctx)
	ap, err := db2.ListArticles(ctx, core.ArticleQuery{Page: core.Page{Limit: 10, By: core.SortTitle, Oldest: true}})
	mustNil(t, err)
	wantEqual(t, ids(ap.Items, func(a *core.Article) string { return a.Title }), []string{"Cần Thơ", "Ðà Nẵng", "Huế"})
	found, err := db2.ListArticles(ctx, core.ArticleQuery{Search: []string{"da", "nang"}, Page: core.Page{Limit: 10}})
	mustNil(t, err)
	wantEqual(t, ids(found.Items, func(a *core.Article) string { return a.ID }), []string{eth})
	sp, err := db2.ListAssets(ctx, core.AssetQuery{Page: core.Page{Limit: 10, By: core.SortFilename, Oldest: true}})
	mustNil(t, err)
	wantEqual(t, ids(sp.Items, func(a *core.Asset) string { return a.Filename }), []string{"Ảnh 999999999.jpg", "Ảnh 1000000000.jpg"})
}
