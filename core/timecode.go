package core

import (
	"regexp"
	"strconv"
)

// stillName matches names that video editors give exported stills:
// "Sequence 01.00_00_04_21.Still120.jpg" is 00:00:04, frame 21, still 120.
var stillName = regexp.MustCompile(`(?:^|\D)(\d{2})_(\d{2})_(\d{2})_(\d{2})(?:\D|$)(?:Still(\d+))?`)

// ParseTimecode returns the timecode in a still's file name, or nil.
func ParseTimecode(filename string) *Timecode {
	m := stillName.FindStringSubmatch(filename)
	if m == nil {
		return nil
	}
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	tc := &Timecode{Hours: n(m[1]), Minutes: n(m[2]), Seconds: n(m[3]), Frames: n(m[4])}
	if tc.Minutes > 59 || tc.Seconds > 59 {
		return nil
	}
	if m[5] != "" {
		tc.Still = n(m[5])
	}
	return tc
}

// Less orders timecodes by time, then frame, then still number.
func (t Timecode) Less(u Timecode) bool {
	a := [5]int{t.Hours, t.Minutes, t.Seconds, t.Frames, t.Still}
	b := [5]int{u.Hours, u.Minutes, u.Seconds, u.Frames, u.Still}
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}
