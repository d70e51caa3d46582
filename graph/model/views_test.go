package model

import (
	"testing"

	"github.com/stillroom/stillroom/core"
)

// TestViewsShowEmptyAsNull: empty texts and zero numbers are null, set
// ones point at the stored values, lists are never null, and a list's
// nil elements stay nil.
func TestViewsShowEmptyAsNull(t *testing.T) {
	a := &core.Asset{ID: "a1", Caption: "Cầu Rồng phun lửa", Width: 2048,
		Camera: &core.Camera{Make: "Nikon", ISO: 400}, Timecode: &core.Timecode{Seconds: 4}}
	v := NewAsset(a)
	if v.ID != "a1" || v.Caption == nil || *v.Caption != a.Caption || v.Width == nil || *v.Width != 2048 {
		t.Errorf("set fields: %+v", v)
	}
	if v.AltText != nil || v.Credit != nil || v.Error != nil || v.Height != nil || v.Blurhash != nil {
		t.Errorf("empty fields not null: %+v", v)
	}
	if v.Tags == nil || len(v.Tags) != 0 {
		t.Errorf("tags %#v, want an empty list", v.Tags)
	}
	if c := v.Camera; c == nil || c.Make == nil || *c.Make != "Nikon" || c.ISO == nil || *c.ISO != 400 || c.Lens != nil || c.Aperture != nil {
		t.Errorf("camera %+v", c)
	}
	if tc := v.Timecode; tc == nil || tc.Seconds != 4 || tc.Still != nil {
		t.Errorf("timecode %+v", tc)
	}
	if NewAsset(&core.Asset{}).Camera != nil || NewAsset(&core.Asset{}).Timecode != nil || NewAsset(nil) != nil {
		t.Error("absent camera, timecode or asset not null")
	}
	list := Assets([]*core.Asset{a, nil})
	if len(list) != 2 || list[0].Asset != a || list[1] != nil {
		t.Errorf("list %v", list)
	}
	if Assets(nil) != nil {
		t.Error("nil list")
	}
	art := NewArticle(&core.Article{Section: "Tin tức - Sự kiện"})
	if art.Summary != nil || art.Section == nil || *art.Section != "Tin tức - Sự kiện" || art.Tags == nil {
		t.Errorf("article %+v", art)
	}
	if g := Galleries([]*core.Gallery{{Description: "x"}, {}}); *g[0].Description != "x" || g[1].Description != nil {
		t.Errorf("galleries %+v %+v", g[0], g[1])
	}
}
