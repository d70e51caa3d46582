package media

import (
	"bytes"
	"encoding/binary"

	"github.com/stillroom/stillroom/core"
)

// endWindow is how far from the end of a file its end marker is looked
// for: writers may append a little after it (padding, a trailer).
const endWindow = 64 << 10

// CheckComplete refuses a file that ends before its format's end marker
// (JPEG EOI, PNG IEND, GIF trailer, the RIFF size of WebP), so an upload
// cut short is BAD_USER_INPUT at once instead of a FAILED asset later. It
// reads no pixels. A file that passes can still turn out corrupt when
// decoded.
func CheckComplete(data []byte, f Format) error {
	tail := data[max(0, len(data)-endWindow):]
	var ok bool
	switch f {
	case FormatJPEG:
		ok = bytes.Contains(tail, []byte{0xFF, 0xD9})
	case FormatPNG:
		ok = bytes.Contains(tail, []byte("IEND"))
	case FormatGIF:
		ok = bytes.IndexByte(tail[max(0, len(tail)-1024):], 0x3B) >= 0
	case FormatWebP:
		ok = len(data) >= 8 && uint64(len(data)) >= 8+uint64(binary.LittleEndian.Uint32(data[4:]))
	default:
		ok = true
	}
	if !ok {
		return core.Errorf(core.CodeBadUserInput, "the %s image is truncated: it ends before its end marker", f.label())
	}
	return nil
}
