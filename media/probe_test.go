package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"runtime"
	"testing"

	"github.com/stillroom/stillroom/core"
)

func TestProbeImage(t *testing.T) {
	jpg := encodeJPEGT(t, gradient(64, 48), 90) // 4:2:0, as image/jpeg writes
	s420 := [4]uint8{0x22, 0x11, 0x11}
	tests := []struct {
		name string
		data []byte
		want Probe
	}{
		{"jpeg", jpg, Probe{Format: FormatJPEG, MimeType: "image/jpeg", Width: 64, Height: 48, Orientation: 1,
			Components: 3, Sampling: s420}},
		{"jpeg rotated", withEXIFOrientation(jpg, 6), Probe{Format: FormatJPEG, MimeType: "image/jpeg", Width: 64, Height: 48, Orientation: 6,
			Components: 3, Sampling: s420}},
		{"progressive jpeg", layoutJPEG(jpegLayoutSpec{w: 40, h: 30, comps: 3, progressive: true}),
			Probe{Format: FormatJPEG, MimeType: "image/jpeg", Width: 40, Height: 30, Orientation: 1,
				Progressive: true, Components: 3, Sampling: [4]uint8{0x11, 0x11, 0x11}}},
		{"cmyk jpeg", layoutJPEG(jpegLayoutSpec{w: 40, h: 30, comps: 4, sampling: [4]uint8{0x22, 0x11, 0x11, 0x22}}),
			Probe{Format: FormatJPEG, MimeType: "image/jpeg", Width: 40, Height: 30, Orientation: 1,
				Components: 4, Sampling: [4]uint8{0x22, 0x11, 0x11, 0x22}}},
		{"rgb jpeg", layoutJPEG(jpegLayoutSpec{w: 40, h: 30, comps: 3, rgb: true}),
			Probe{Format: FormatJPEG, MimeType: "image/jpeg", Width: 40, Height: 30, Orientation: 1,
				Components: 3, Sampling: [4]uint8{0x11, 0x11, 0x11}, RGB: true}},
		{"grey jpeg", layoutJPEG(jpegLayoutSpec{w: 40, h: 30, comps: 1}),
			Probe{Format: FormatJPEG, MimeType: "image/jpeg", Width: 40, Height: 30, Orientation: 1,
				Components: 1, Sampling: [4]uint8{0x11}}},
		{"png", encodePNGT(t, gradient(30, 20)), Probe{Format: FormatPNG, MimeType: "image/png", Width: 30, Height: 20, Orientation: 1,
			Coding: Coding{BitDepth: 8, ColorType: 2}}},
		{"gif", encodeGIFT(t, gradient(17, 9)), Probe{Format: FormatGIF, MimeType: "image/gif", Width: 17, Height: 9, Orientation: 1,
			Coding: Coding{Frame: image.Rect(0, 0, 17, 9)}}},
		{"webp", webpSolid(40, 30, red), Probe{Format: FormatWebP, MimeType: "image/webp", Width: 40, Height: 30, Orientation: 1,
			Coding: Coding{Lossless: true, CodedBytes: 12}}},
		{"at the side limit", pngHeaderOnly(DefaultMaxSide, 1), Probe{Format: FormatPNG, MimeType: "image/png", Width: DefaultMaxSide, Height: 1, Orientation: 1,
			Coding: Coding{BitDepth: 8, ColorType: 6}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ProbeImage(tt.data, Limits{})
			if err != nil {
				t.Fatalf("ProbeImage: %v", err)
			}
			if got != tt.want {
				t.Errorf("ProbeImage = %+v, want %+v", got, tt.want)
			}
		})
	}

	p, _ := ProbeImage(withEXIFOrientation(jpg, 6), Limits{})
	if w, h := p.DisplaySize(); w != 48 || h != 64 {
		t.Errorf("DisplaySize with orientation 6 = %dx%d, want 48x64", w, h)
	}
	if p.Pixels() != 64*48 {
		t.Errorf("Pixels = %d, want %d", p.Pixels(), 64*48)
	}
}

// jpegWithSize returns a small JPEG whose SOF header claims w×h.
func jpegWithSize(tb testing.TB, w, h uint16) []byte {
	tb.Helper()
	jpg := encodeJPEGT(tb, gradient(16, 16), 80)
	i := bytes.Index(jpg, []byte{0xFF, 0xC0})
	if i < 0 {
		tb.Fatal("no SOF0 in the encoded JPEG")
	}
	binary.BigEndian.PutUint16(jpg[i+5:], h)
	binary.BigEndian.PutUint16(jpg[i+7:], w)
	return jpg
}

// TestProbeImageTooManyPixels checks that headers claiming huge images are
// refused from the header, by ProbeImage and by Process, without the
// pixel allocation that would kill the process.
func TestProbeImageTooManyPixels(t *testing.T) {
	gifHuge := encodeGIFT(t, gradient(8, 8))
	binary.LittleEndian.PutUint16(gifHuge[6:], 65535)
	binary.LittleEndian.PutUint16(gifHuge[8:], 65535)

	vp8x := make([]byte, 10)
	vp8x[0] = 0x10                        // alpha flag
	copy(vp8x[4:], []byte{0xFF, 0x3F, 0}) // width-1 = 16383
	copy(vp8x[7:], []byte{0xFF, 0x3F, 0}) // height-1 = 16383

	tests := []struct {
		name string
		data []byte
		lim  Limits
	}{
		{"png 100000x100000", pngHeaderOnly(100000, 100000), Limits{}},
		{"png one side too long", pngHeaderOnly(DefaultMaxSide+1, 1), Limits{}},
		{"png 1x60000", encodePNGT(t, image.NewGray(image.Rect(0, 0, 1, 60000))), Limits{}},
		{"jpeg 65535x65535", jpegWithSize(t, 65535, 65535), Limits{}},
		{"gif 65535x65535", gifHuge, Limits{}},
		{"webp lossless 16384x16384", webpSolid(16384, 16384, red), Limits{}},
		{"webp extended 16384x16384", riffWebP("VP8X", vp8x), Limits{}},
		{"over a configured pixel limit", encodePNGT(t, gradient(100, 100)), Limits{MaxPixels: 9999}},
		{"over a configured side limit", encodePNGT(t, gradient(100, 1)), Limits{MaxSide: 99}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ProbeImage(tt.data, tt.lim)
			wantCode(t, err, core.CodeTooManyPixels)

			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err = Process(context.Background(), tt.data, Options{Limits: tt.lim})
			runtime.ReadMemStats(&after)
			wantCode(t, err, core.CodeTooManyPixels)
			if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
				t.Errorf("Process allocated %d bytes before refusing", n)
			}
		})
	}
}

func TestProbeImageCorrupt(t *testing.T) {
	jpg := encodeJPEGT(t, gradient(16, 16), 80)
	png := encodePNGT(t, gradient(16, 16))
	badCRC := bytes.Clone(png)
	badCRC[29] ^= 0xFF // the IHDR CRC

	tests := []struct {
		name string
		data []byte
		code core.Code
	}{
		{"jpeg SOI and garbage", append([]byte{0xFF, 0xD8, 0xFF}, "garbage garbage garbage"...), core.CodeBadUserInput},
		{"jpeg cut before SOF", jpg[:20], core.CodeBadUserInput},
		{"png signature only", png[:8], core.CodeBadUserInput},
		{"png bad IHDR CRC", badCRC, core.CodeBadUserInput},
		{"png zero width", pngHeaderOnly(0, 10), core.CodeBadUserInput},
		// image/png refuses sizes whose byte count overflows an int
		// before the limits are looked at.
		{"png 2^31-1 square", pngHeaderOnly(1<<31-1, 1<<31-1), core.CodeBadUserInput},
		{"gif header only", []byte("GIF89a"), core.CodeBadUserInput},
		{"webp RIFF header only", []byte("RIFF\x04\x00\x00\x00WEBP"), core.CodeBadUserInput},
		{"webp unknown chunk", riffWebP("ABCD", []byte{1, 2, 3, 4}), core.CodeBadUserInput},
		{"svg", []byte("<svg/>"), core.CodeUnsupportedMediaType},
		{"jpeg with too many scans", append(bytes.Clone(jpg[:len(jpg)-2]), append(bytes.Repeat([]byte{0xFF, 0xDA, 0, 2}, MaxJPEGScans), 0xFF, 0xD9)...), core.CodeBadUserInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ProbeImage(tt.data, Limits{})
			wantCode(t, err, tt.code)
			if core.ErrorMessage(err) == "internal error" {
				t.Errorf("message not shown to clients: %v", err)
			}
		})
	}
}

// TestProbeImageOrientationFromEXIF checks the EXIF reader on well-formed
// and hostile APP1 segments.
func TestProbeImageOrientationFromEXIF(t *testing.T) {
	jpg := encodeJPEGT(t, image.NewGray(image.Rect(0, 0, 8, 8)), 80)
	exif := func(tiff []byte) []byte { return append([]byte("Exif\x00\x00"), tiff...) }
	be, le := binary.BigEndian, binary.LittleEndian
	offsetOutside := exifTIFF(be, 3, 6)
	be.PutUint32(offsetOutside[4:], 0xFFFFFFF0)
	manyEntries := exifTIFF(le, 3, 6)
	le.PutUint16(manyEntries[8:], 0xFFFF) // claims far more entries than exist
	orientationLater := exifTIFF(le, 3, 3)
	le.PutUint16(orientationLater[8:], 2)
	le.PutUint16(orientationLater[10:], 0x0100) // ImageWidth first
	orientationLater = append(orientationLater[:22],
		0x12, 0x01, 3, 0, 1, 0, 0, 0, 3, 0, 0, 0, // the Orientation entry
		0, 0, 0, 0)

	tests := []struct {
		name string
		data []byte
		want int
	}{
		{"no EXIF", jpg, 1},
		{"big-endian SHORT", withSegment(jpg, 0xE1, exif(exifTIFF(be, 3, 6))), 6},
		{"little-endian SHORT", withSegment(jpg, 0xE1, exif(exifTIFF(le, 3, 8))), 8},
		{"LONG", withSegment(jpg, 0xE1, exif(exifTIFF(be, 4, 5))), 5},
		{"second entry", withSegment(jpg, 0xE1, exif(orientationLater)), 3},
		{"XMP APP1 first", withSegment(withSegment(jpg, 0xE1, exif(exifTIFF(be, 3, 7))), 0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x/>")), 7},
		{"after APP0 and ICC", withSegment(withSegment(withEXIFOrientation(jpg, 2), 0xE2, []byte("ICC_PROFILE\x00\x01\x01")), 0xE0, []byte("JFIF\x00")), 2},
		{"value 0", withSegment(jpg, 0xE1, exif(exifTIFF(be, 3, 0))), 1},
		{"value 9", withSegment(jpg, 0xE1, exif(exifTIFF(be, 3, 9))), 1},
		{"value in wrong type", withSegment(jpg, 0xE1, exif(exifTIFF(be, 2, 6))), 1},
		{"bad byte order", withSegment(jpg, 0xE1, exif(append([]byte("XX"), exifTIFF(be, 3, 6)[2:]...))), 1},
		{"IFD offset outside", withSegment(jpg, 0xE1, exif(offsetOutside)), 1},
		{"entry count past the end", withSegment(jpg, 0xE1, exif(manyEntries)), 6},
		{"TIFF cut short", withSegment(jpg, 0xE1, exif(exifTIFF(be, 3, 6)[:15])), 1},
		{"empty EXIF", withSegment(jpg, 0xE1, exif(nil)), 1},
		{"segment length past the end", append([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF}, exif(exifTIFF(be, 3, 6))...), 1},
		{"segment length 0", append([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x00}, exif(exifTIFF(be, 3, 6))...), 1},
		{"stray bytes before APP1", append([]byte{0xFF, 0xD8, 0x00, 0x42}, withEXIFOrientation(jpg, 4)[2:]...), 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := readJPEGHeader(tt.data).orientation; got != tt.want {
				t.Errorf("orientation = %d, want %d", got, tt.want)
			}
		})
	}
}

// Bytes that look like scan markers inside comment and APP segments do not
// count as scans: a photo padded with such segments is accepted.
func TestJPEGScansSkipsSegmentPayloads(t *testing.T) {
	jpg := encodeJPEGT(t, gradient(64, 48), 90)
	seg := []byte{0xFF, 0xFE, 0, 0}
	payload := bytes.Repeat([]byte{0xFF, 0xDA, 0x12}, 2000)
	seg[2], seg[3] = byte((len(payload)+2)>>8), byte(len(payload)+2)
	padded := append(append(append([]byte{}, jpg[:2]...), append(seg, payload...)...), jpg[2:]...)
	if n := jpegScans(padded); n != jpegScans(jpg) || n < 1 {
		t.Errorf("jpegScans = %d, want %d", n, jpegScans(jpg))
	}
	if _, err := ProbeImage(padded, Limits{}); err != nil {
		t.Errorf("ProbeImage: %v", err)
	}
}

// TestProbeCoding: the probe reads what a PNG's, GIF's or WebP's decode
// memory depends on from the chunks or blocks before its pixels.
func TestProbeCoding(t *testing.T) {
	px := func(x, y int, px []byte) { px[0] = byte(x + y) }
	frame := image.Rect(2, 3, 10, 9)
	partial := func() []byte {
		m := image.NewPaletted(frame, color.Palette{color.Black, color.White})
		var buf bytes.Buffer
		if err := gif.EncodeAll(&buf, &gif.GIF{Image: []*image.Paletted{m}, Delay: []int{0},
			Config: image.Config{Width: 16, Height: 12, ColorModel: m.Palette}}); err != nil {
			t.Fatal(err)
		}
		return gifInterlaced(buf.Bytes())
	}
	lossyAlpha := encodeWebPT(t, photoAlpha(40, 30), false)
	tests := []struct {
		name string
		data []byte
		want Coding
	}{
		{"png grey 1-bit interlaced", rawPNG(20, 10, 0, 1, true, px), Coding{BitDepth: 1, Interlaced: true}},
		{"png grey tRNS", withPNGChunk(rawPNG(20, 10, 0, 16, false, px), "tRNS", []byte{0, 7}),
			Coding{BitDepth: 16, Transparency: true}},
		{"png palette", encodePNGT(t, photoPaletted(20, 10)), Coding{BitDepth: 8, ColorType: 3}},
		{"gif interlaced frame inside screen", partial(), Coding{Frame: frame, Interlaced: true}},
		{"webp lossy alpha", lossyAlpha, Coding{Alpha: true,
			CodedBytes: int64(binary.LittleEndian.Uint32(lossyAlpha[bytes.Index(lossyAlpha, []byte("VP8 "))+4:]))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ProbeImage(tt.data, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if p.Coding != tt.want {
				t.Errorf("Coding = %+v, want %+v", p.Coding, tt.want)
			}
			if _, err := decode(tt.data, p, 0); err != nil {
				t.Errorf("the file does not decode: %v", err)
			}
		})
	}
}
