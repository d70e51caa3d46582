package media

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stillroom/stillroom/core"
)

// TestProcessHostileCorpus runs Process on files built to hurt image
// servers, generated here, and checks each gives the expected code ("" for
// success) while allocating less than a fixed bound. A file over the
// upload byte limit is the app's to refuse, before Process, and is not
// here.
func TestProcessHostileCorpus(t *testing.T) {
	jpg := encodeJPEGT(t, photoLike(640, 480), 90)
	png := encodePNGT(t, photoLike(320, 240))
	rng := rand.New(rand.NewPCG(11, 12))
	random := make([]byte, 64<<10)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	random[0] = 0 // not, by chance, a JPEG

	pngBadIHDRCRC := bytes.Clone(png)
	pngBadIHDRCRC[29] ^= 0xFF
	pngBadDataCRC := bytes.Clone(png)
	pngBadDataCRC[len(png)-13] ^= 0xFF // the last IDAT's CRC, before IEND

	bomb := pngBomb(t, 20000, 20000)
	if len(bomb) > 100<<10 {
		t.Fatalf("the PNG bomb is %d bytes", len(bomb))
	}

	vp8x := make([]byte, 10)
	copy(vp8x[4:], []byte{0xFF, 0x3F, 0}) // 16384 wide, the most WebP allows
	copy(vp8x[7:], []byte{0xFF, 0x3F, 0})

	cmyk := cmykJPEG(16, 8, [4]uint8{192, 64, 128, 255})

	type tc struct {
		name string
		data []byte
		lim  Limits
		code core.Code
		// check, when set, looks at a successful result.
		check func(*testing.T, *Result)
	}
	tests := []tc{
		{name: "zero bytes", data: nil, code: core.CodeUnsupportedMediaType},
		{name: "random bytes", data: random, code: core.CodeUnsupportedMediaType},
		{name: "JPEG magic then random", data: append([]byte{0xFF, 0xD8, 0xFF}, random...), code: core.CodeBadUserInput},
		{name: "truncated jpeg", data: jpg[:len(jpg)/3], code: core.CodeBadUserInput},
		{name: "jpeg header only", data: jpg[:bytes.Index(jpg, []byte{0xFF, 0xDA})], code: core.CodeBadUserInput},
		{name: "png bad IHDR crc", data: pngBadIHDRCRC, code: core.CodeBadUserInput},
		{name: "png bad IDAT crc", data: pngBadDataCRC, code: core.CodeBadUserInput},
		{name: "png declaring 100000x100000", data: pngHeaderOnly(100000, 100000), code: core.CodeTooManyPixels},
		{name: "jpeg SOF declaring 65500x65500", data: jpegWithSize(t, 65500, 65500), code: core.CodeTooManyPixels},
		{name: "png bomb 20000x20000", data: bomb, code: core.CodeTooManyPixels},
		{name: "png bomb 20000x20000 under a side limit", data: bomb, lim: Limits{MaxSide: 10000}, code: core.CodeTooManyPixels},
		{name: "png 1x60000", data: encodePNGT(t, image.NewGray(image.Rect(0, 0, 1, 60000))), code: core.CodeTooManyPixels},
		{name: "png 1x60000 with the side limit raised", data: encodePNGT(t, image.NewGray(image.Rect(0, 0, 1, 60000))), lim: Limits{MaxSide: 60000},
			check: func(t *testing.T, r *Result) { wantSize(t, r, "w2048", 1, 8192) }},
		{name: "gif 65535x65535", data: gifWithScreen(t, 65535, 65535), code: core.CodeTooManyPixels},
		{name: "webp VP8X 16384x16384", data: riffWebP("VP8X", vp8x), code: core.CodeTooManyPixels},
		{name: "cmyk jpeg", data: cmyk, check: func(t *testing.T, r *Result) {
			img := decodeRendition(t, rendition(t, r, "w256"))
			if got := nrgbaAt(img, 8, 4); !near(got, color.NRGBA{192, 64, 128, 0xFF}, 6) {
				t.Errorf("CMYK colour %v, want about {192 64 128}", got)
			}
		}},
		{name: "16-bit png", data: encodePNGT(t, gradient16(300, 200)), check: func(t *testing.T, r *Result) {
			wantSize(t, r, "w256", 256, 171)
		}},
		{name: "animated gif gives its first frame", data: animatedGIF(t), check: func(t *testing.T, r *Result) {
			img := decodeRendition(t, rendition(t, r, "w256"))
			if got := nrgbaAt(img, 128, 96); !near(got, red, 8) {
				t.Errorf("centre %v, want the first frame's red", got)
			}
		}},
		{name: "animated webp", data: animatedWebP(64, 48), code: core.CodeUnsupportedMediaType},
		// 60 megapixels, within the pixel limits, that would hold 1.1 GB.
		{name: "progressive cmyk jpeg 2000x30000", data: withSOFSize(layoutJPEG(jpegLayoutSpec{w: 16, h: 16, comps: 4, progressive: true}), 2000, 30000),
			code: core.CodeTooManyPixels},
		{name: "svg with a script", data: []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>fetch('/graphql')</script></svg>`), code: core.CodeUnsupportedMediaType},
		{name: "html named .jpg", data: []byte("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"), code: core.CodeUnsupportedMediaType},
		{name: "jpeg with hostile exif", data: withSegment(jpg, 0xE1, exifSegment(buildTIFF(binary.BigEndian,
			[]ifdField{{tagArtist, tiffASCII, 0xFFFFFFFF, []byte("abcd")}, longField(binary.BigEndian, tagExifIFD, 8)}, nil, nil))),
			check: func(t *testing.T, r *Result) {
				if !r.Metadata.IsZero() {
					t.Errorf("metadata %+v", r.Metadata)
				}
			}},
		{name: "jpeg with too many scans", data: append(bytes.Clone(jpg[:len(jpg)-2]), append(bytes.Repeat([]byte{0xFF, 0xDA, 0, 2}, MaxJPEGScans), 0xFF, 0xD9)...), code: core.CodeBadUserInput},
	}
	quads := encodeJPEGT(t, quadrants(400, 200), 90)
	for o := 1; o <= 8; o++ {
		w, h := 400, 200
		if o >= 5 {
			w, h = 200, 400
		}
		tests = append(tests, tc{name: fmt.Sprintf("orientation %d", o), data: withEXIFOrientation(quads, o),
			check: func(t *testing.T, r *Result) {
				if r.Width != w || r.Height != h {
					t.Errorf("upright %dx%d, want %dx%d", r.Width, r.Height, w, h)
				}
			}})
	}

	const maxAlloc = 64 << 20
	// The WebP encoder's one-time compile (per process, tens of MB of
	// allocations) is not a cost of any one call.
	WarmWebP()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			res, err := Process(context.Background(), tt.data, Options{Limits: tt.lim})
			runtime.ReadMemStats(&after)
			wantCode(t, err, tt.code)
			if err != nil && core.ErrorMessage(err) == "internal error" {
				t.Errorf("message not shown to clients: %v", err)
			}
			if err == nil && tt.check != nil {
				tt.check(t, res)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > maxAlloc {
				t.Errorf("Process allocated %d MiB, bound %d MiB", n>>20, maxAlloc>>20)
			}
			t.Logf("allocated %.1f MiB", float64(after.TotalAlloc-before.TotalAlloc)/(1<<20))
		})
	}
}

func wantSize(t *testing.T, r *Result, name string, w, h int) {
	t.Helper()
	if got := rendition(t, r, name); got.Width != w || got.Height != h {
		t.Errorf("%s is %dx%d, want %dx%d", name, got.Width, got.Height, w, h)
	}
}

// pngBomb returns a valid PNG of w×h black 1-bit grey pixels: a few tens
// of KB that decode to w×h bytes or more.
func pngBomb(tb testing.TB, w, h int) []byte {
	tb.Helper()
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 1, 0 // bit depth 1, greyscale
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	row := make([]byte, 1+(w+7)/8) // filter byte 0 and zero pixels
	for range h {
		zw.Write(row)
	}
	zw.Close()
	out := append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", z.Bytes())...)
	return append(out, pngChunk("IEND", nil)...)
}

// gifWithScreen returns a small GIF whose logical screen claims w×h.
func gifWithScreen(tb testing.TB, w, h uint16) []byte {
	g := encodeGIFT(tb, gradient(8, 8))
	binary.LittleEndian.PutUint16(g[6:], w)
	binary.LittleEndian.PutUint16(g[8:], h)
	return g
}

// gradient16 returns an opaque 16-bit image.
func gradient16(w, h int) *image.RGBA64 {
	img := image.NewRGBA64(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Rect, gradient(w, h), image.Point{}, draw.Src)
	return img
}

// animatedGIF returns a 400×300 two-frame GIF: a red first frame, a blue
// second.
func animatedGIF(tb testing.TB) []byte {
	tb.Helper()
	palette := color.Palette{red, blue}
	first := image.NewPaletted(image.Rect(0, 0, 400, 300), palette)
	second := image.NewPaletted(image.Rect(0, 0, 400, 300), palette)
	draw.Draw(second, second.Rect, image.NewUniform(blue), image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, &gif.GIF{Image: []*image.Paletted{first, second}, Delay: []int{10, 10}}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// animatedWebP returns a valid two-frame animated WebP of w×h pixels
// (each at most 16384): VP8X with the animation flag, ANIM, and two ANMF
// frames covering the canvas, each a lossless solid frame (webpSolid),
// red then blue.
func animatedWebP(w, h int) []byte {
	chunk := func(id string, payload []byte) []byte {
		b := binary.LittleEndian.AppendUint32([]byte(id), uint32(len(payload)))
		b = append(b, payload...)
		if len(payload)%2 == 1 {
			b = append(b, 0)
		}
		return b
	}
	le24 := func(b []byte, v int) []byte { return append(b, byte(v), byte(v>>8), byte(v>>16)) }
	vp8x := le24(le24([]byte{1 << 1, 0, 0, 0}, w-1), h-1) // flags: animation
	anim := []byte{0xFF, 0xFF, 0xFF, 0xFF, 0, 0}          // background colour, loop forever
	body := append([]byte("WEBP"), chunk("VP8X", vp8x)...)
	body = append(body, chunk("ANIM", anim)...)
	for _, c := range []color.NRGBA{red, blue} {
		frame := le24(le24(le24(le24(le24(nil, 0), 0), w-1), h-1), 100) // at 0,0; w×h; 100 ms
		frame = append(frame, 0)                                        // no blending, no disposal
		frame = append(frame, webpSolid(w, h, c)[12:]...)               // its VP8L chunk
		body = append(body, chunk("ANMF", frame)...)
	}
	return append(binary.LittleEndian.AppendUint32([]byte("RIFF"), uint32(len(body))), body...)
}

// cmykJPEG assembles, byte by byte, a baseline Adobe CMYK JPEG of w×h
// pixels (w and h multiples of 8) of one colour: stored, inverted as
// Adobe writes them, samples s. image/jpeg cannot write CMYK, and the
// smallest real file needs only DC coefficients: every block codes its DC
// difference (the first MCU's moves each component from 128 to s) and an
// end of block. Each s must be 128 or 64 away from it, or 255.
func cmykJPEG(w, h int, s [4]uint8) []byte {
	seg := func(marker byte, payload []byte) []byte {
		b := []byte{0xFF, marker, 0, 0}
		binary.BigEndian.PutUint16(b[2:], uint16(len(payload)+2))
		return append(b, payload...)
	}
	out := []byte{0xFF, 0xD8}
	// APP14 Adobe, transform 0: the four components are CMYK as stored.
	out = append(out, seg(0xEE, []byte("Adobe\x00\x64\x00\x00\x00\x00\x00"))...)
	out = append(out, seg(0xDB, append([]byte{0}, bytes.Repeat([]byte{1}, 64)...))...) // all quantisers 1
	sof := []byte{8, 0, 0, 0, 0, 4}
	binary.BigEndian.PutUint16(sof[1:], uint16(h))
	binary.BigEndian.PutUint16(sof[3:], uint16(w))
	for c := byte(1); c <= 4; c++ {
		sof = append(sof, c, 0x11, 0)
	}
	out = append(out, seg(0xC0, sof)...)
	// DC table 0: category 0 is "0", category 10 is "10". AC table 0:
	// end of block is "0".
	dc := append([]byte{0x00, 1, 1}, make([]byte, 14)...)
	out = append(out, seg(0xC4, append(dc, 0, 10))...)
	ac := append([]byte{0x10, 1}, make([]byte, 15)...)
	out = append(out, seg(0xC4, append(ac, 0x00))...)
	sos := []byte{4}
	for c := byte(1); c <= 4; c++ {
		sos = append(sos, c, 0x00)
	}
	out = append(out, seg(0xDA, append(sos, 0, 63, 0))...)

	var bw msbWriter
	for mcu := range (w / 8) * (h / 8) {
		for _, v := range s {
			// A DC-only block decodes to 128 + DC/8 with quantiser 1.
			diff := (int(v) - 128) * 8
			switch {
			case mcu > 0 || diff == 0:
				bw.write(0, 1)
			case diff > 0:
				bw.write(0b10, 2)
				bw.write(uint32(diff), 10)
			default:
				bw.write(0b10, 2)
				bw.write(uint32(diff+1023), 10)
			}
			bw.write(0, 1) // end of block
		}
	}
	out = append(out, bw.flush()...)
	return append(out, 0xFF, 0xD9)
}

// msbWriter writes bits most significant first, stuffing a zero after
// each 0xFF byte, as JPEG entropy-coded data requires.
type msbWriter struct {
	buf []byte
	acc byte
	n   uint
}

func (w *msbWriter) write(v uint32, bits uint) {
	for i := bits; i > 0; i-- {
		w.acc = w.acc<<1 | byte(v>>(i-1)&1)
		w.n++
		if w.n == 8 {
			w.buf = append(w.buf, w.acc)
			if w.acc == 0xFF {
				w.buf = append(w.buf, 0)
			}
			w.acc, w.n = 0, 0
		}
	}
}

// flush pads the last byte with ones and returns the bytes.
func (w *msbWriter) flush() []byte {
	for w.n != 0 {
		w.write(1, 1)
	}
	return w.buf
}
