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

// Documents stored before sort keys existed get theirs when the store
// opens.
func TestBackfillSortKeys(t *testing.T) {
	ctx := t.Context()
	cfg := mongostore.Config{URI: mongotest.URI(t), Database: mongotest.DatabaseName(t)}
	db := mongotest.Open(t, cfg)
	for i, title := range []string{"Huế", "Đà Nẵng", "Cần Thơ"} {
		a := fullArticle(fmt.Sprint("a-", i))
		a.Title = title
		mustNil(t, db.InsertArticle(ctx, a))
		g := fullGallery(fmt.Sprint("g-", i))
		g.Title = title
		mustNil(t, db.InsertGallery(ctx, g))
		as := fullAsset(fmt.Sprintf("%064x", i+1))
		as.Filename = title + ".jpg"
		mustNil(t, db.InsertAsset(ctx, as))
	}

	// Remove the keys, as documents written by an older version lack them.
	client, err := mongo.Connect(options.Client().ApplyURI(cfg.URI))
	mustNil(t, err)
	defer client.Disconnect(ctx)
	for _, coll := range []string{"articles", "galleries", "assets"} {
		_, err := client.Database(cfg.Database).Collection(coll).UpdateMany(ctx, bson.D{},
			bson.D{{Key: "$unset", Value: bson.D{{Key: "sort", Value: ""}}}})
		mustNil(t, err)
	}

	db2, err := mongostore.Open(ctx, cfg)
	mustNil(t, err)
	defer db2.Close(ctx)
	want := []string{"Cần Thơ", "Đà Nẵng", "Huế"}
	ap, err := db2.ListArticles(ctx, core.ArticleQuery{Page: core.Page{Limit: 10, By: core.SortTitle, Oldest: true}})
	mustNil(t, err)
	wantEqual(t, ids(ap.Items, func(a *core.Article) string { return a.Title }), want)
	gp, err := db2.ListGalleries(ctx, core.GalleryQuery{Page: core.Page{Limit: 10, By: core.SortTitle, Oldest: true}})
	mustNil(t, err)
	wantEqual(t, ids(gp.Items, func(g *core.Gallery) string { return g.Title }), want)
	sp, err := db2.ListAssets(ctx, core.AssetQuery{Page: core.Page{Limit: 10, By: core.SortFilename, Oldest: true}})
	mustNil(t, err)
	wantEqual(t, ids(sp.Items, func(a *core.Asset) string { return a.Filename }), []string{"Cần Thơ.jpg", "Đà Nẵng.jpg", "Huế.jpg"})
	tp, err := db2.ListAssets(ctx, core.AssetQuery{Page: core.Page{Limit: 10, By: core.SortTakenAt, Desc: true}})
	mustNil(t, err)
	if len(tp.Items) != 3 {
		t.Fatalf("by taken-at: %d assets, want 3", len(tp.Items))
	}
}
