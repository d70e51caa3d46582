package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	xwebp "golang.org/x/image/webp"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/internal/servertest"
	"github.com/stillroom/stillroom/media"
	"github.com/stillroom/stillroom/media/localstore"
	"github.com/stillroom/stillroom/sqlitestore"
)

// TestUpgradeRestart is an upgrade as an operator does it, on the real
// binary: a server makes a library, is stopped, and its assets are put
// back as the previous pipeline left them (media.PipelineVersion - 1:
// the JPEG set only, no WebP twins, no social card, their objects gone);
// the new server started on the same data folder regenerates them in the
// background. At every look through the API while it does, each asset is
// READY and lists either its old renditions, all served, or the whole new
// set; in the end every asset has the WebP twins (served as WebP at their
// sizes) and the social card.
func TestUpgradeRestart(t *testing.T) {
	const admin = "admin@example.com"
	// The new server queues its first old asset at once and the others
	// one per interval: 2 s leaves the last one old for 4 s after the
	// start, so a stalled moment of this process before its first look
	// cannot make it miss the meantime (300 ms did: all three could be
	// done by then).
	env := map[string]string{"UPGRADE_INTERVAL": "2s"}
	a := servertest.Start(t, servertest.Options{Admin: admin, Env: env})
	token := a.Login(t, admin, servertest.Password)
	var ids []string
	for i := range 3 {
		ids = append(ids, uploadTo(t, a, token, fmt.Sprintf("old-%d.jpg", i), photoJPEG(t, 640, 427, uint8(40*i))))
	}
	for _, id := range ids {
		waitAsset(t, a, token, id, func(s assetState) bool { return s.Status == "READY" })
	}
	a.Stop(t)

	// Back to the previous pipeline's output, as the stopped server's
	// predecessor would have left it.
	ctx := context.Background()
	db, err := sqlitestore.Open(ctx, sqlitestore.Config{Path: filepath.Join(a.DataDir, embeddedFile)})
	if err != nil {
		t.Fatal(err)
	}
	objects, err := localstore.New(filepath.Join(a.DataDir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		asset, err := db.AssetByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var kept []core.Rendition
		for _, r := range asset.Renditions {
			if r.Format == core.FormatWebP || r.Name == "social" {
				if err := objects.Delete(ctx, r.Key); err != nil {
					t.Fatal(err)
				}
				continue
			}
			kept = append(kept, r)
		}
		asset.Renditions, asset.PipelineVersion = kept, media.PipelineVersion-1
		if err := db.UpdateAsset(ctx, asset); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(ctx); err != nil {
		t.Fatal(err)
	}

	b := servertest.Start(t, servertest.Options{DataDir: a.DataDir, Env: env})
	token = b.Login(t, admin, servertest.Password)
	looks, before := 0, 0
	deadline := time.Now().Add(90 * time.Second)
	for pending := ids; len(pending) > 0; {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d assets still without WebP renditions after 90 s", len(pending), len(ids))
		}
		var left []string
		for _, id := range pending {
			s := assetNow(t, b, token, id)
			looks++
			if s.Status != "READY" {
				t.Fatalf("%s is %s during the upgrade (look %d)", id, s.Status, looks)
			}
			switch {
			case len(s.WebP) == 0: // not yet: the old set, still served
				before++
				if len(s.Renditions) != 5 || s.rendition("social") != nil {
					t.Fatalf("%s before its upgrade lists %+v, want the 5 old JPEG renditions", id, s.Renditions)
				}
				if code, _, _ := get(t, b, token, s.rendition("w256").URL); code != http.StatusOK {
					t.Fatalf("%s: its old w256 answers %d during the upgrade", id, code)
				}
				left = append(left, id)
			case len(s.WebP) != 5 || len(s.Renditions) != 6 || s.rendition("social") == nil:
				t.Fatalf("%s lists %d renditions and %d WebP ones, want 6 and 5", id, len(s.Renditions), len(s.WebP))
			}
		}
		pending = left
		time.Sleep(50 * time.Millisecond)
	}
	if before == 0 {
		t.Error("no look saw an asset before its upgrade: the test saw nothing of the meantime")
	}
	if !b.Contains("regenerating assets made by an older pipeline") {
		t.Error("the new server did not say it is regenerating old assets")
	}
	for _, id := range ids {
		s := assetNow(t, b, token, id)
		for _, r := range s.WebP {
			code, typ, body := get(t, b, token, r.URL)
			if code != http.StatusOK || typ != "image/webp" {
				t.Fatalf("%s %s.webp: HTTP %d %s", id, r.Name, code, typ)
			}
			cfg, err := xwebp.DecodeConfig(bytes.NewReader(body))
			if err != nil || cfg.Width != r.Width || cfg.Height != r.Height {
				t.Errorf("%s %s.webp: %dx%d (%v), listed %dx%d", id, r.Name, cfg.Width, cfg.Height, err, r.Width, r.Height)
			}
		}
		if code, typ, _ := get(t, b, token, s.rendition("social").URL); code != http.StatusOK || typ != "image/jpeg" {
			t.Errorf("%s social: HTTP %d %s", id, code, typ)
		}
	}
	t.Logf("%d looks, %d of them at an asset not yet upgraded", looks, before)
}

type renditionState struct {
	Name          string
	Width, Height int
	URL           string
}

type assetState struct {
	Status     string
	Renditions []renditionState
	WebP       []renditionState
}

func (s assetState) rendition(name string) *renditionState {
	for i := range s.Renditions {
		if s.Renditions[i].Name == name {
			return &s.Renditions[i]
		}
	}
	return nil
}

// assetNow reads an asset's status and renditions through the API.
func assetNow(t *testing.T, s *servertest.Server, token, id string) assetState {
	t.Helper()
	var d struct{ Asset assetState }
	s.GraphQL(t, token, `query($id: ID!) { asset(id: $id) { status
		renditions { name width height url } webP: renditions(format: WEBP) { name width height url } } }`,
		map[string]any{"id": id}).Decode(t, &d)
	return d.Asset
}

// waitAsset polls an asset until ok says so, for at most a minute.
func waitAsset(t *testing.T, s *servertest.Server, token, id string, ok func(assetState) bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		st := assetNow(t, s, token, id)
		if ok(st) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("asset %s: %+v after a minute", id, st)
		}
	}
}

// get fetches url with the token and returns the status, content type and
// body.
func get(t *testing.T, s *servertest.Server, token, url string) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header.Get("Content-Type"), body
}
