package app_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"log/slog"
	"testing"
	"time"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/internal/embeddedtest"
	"github.com/stillroom/stillroom/internal/testenv"
	"github.com/stillroom/stillroom/media"
	"github.com/stillroom/stillroom/media/s3store"
	"github.com/stillroom/stillroom/sqlitestore"
)

// fixture is a Service over a database of its own (the embedded default,
// SQLite; mongostore meets the same contract, core/storetest) and a fresh
// bucket on the test MinIO, with an admin signed in on ctx.
type fixture struct {
	svc     *app.Service
	db      *sqlitestore.DB
	objects media.ObjectStore
	ctx     context.Context
}

func newFixture(t *testing.T, cfg app.Config) *fixture {
	t.Helper()
	if cfg.UploadWait == 0 {
		// An upload waits for READY up to 30 s, not the default 10 s: these
		// tests process under the race detector with objects in MinIO, on a
		// shared machine (the server's tests wait as long).
		cfg.UploadWait = 30 * time.Second
	}
	db := embeddedtest.DB(t, t.TempDir())
	objects, err := s3store.New(t.Context(), testenv.NewBucketConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	svc := app.New(db, objects, slog.New(slog.DiscardHandler), cfg)
	admin := &core.User{ID: "admin", Role: core.RoleAdmin}
	if err := db.InsertUser(t.Context(), &core.User{ID: "admin", Email: "a@example.com", Name: "A", Role: core.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	return &fixture{svc: svc, db: db, objects: objects, ctx: app.WithUser(t.Context(), admin, "")}
}

// runWorkers processes the queue until the test ends.
func (f *fixture) runWorkers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.svc.RunWorkers(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func testJPEG(t *testing.T, w, h int, seed uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, color.RGBA{uint8(x), uint8(y), seed, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
