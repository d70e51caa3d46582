// Package sortkey makes the keys that order lists by a field (see
// core.Page): strings that compare byte by byte in the list's order and end
// with the item's ID, so ties are broken by ID (creation order, in the
// order's direction) and a key is a complete keyset cursor. Both stores
// keep these keys beside each document (computed on every write) and the
// API puts them in cursors.
//
// Text is folded for Vietnamese (fold.SortKey). Taken-at and timecode may
// be missing: those assets come last in both directions, among themselves
// in creation order in the direction of the list (oldest first when
// ascending, newest first when descending). That needs one key per
// direction: the first byte says whether the value is there.
package sortkey

import (
	"fmt"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/fold"
)

// sep ends the value part of a key: it sorts below every byte of a folded
// text, so "an" orders before "anh".
const sep = "\x01"

// Text is the key of a text field.
func Text(s, id string) string { return fold.SortKey(s) + sep + id }

// present and missing lead keys of optional values: in the ascending key a
// value sorts before no value, in the descending key after it, so a scan
// descending meets it first.
func lead(ok, desc bool) string {
	if ok != desc {
		return "0"
	}
	return "1"
}

// Time is a key of an optional time, in milliseconds.
func Time(t *time.Time, id string, desc bool) string {
	if t == nil {
		return lead(false, desc) + sep + id
	}
	// The sign bit flipped makes negative times order before positive ones.
	return lead(true, desc) + fmt.Sprintf("%016x", uint64(t.UnixMilli())^1<<63) + sep + id
}

// Timecode is a key of an optional timecode (time, frame, still number).
func Timecode(tc *core.Timecode, id string, desc bool) string {
	if tc == nil {
		return lead(false, desc) + sep + id
	}
	c := func(v, width int) int { return max(0, min(v, width)) }
	return lead(true, desc) + fmt.Sprintf("%04d%02d%02d%04d%010d",
		c(tc.Hours, 9999), c(tc.Minutes, 99), c(tc.Seconds, 99), c(tc.Frames, 9999), c(tc.Still, 1<<31-1)) + sep + id
}

// Asset is a's key for the order by, desc; "" for an order assets lack.
func Asset(a *core.Asset, by core.SortBy, desc bool) string {
	switch by {
	case core.SortFilename:
		return Text(a.Filename, a.ID)
	case core.SortTakenAt:
		return Time(a.TakenAt, a.ID, desc)
	case core.SortTimecode:
		return Timecode(a.Timecode, a.ID, desc)
	}
	return ""
}

// Check returns BAD_USER_INPUT unless by is an order of list ("articles",
// "galleries", "assets"; creation order is every list's).
func Check(list string, by core.SortBy) error {
	if by == core.SortCreated {
		return nil
	}
	ok := false
	switch list {
	case "articles", "galleries":
		ok = by == core.SortTitle
	case "assets":
		ok = by == core.SortFilename || by == core.SortTakenAt || by == core.SortTimecode
	}
	if !ok {
		return core.Errorf(core.CodeBadUserInput, "%s cannot be sorted by %s", list, by)
	}
	return nil
}
