package app_test

import (
	"mime"
	"testing"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// TestOriginalDispositionKeepsVietnameseNames: the original's file name,
// Vietnamese included, comes back whole from the Content-Disposition a
// browser reads, inline or as a download.
func TestOriginalDispositionKeepsVietnameseNames(t *testing.T) {
	for _, name := range []string{"Toạ đàm Dân vận khéo 01.jpg", "Sequence 01.00_00_04_21.Still120.jpg", `a "quoted"; name.jpg`} {
		for kind, download := range map[string]bool{"inline": false, "attachment": true} {
			d := app.OriginalDisposition(&core.Asset{Filename: name}, download)
			got, params, err := mime.ParseMediaType(d)
			if err != nil || got != kind || params["filename"] != name {
				t.Errorf("%q, download %v: %q parses as %q %v (%v)", name, download, d, got, params, err)
			}
		}
	}
	if d := app.OriginalDisposition(&core.Asset{}, true); d != "attachment" {
		t.Errorf("no file name: %q", d)
	}
}
