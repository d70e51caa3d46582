package media

import (
	"math/rand/v2"
	"testing"

	"github.com/stillroom/stillroom/core"
)

func TestSniff(t *testing.T) {
	random := make([]byte, 512)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	random[0] = 0x00 // not by chance a JPEG marker

	tests := []struct {
		name string
		head []byte
		want Format
		mime string
	}{
		{"jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'}, FormatJPEG, "image/jpeg"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), FormatPNG, "image/png"},
		{"gif87a", []byte("GIF87a\x01\x00\x01\x00"), FormatGIF, "image/gif"},
		{"gif89a", []byte("GIF89a\x01\x00\x01\x00"), FormatGIF, "image/gif"},
		{"webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), FormatWebP, "image/webp"},

		{"empty", nil, "", ""},
		{"one byte", []byte{0xFF}, "", ""},
		{"jpeg SOI only", []byte{0xFF, 0xD8}, "", ""},
		{"random", random, "", ""},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "", ""},
		{"svg with xml prolog", []byte(`<?xml version="1.0"?><svg/>`), "", ""},
		{"html named photo.jpg", []byte("<html><body><img src=x onerror=alert(1)></body></html>"), "", ""},
		{"html with BOM", []byte("\xEF\xBB\xBF<!DOCTYPE html>"), "", ""},
		{"text", []byte("just some text, not an image\n"), "", ""},
		{"heic", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), "", ""},
		{"avif", []byte("\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1"), "", ""},
		{"bmp", []byte("BM\x36\x00\x00\x00\x00\x00\x00\x00\x36\x00"), "", ""},
		{"tiff", []byte("II*\x00\x08\x00\x00\x00"), "", ""},
		{"riff wave", []byte("RIFF\x24\x00\x00\x00WAVEfmt "), "", ""},
		{"webp cut short", []byte("RIFF\x24\x00\x00\x00WEB"), "", ""},
		{"pdf", []byte("%PDF-1.7\n"), "", ""},
		{"png signature damaged", []byte("\x89PNG\r\n\x1a\x00"), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, mime, err := Sniff(tt.head)
			if tt.want == "" {
				wantCode(t, err, core.CodeUnsupportedMediaType)
				if f != "" || mime != "" {
					t.Errorf("Sniff = %q, %q with an error, want empty", f, mime)
				}
				return
			}
			if err != nil {
				t.Fatalf("Sniff: %v", err)
			}
			if f != tt.want || mime != tt.mime {
				t.Errorf("Sniff = %q, %q, want %q, %q", f, mime, tt.want, tt.mime)
			}
		})
	}
}
