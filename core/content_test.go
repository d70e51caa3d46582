package core

import "testing"

// TestImageOverrideOver: each text is the placement's own unless empty,
// then the asset's; a gallery item and an image block's image follow the
// same rule.
func TestImageOverrideOver(t *testing.T) {
	a := &Asset{Caption: "Pháo hoa trên sông Hàn", AltText: "Pháo hoa nở trên cầu", Credit: "Trần Văn A"}
	tests := []struct {
		own, want ImageOverride
	}{
		{ImageOverride{}, ImageOverride{a.Caption, a.AltText, a.Credit}},
		{ImageOverride{Caption: "Đêm khai mạc"}, ImageOverride{"Đêm khai mạc", a.AltText, a.Credit}},
		{ImageOverride{AltText: "x", Credit: "TTXVN"}, ImageOverride{a.Caption, "x", "TTXVN"}},
	}
	for _, tt := range tests {
		if got := tt.own.Over(a); got != tt.want {
			t.Errorf("%+v over the asset = %+v, want %+v", tt.own, got, tt.want)
		}
	}
	if (ImageOverride{}).Over(&Asset{}) != (ImageOverride{}) {
		t.Error("nothing over nothing is not empty")
	}
	it := GalleryItem{Caption: "c", AltText: "a", Credit: "r"}
	if it.Override() != (ImageOverride{"c", "a", "r"}) {
		t.Errorf("gallery item's texts: %+v", it.Override())
	}
	b := Block{Overrides: []ImageOverride{{Credit: "r"}}}
	if b.Override(0).Over(a).Credit != "r" || b.Override(1).Over(a) != (ImageOverride{a.Caption, a.AltText, a.Credit}) {
		t.Error("block overrides")
	}
}
