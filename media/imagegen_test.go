package media

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"

	xwebp "golang.org/x/image/webp"

	"github.com/stillroom/stillroom/core"
)

// Images for the tests are generated here; the package has no binary
// fixtures.

var (
	red         = color.NRGBA{0xFF, 0, 0, 0xFF}
	green       = color.NRGBA{0, 0xFF, 0, 0xFF}
	blue        = color.NRGBA{0, 0, 0xFF, 0xFF}
	white       = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	transparent = color.NRGBA{}
)

// solid returns a w×h image of one colour.
func solid(w, h int, c color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return img
}

// quadrants returns a w×h image with top-left red, top-right green,
// bottom-left blue and bottom-right white.
func quadrants(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := [2][2]color.NRGBA{{red, green}, {blue, white}}[y*2/h][x*2/w]
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// gradient returns an opaque w×h image that varies smoothly in both axes.
func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := img.PixOffset(x, y)
			img.Pix[i] = uint8(x * 255 / max(1, w-1))
			img.Pix[i+1] = uint8(y * 255 / max(1, h-1))
			img.Pix[i+2] = uint8((x + y) * 255 / max(1, w+h-2))
			img.Pix[i+3] = 0xFF
		}
	}
	return img
}

// photoLike returns an opaque w×h image of overlapping gradients and
// noise, which compresses about as badly as a photograph.
func photoLike(w, h int) *image.RGBA {
	img := gradient(w, h)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < len(img.Pix); i += 4 {
		n := int(rng.Uint32()%33) - 16
		for c := 0; c < 3; c++ {
			img.Pix[i+c] = uint8(clamp(int(img.Pix[i+c])+n, 0, 255))
		}
	}
	return img
}

func encodeJPEGT(tb testing.TB, img image.Image, quality int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		tb.Fatalf("encode JPEG: %v", err)
	}
	return buf.Bytes()
}

func encodePNGT(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		tb.Fatalf("encode PNG: %v", err)
	}
	return buf.Bytes()
}

func encodeGIFT(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := gif.Encode(&buf, img, nil); err != nil {
		tb.Fatalf("encode GIF: %v", err)
	}
	return buf.Bytes()
}

// exifTIFF returns a TIFF structure whose IFD0 holds one Orientation entry
// of the given type (3 SHORT, 4 LONG) and value.
func exifTIFF(order binary.ByteOrder, typ uint16, orientation uint32) []byte {
	t := make([]byte, 26)
	if order == binary.LittleEndian {
		copy(t, "II")
	} else {
		copy(t, "MM")
	}
	order.PutUint16(t[2:], 42)
	order.PutUint32(t[4:], 8) // IFD0 offset
	order.PutUint16(t[8:], 1) // one entry
	order.PutUint16(t[10:], 0x0112)
	order.PutUint16(t[12:], typ)
	order.PutUint32(t[14:], 1) // count
	if typ == 3 {
		order.PutUint16(t[18:], uint16(orientation))
	} else {
		order.PutUint32(t[18:], orientation)
	}
	// t[22:26]: no next IFD
	return t
}

// withSegment inserts a marker segment into a JPEG right after SOI.
func withSegment(jpg []byte, marker byte, payload []byte) []byte {
	seg := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	seg = append(seg, payload...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// withEXIFOrientation inserts an APP1 EXIF segment with orientation o.
func withEXIFOrientation(jpg []byte, o int) []byte {
	payload := append([]byte("Exif\x00\x00"), exifTIFF(binary.BigEndian, 3, uint32(o))...)
	return withSegment(jpg, 0xE1, payload)
}

// pngHeaderOnly returns a PNG signature and an IHDR chunk declaring w×h
// 8-bit RGBA pixels, and nothing else.
func pngHeaderOnly(w, h uint32) []byte {
	out := []byte("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // bit depth, colour type RGBA
	return append(out, pngChunk("IHDR", ihdr)...)
}

func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// bitWriter writes the least significant bit first, as VP8L reads.
type bitWriter struct {
	buf   []byte
	acc   uint64
	nbits uint
}

func (w *bitWriter) write(v uint64, n uint) {
	w.acc |= v << w.nbits
	w.nbits += n
	for w.nbits >= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
		w.nbits -= 8
	}
}

func (w *bitWriter) bytes() []byte {
	if w.nbits > 0 {
		return append(w.buf, byte(w.acc))
	}
	return w.buf
}

// webpSolid returns a lossless WebP of w×h pixels of colour c. Each of the
// five prefix codes is a "simple" code of one symbol, which takes zero
// bits, so the pixel data is empty.
func webpSolid(w, h int, c color.NRGBA) []byte {
	bw := vp8lHeader(w, h)
	bw.write(0, 1) // no colour cache
	bw.write(0, 1) // no meta prefix codes
	for _, v := range []uint8{c.G, c.R, c.B, c.A} {
		bw.write(1, 1) // simple code
		bw.write(0, 1) // one symbol
		bw.write(1, 1) // 8-bit symbol
		bw.write(uint64(v), 8)
	}
	bw.write(1, 1) // distance: simple code
	bw.write(0, 1) // one symbol
	bw.write(0, 1) // 1-bit symbol
	bw.write(0, 1) // symbol 0
	return riffWebP("VP8L", bw.bytes())
}

// vp8lHeader starts a VP8L bitstream of w×h pixels with no transform.
func vp8lHeader(w, h int) *bitWriter {
	var bw bitWriter
	bw.write(0x2F, 8)
	bw.write(uint64(w-1), 14)
	bw.write(uint64(h-1), 14)
	bw.write(1, 1) // alpha hint
	bw.write(0, 3) // version
	bw.write(0, 1) // no transform
	return &bw
}

func riffWebP(chunk string, data []byte) []byte {
	body := []byte("WEBP")
	body = append(body, chunk...)
	body = binary.LittleEndian.AppendUint32(body, uint32(len(data)))
	body = append(body, data...)
	if len(data)%2 == 1 {
		body = append(body, 0)
	}
	out := []byte("RIFF")
	out = binary.LittleEndian.AppendUint32(out, uint32(len(body)))
	return append(out, body...)
}

// wantCode fails unless err carries code.
func wantCode(tb testing.TB, err error, code core.Code) {
	tb.Helper()
	if got := core.ErrorCode(err); got != code {
		tb.Fatalf("error code %q, want %q (error: %v)", got, code, err)
	}
}

// near reports whether two colours differ by at most tol in each channel.
func near(a, b color.NRGBA, tol int) bool {
	d := func(x, y uint8) bool { return abs(int(x)-int(y)) <= tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B) && d(a.A, b.A)
}

func abs(v int) int { return max(v, -v) }

func nrgbaAt(img image.Image, x, y int) color.NRGBA {
	b := img.Bounds()
	return color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
}

// decodeRendition decodes r's bytes with the decoder of its format, after
// checking the bytes really are that format.
func decodeRendition(tb testing.TB, r Rendition) image.Image {
	tb.Helper()
	f, _, err := Sniff(r.Data)
	if err != nil || f != r.Format {
		tb.Fatalf("%s: data sniffs as %q (%v), rendition says %q", r.Name, f, err, r.Format)
	}
	var img image.Image
	switch r.Format {
	case FormatJPEG:
		img, err = jpeg.Decode(bytes.NewReader(r.Data))
	case FormatPNG:
		img, err = png.Decode(bytes.NewReader(r.Data))
	case FormatWebP:
		// golang.org/x/image/webp: a decoder independent of the encoder.
		img, err = xwebp.Decode(bytes.NewReader(r.Data))
		if err == nil {
			img = vp8ToNRGBA(img)
		}
	default:
		tb.Fatalf("%s: rendition format %q", r.Name, r.Format)
	}
	if err != nil {
		tb.Fatalf("%s: decode: %v", r.Name, err)
	}
	if s := img.Bounds().Size(); s != image.Pt(r.Width, r.Height) {
		tb.Fatalf("%s: decodes as %v, rendition says %dx%d", r.Name, s, r.Width, r.Height)
	}
	return img
}

// planned is what Result.Renditions should hold, in order, for an image
// whose JPEG/PNG set is primary.
func planned(primary Format) []struct {
	Name   string
	Format Format
} {
	type nf = struct {
		Name   string
		Format Format
	}
	var out []nf
	for _, s := range RenditionSpecs {
		f := primary
		if s.JPEGOnly {
			f = FormatJPEG
		}
		out = append(out, nf{s.Name, f})
	}
	for _, s := range RenditionSpecs {
		if !s.JPEGOnly {
			out = append(out, nf{s.Name, FormatWebP})
		}
	}
	return out
}

// checkPlan fails unless res holds the planned renditions, in order.
func checkPlan(tb testing.TB, res *Result, primary Format) {
	tb.Helper()
	want := planned(primary)
	if len(res.Renditions) != len(want) {
		tb.Fatalf("%d renditions, want %d", len(res.Renditions), len(want))
	}
	for i, r := range res.Renditions {
		if r.Name != want[i].Name || r.Format != want[i].Format || r.MimeType != want[i].Format.MimeType() {
			tb.Errorf("rendition %d is %s %s (%s), want %s %s", i, r.Name, r.Format, r.MimeType, want[i].Name, want[i].Format)
		}
	}
}

// rendition returns the JPEG/PNG rendition called name.
func rendition(tb testing.TB, res *Result, name string) Rendition {
	tb.Helper()
	return renditionIn(tb, res, name, "")
}

// renditionIn returns the rendition called name in format f (any but WebP
// when f is "").
func renditionIn(tb testing.TB, res *Result, name string, f Format) Rendition {
	tb.Helper()
	for _, r := range res.Renditions {
		if r.Name == name && (r.Format == f || f == "" && r.Format != FormatWebP) {
			return r
		}
	}
	tb.Fatalf("no rendition %q", name)
	return Rendition{}
}

// vp8ToNRGBA converts a lossy WebP as x/image/webp decodes it (Y'CbCr,
// maybe with alpha) to colours as libwebp and browsers show them: VP8 uses
// BT.601 studio range (Y 16..235), while Go's YCbCr colour model is JPEG's
// full range. Other images are returned as they are.
func vp8ToNRGBA(img image.Image) image.Image {
	var yc *image.YCbCr
	var alpha func(x, y int) uint8
	switch m := img.(type) {
	case *image.YCbCr:
		yc = m
		alpha = func(int, int) uint8 { return 0xFF }
	case *image.NYCbCrA:
		yc = &m.YCbCr
		alpha = func(x, y int) uint8 { return m.A[m.AOffset(x, y)] }
	default:
		return img
	}
	b := yc.Rect
	out := image.NewNRGBA(b)
	clip := func(v float64) uint8 { return uint8(max(0, min(255, math.Round(v)))) }
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			Y := 1.164 * (float64(yc.Y[yc.YOffset(x, y)]) - 16)
			cb := float64(yc.Cb[yc.COffset(x, y)]) - 128
			cr := float64(yc.Cr[yc.COffset(x, y)]) - 128
			i := out.PixOffset(x, y)
			out.Pix[i] = clip(Y + 1.596*cr)
			out.Pix[i+1] = clip(Y - 0.391*cb - 0.813*cr)
			out.Pix[i+2] = clip(Y + 2.018*cb)
			out.Pix[i+3] = alpha(x, y)
		}
	}
	return out
}
