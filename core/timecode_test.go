package core

import "testing"

func TestParseTimecode(t *testing.T) {
	for _, tc := range []struct {
		name string
		want *Timecode
	}{
		{"Sequence 01.00_00_04_21.Still120.jpg", &Timecode{0, 0, 4, 21, 120}},
		{"Sequence 01.01_02_03_04.Still007.jpg", &Timecode{1, 2, 3, 4, 7}},
		{"clip 00_10_00_00.png", &Timecode{0, 10, 0, 0, 0}},
		{"IMG_1234.jpg", nil},
		{"Sequence 01.00_99_04_21.Still1.jpg", nil},
	} {
		got := ParseTimecode(tc.name)
		if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
			t.Errorf("ParseTimecode(%q) = %+v, want %+v", tc.name, got, tc.want)
		}
	}
	a, b := ParseTimecode("S.00_00_04_21.Still120.jpg"), ParseTimecode("S.00_00_10_02.Still3.jpg")
	if !a.Less(*b) || b.Less(*a) {
		t.Errorf("Less: %v < %v should hold", a, b)
	}
}
