package media

import (
	"bytes"

	"github.com/stillroom/stillroom/core"
)

// Format is an image format the pipeline accepts as an original.
type Format string

// The accepted formats of originals. Renditions are FormatJPEG or FormatPNG,
// and FormatWebP for their twins.
const (
	FormatJPEG Format = "jpeg"
	FormatPNG  Format = "png"
	FormatGIF  Format = "gif"
	FormatWebP Format = "webp"
)

// SniffLen is how many leading bytes Sniff needs to tell every accepted
// format apart. Passing more is fine.
const SniffLen = 12

// MimeType returns the media type of f, or "" for an unknown format.
func (f Format) MimeType() string {
	switch f {
	case FormatJPEG:
		return "image/jpeg"
	case FormatPNG:
		return "image/png"
	case FormatGIF:
		return "image/gif"
	case FormatWebP:
		return "image/webp"
	}
	return ""
}

var (
	sigJPEG  = []byte{0xFF, 0xD8, 0xFF}
	sigPNG   = []byte("\x89PNG\r\n\x1a\n")
	sigGIF87 = []byte("GIF87a")
	sigGIF89 = []byte("GIF89a")
	sigRIFF  = []byte("RIFF")
	sigWebP  = []byte("WEBP")
)

// Sniff identifies the format of an image from its first bytes (at least
// SniffLen of them for WebP), never from a file name or a client's content
// type. It returns the format and its media type. Anything but JPEG, PNG,
// GIF and WebP — SVG, HTML, HEIC, text, empty input — is an error with code
// core.CodeUnsupportedMediaType.
func Sniff(head []byte) (Format, string, error) {
	var f Format
	switch {
	case bytes.HasPrefix(head, sigJPEG):
		f = FormatJPEG
	case bytes.HasPrefix(head, sigPNG):
		f = FormatPNG
	case bytes.HasPrefix(head, sigGIF87), bytes.HasPrefix(head, sigGIF89):
		f = FormatGIF
	case len(head) >= 12 && bytes.Equal(head[:4], sigRIFF) && bytes.Equal(head[8:12], sigWebP):
		f = FormatWebP
	default:
		return "", "", core.Errorf(core.CodeUnsupportedMediaType,
			"unsupported file type: only JPEG, PNG, GIF and WebP images are accepted")
	}
	return f, f.MimeType(), nil
}
