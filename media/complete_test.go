package media

import (
	"testing"

	"github.com/stillroom/stillroom/core"
)

func TestCheckComplete(t *testing.T) {
	jpg := encodeJPEGT(t, gradient(64, 48), 90)
	for _, tc := range []struct {
		name string
		data []byte
		f    Format
		ok   bool
	}{
		{"whole jpeg", jpg, FormatJPEG, true},
		{"jpeg with a trailer", append(append([]byte{}, jpg...), 0, 0, 0), FormatJPEG, true},
		{"truncated jpeg", jpg[:len(jpg)/2], FormatJPEG, false},
		{"truncated png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), FormatPNG, false},
		{"gif without trailer", []byte("GIF89a\x01\x00\x01\x00"), FormatGIF, false},
		{"webp shorter than its RIFF size", []byte("RIFF\x00\x01\x00\x00WEBPVP8 "), FormatWebP, false},
	} {
		err := CheckComplete(tc.data, tc.f)
		if tc.ok && err != nil || !tc.ok && !core.IsCode(err, core.CodeBadUserInput) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
