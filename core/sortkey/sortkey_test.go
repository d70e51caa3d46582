package sortkey

import (
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
)

// Keys compare as bytes in the order they stand for, whatever the values'
// sign or width, and a missing value is past every present one in both
// directions' scans.
func TestKeysOrder(t *testing.T) {
	tm := func(s string) *time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	times := []*time.Time{tm("1899-12-31T00:00:00Z"), tm("1969-12-31T23:59:59Z"), tm("1970-01-01T00:00:00Z"), tm("2026-03-14T15:09:26Z"), tm("2126-01-01T00:00:00Z")}
	for i := 1; i < len(times); i++ {
		if a, b := Time(times[i-1], "x", false), Time(times[i], "x", false); a >= b {
			t.Errorf("ascending: %v not before %v", times[i-1], times[i])
		}
		if a, b := Time(times[i-1], "x", true), Time(times[i], "x", true); a >= b {
			t.Errorf("descending key: %v not below %v", times[i-1], times[i])
		}
	}
	last := times[len(times)-1]
	if Time(nil, "a", false) <= Time(last, "z", false) {
		t.Error("ascending: a missing taken-at is not after every one")
	}
	if Time(nil, "z", true) >= Time(times[0], "a", true) {
		t.Error("descending (scanned down): a missing taken-at is not below every one")
	}
	tcs := []core.Timecode{{Seconds: 59, Frames: 99, Still: 999}, {Minutes: 1}, {Minutes: 1, Still: 2}, {Minutes: 1, Still: 10}, {Hours: 1}, {Hours: 10}}
	for i := 1; i < len(tcs); i++ {
		if a, b := Timecode(&tcs[i-1], "x", false), Timecode(&tcs[i], "x", false); a >= b {
			t.Errorf("timecode %+v not before %+v", tcs[i-1], tcs[i])
		}
	}
	if Timecode(nil, "a", false) <= Timecode(&tcs[len(tcs)-1], "z", false) || Timecode(nil, "z", true) >= Timecode(&tcs[0], "a", true) {
		t.Error("a missing timecode is not last")
	}
	// Ties break by ID; a shorter text sorts before its extensions.
	if Text("Đà Nẵng", "1") >= Text("da nang", "2") || Text("an", "9") >= Text("anh", "1") {
		t.Error("text ties or prefixes misordered")
	}
}

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		list string
		by   core.SortBy
		ok   bool
	}{
		{"articles", core.SortTitle, true}, {"galleries", core.SortTitle, true}, {"assets", core.SortTitle, false},
		{"assets", core.SortTimecode, true}, {"articles", core.SortTakenAt, false}, {"users", core.SortCreated, true},
		{"assets", "nonsense", false},
	} {
		if err := Check(c.list, c.by); (err == nil) != c.ok {
			t.Errorf("Check(%s, %s) = %v", c.list, c.by, err)
		}
	}
}
