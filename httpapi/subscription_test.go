package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// TestSubscriptionEventsReadAssetsAfresh: each galleryChanged event is
// resolved with its own loader, so an item shows its asset as it is when
// the event is sent: a caption changed after the first event (which the
// item falls back to) is in the next one, not the one the first event
// loaded.
func TestSubscriptionEventsReadAssetsAfresh(t *testing.T) {
	old := app.WatchInterval
	app.WatchInterval = 20 * time.Millisecond
	t.Cleanup(func() { app.WatchInterval = old })
	svc, db := newServiceOn(t)
	const email, password = "bientap@example.com", "mật khẩu đủ dài 1"
	if _, err := svc.Bootstrap(t.Context(), email, password); err != nil {
		t.Fatal(err)
	}
	token, editor, _, err := svc.Login(t.Context(), email, password)
	if err != nil {
		t.Fatal(err)
	}
	ctx := app.WithUser(t.Context(), editor, "")
	now := time.Now().Add(-time.Hour)
	asset := &core.Asset{ID: core.NewID(), Status: core.AssetReady, SHA256: strings.Repeat("ab", 32), OriginalKey: "originals/ab",
		Filename: "cang-ca.jpg", Caption: "Thuyền về bến lúc rạng sáng", UploadedBy: editor.ID, CreatedAt: now, UpdatedAt: now}
	if err := db.InsertAsset(ctx, asset); err != nil {
		t.Fatal(err)
	}
	title := "Cảng cá"
	g, err := svc.CreateGallery(ctx, app.GalleryPatch{Title: &title})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddGalleryItems(ctx, g.ID, []string{asset.ID}, nil, nil); err != nil {
		t.Fatal(err)
	}

	ts := httptest.NewServer(newGraphQL(svc, Config{}, testLogger(t)))
	defer ts.Close()
	ws, _, err := dialWS(t, ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	ws.init(`{"Authorization":"Bearer ` + token + `"}`)
	ws.send(fmt.Sprintf(`{"id":"1","type":"subscribe","payload":{"query":"subscription { galleryChanged(id: \"%s\") { version items { caption asset { caption } } } }"}}`, g.ID))
	type item struct {
		Caption string
		Asset   struct{ Caption string }
	}
	event := func() (version int, items []item) {
		t.Helper()
		m, err := ws.next()
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(m)
		var ev struct {
			Payload struct {
				Data struct {
					GalleryChanged struct {
						Version int
						Items   []item
					}
				}
			}
		}
		if err := json.Unmarshal(raw, &ev); err != nil || m["type"] != "next" {
			t.Fatalf("not an event: %s", raw)
		}
		gc := ev.Payload.Data.GalleryChanged
		return gc.Version, gc.Items
	}
	if _, items := event(); len(items) != 1 || items[0].Caption != asset.Caption {
		t.Fatalf("first event: items %+v, want one captioned %q", items, asset.Caption)
	}

	caption := "Thuyền về bến, chú thích đã sửa"
	if _, err := svc.UpdateAsset(ctx, asset.ID, app.AssetPatch{Caption: &caption}, nil); err != nil {
		t.Fatal(err)
	}
	desc := "Một tuần ở cảng"
	moved, err := svc.UpdateGallery(ctx, g.ID, app.GalleryPatch{Description: &desc}, nil)
	if err != nil {
		t.Fatal(err)
	}
	version, items := event()
	if version != moved.Version {
		t.Fatalf("second event at version %d, want %d", version, moved.Version)
	}
	if len(items) != 1 || items[0].Caption != caption || items[0].Asset.Caption != caption {
		t.Errorf("after the asset's caption became %q, the event at version %d shows items %+v", caption, version, items)
	}
}
