package embedded_test

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/stillroom/stillroom/mongostore/embedded"
)

func TestStartInsertFindClose(t *testing.T) {
	ctx := t.Context()
	s, err := embedded.Start(ctx, t.TempDir()+"/db dir", slog.New(slog.NewTextHandler(t.Output(), nil)))
	if err != nil {
		t.Fatal(err)
	}
	client, err := mongo.Connect(options.Client().ApplyURI(s.URI()))
	if err != nil {
		t.Fatal(err)
	}
	coll := client.Database("embedded_test").Collection("things")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "a"}, {Key: "n", Value: 1}}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		N int `bson:"n"`
	}
	if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "a"}}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.N != 1 {
		t.Fatalf("n = %d, want 1", got.N)
	}
	// It listens on a Unix socket only its user can reach, no TCP port.
	if !strings.HasPrefix(s.URI(), "mongodb://%2F") || !strings.Contains(s.URI(), ".sock") {
		t.Errorf("URI %s is not a Unix socket", s.URI())
	}
	sock, err := url.PathUnescape(strings.TrimSuffix(strings.TrimPrefix(s.URI(), "mongodb://"), "/"))
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Dir(sock))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("socket folder mode %v, want 0700", fi.Mode().Perm())
	}
	if err := client.Disconnect(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(filepath.Dir(sock)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket folder left after Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestOneProcessPerFolder: a second server on a folder in use is refused
// with ErrInUse (a lock on a file, so another process is refused the same
// way); once the first has stopped, the folder can be opened again.
func TestOneProcessPerFolder(t *testing.T) {
	dir := t.TempDir()
	first, err := embedded.Start(t.Context(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := embedded.Start(t.Context(), dir, nil); !errors.Is(err, embedded.ErrInUse) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("second Start on the same folder: %v, want ErrInUse", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := embedded.Start(t.Context(), dir, nil)
	if err != nil {
		t.Fatalf("Start after Close: %v", err)
	}
	again.Close()
}
