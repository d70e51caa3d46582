package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/core/storetest"
	"github.com/stillroom/stillroom/mongostore"
	"github.com/stillroom/stillroom/mongostore/embedded"
	"github.com/stillroom/stillroom/sqlitestore"
)

// An old data folder (FerretDB under <data>/db) moves to stillroom.db with
// every record equal, and the old folder is left in place.
func TestMigrate(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	at := time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC)

	user := &core.User{ID: core.NewID(), Email: "a@example.com", Name: "Ánh", Role: core.RoleEditor, PasswordHash: "h", CreatedAt: at, UpdatedAt: at}
	session := &core.Session{TokenHash: "hash", UserID: user.ID, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}
	asset := storetest.FullAsset("sha-1")
	gallery := storetest.FullGallery("phong-su")
	article := storetest.FullArticle("dan-van-kheo")
	// Written by a version whose folding kept ð (fold.Version 1).
	older := storetest.FullArticle("da-nang")
	older.ID, older.Title, older.SearchTokens = core.NewID(), "Ðà Nẵng", []string{"ða", "nang"}
	job := &core.Job{ID: core.NewID(), Kind: "process", AssetID: asset.ID, Attempts: 2, RunAt: at, LeaseOwner: "w", LeaseUntil: at.Add(time.Minute), LastError: "boom", CreatedAt: at}
	ticket := &core.UploadTicket{ID: core.NewID(), Key: "incoming/x", UserID: user.ID, Filename: "a.jpg", ContentType: "image/jpeg", ByteSize: 3, MaxBytes: 9, ExpiresAt: at, CreatedAt: at}

	func() {
		srv, err := embedded.Start(ctx, filepath.Join(dir, "db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		old, err := mongostore.Open(ctx, mongostore.Config{URI: srv.URI(), Database: "stillroom"})
		if err != nil {
			t.Fatal(err)
		}
		defer old.Close(ctx)
		for _, err := range []error{
			old.InsertUser(ctx, user), old.InsertSession(ctx, session), old.InsertAsset(ctx, asset),
			old.InsertGallery(ctx, gallery), old.InsertArticle(ctx, article), old.InsertArticle(ctx, older), old.EnqueueJob(ctx, job),
			old.InsertTicket(ctx, ticket),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, err := old.SettingOrInit(ctx, "signing-key", "secret"); err != nil {
			t.Fatal(err)
		}
	}()

	if err := run(ctx, dir, "stillroom", os.Stdout); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, dir, "stillroom", os.Stdout); err == nil {
		t.Error("a second run did not refuse: stillroom.db exists")
	}
	if _, err := os.Stat(filepath.Join(dir, "db")); err != nil {
		t.Errorf("the old folder is gone: %v", err)
	}

	db, err := sqlitestore.Open(ctx, sqlitestore.Config{Path: filepath.Join(dir, "stillroom.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	same := func(what string, got any, err error, want any) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
		}
	}
	gu, err := db.UserByEmail(ctx, user.Email)
	same("user", gu, err, user)
	gs, err := db.SessionByTokenHash(ctx, "hash")
	same("session", gs, err, session)
	ga, err := db.AssetBySHA256(ctx, "sha-1")
	same("asset", ga, err, asset)
	gg, err := db.GalleryBySlug(ctx, gallery.Slug)
	same("gallery", gg, err, gallery)
	gart, err := db.ArticleBySlug(ctx, article.Slug)
	same("article", gart, err, article)
	gt, err := db.TicketByID(ctx, ticket.ID)
	same("ticket", gt, err, ticket)
	v, err := db.SettingOrInit(ctx, "signing-key", "other")
	same("setting", v, err, "secret")
	gj, err := db.ClaimJob(ctx, "w2", at.Add(time.Hour), time.Minute)
	want := *job
	want.Attempts, want.LeaseOwner, want.LeaseUntil = 3, "w2", at.Add(time.Hour+time.Minute)
	same("job", gj, err, &want)
	// Search works on the copy.
	p, err := db.ListArticles(ctx, core.ArticleQuery{Page: core.Page{Limit: 5}, Search: []string{"harbour", "da"}})
	if err != nil || len(p.Items) != 1 {
		t.Errorf("search on the copy: %+v %v", p, err)
	}
	// Words folded by an older version are refolded in the copy.
	p, err = db.ListArticles(ctx, core.ArticleQuery{Page: core.Page{Limit: 5}, Search: []string{"da", "nang"}})
	if err != nil || len(p.Items) != 1 || p.Items[0].ID != older.ID {
		t.Errorf("search for an older version's words on the copy: %+v %v", p, err)
	}
}
