package desk_test

import (
	"context"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/internal/browsertest"
	"github.com/stillroom/stillroom/internal/embeddedtest"
	"github.com/stillroom/stillroom/internal/servertest"
)

// TestFailedPhotoIsSaidAndRetried: a photo whose processing failed is said
// so on its page in the desk's language (the Vietnamese desk in its own
// words, the English one with the server's reason), and Reprocess makes
// its renditions, which the page then shows without a reload, saying they
// are made.
//
// The API cannot make a photo fail on purpose (uploads that cannot be
// processed are refused before they are stored), so the test writes what
// a failed first run leaves, FAILED with a reason and no renditions,
// into the server's database from a second process on its data folder,
// as `stillroom` commands do while the server runs.
func TestFailedPhotoIsSaidAndRetried(t *testing.T) {
	const reason = "processing failed after 3 attempts"
	for _, l := range []struct {
		lang, failed, reprocess, reprocessing, made string
	}{
		{"en-US", "Processing failed: " + reason, "Reprocess", "Making the renditions again…", "The renditions are made."},
		{"vi-VN", "Xử lý thất bại. Hãy bấm Xử lý lại; nếu vẫn lỗi, tệp ảnh có thể bị hỏng.", "Xử lý lại", "Đang tạo lại các kích thước ảnh…", "Đã tạo xong các kích thước ảnh."},
	} {
		t.Run(l.lang, func(t *testing.T) {
			srv, admin, b := editSetup(t, l.lang)
			id := upload(t, srv, admin, "Sequence 01.00_00_12_03.Still123.jpg", photo(t, 1200, 800, 7))
			waitStatus(t, srv, admin, id, "READY")
			failAsset(t, srv, id, reason)
			waitStatus(t, srv, admin, id, "FAILED")

			b.Navigate(srv.URL + "/desk/assets/" + id)
			b.WaitText(l.failed)
			b.WaitFor("button", l.reprocess)
			if browsertest.Eval[bool](b, `document.querySelector('.crops') !== null`) {
				t.Error("the page of a photo without renditions shows crop previews")
			}
			b.Screenshot("asset-failed")
			b.AssertAccessible("failed photo")

			b.Click("button", l.reprocess)
			b.WaitText(l.reprocessing)
			// READY again: the crop previews show its renditions, followed
			// without a reload.
			b.WaitTrue("the page shows the photo's renditions", `document.querySelector('.crops .square img') !== null`)
			b.WaitText(l.made)
			waitStatus(t, srv, admin, id, "READY")
			b.Screenshot("asset-reprocessed")
		})
	}
}

// waitStatus waits until the asset has the status.
func waitStatus(t *testing.T, srv *servertest.Server, token, id, status string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var d struct{ Asset struct{ Status string } }
		srv.GraphQL(t, token, `query($id: ID!) { asset(id: $id) { status } }`, map[string]any{"id": id}).Decode(t, &d)
		if d.Asset.Status == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("asset %s is %s after a minute, want %s", id, d.Asset.Status, status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// failAsset records the asset as a failed first run leaves it: FAILED with
// a reason and no renditions (their objects stay until reconcile).
func failAsset(t *testing.T, srv *servertest.Server, id, reason string) {
	t.Helper()
	ctx := context.Background()
	db := embeddedtest.DB(t, srv.DataDir)
	a, err := db.AssetByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	a.Status, a.Error, a.Renditions = core.AssetFailed, reason, nil
	if err := db.UpdateAsset(ctx, a); err != nil {
		t.Fatal(err)
	}
}
