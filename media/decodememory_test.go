package media

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"image"
	"image/color/palette"
	"image/gif"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/gen2brain/webp"

	"github.com/stillroom/stillroom/core"
)

// inputKind is one way of coding an image that the pipeline accepts,
// and how to write a w×h photo-like image that way.
type inputKind struct {
	name string
	make func(tb testing.TB, w, h int) []byte
}

// inputKinds are the PNG, GIF and WebP layouts whose decode memory the
// tests measure: every output type of the decoders, and what makes one
// decode hold more than its image (interlacing, a GIF frame smaller than
// its screen, a WebP's VP8L-coded alpha or colour table).
var inputKinds = []inputKind{
	{"PNG grey 8-bit", func(tb testing.TB, w, h int) []byte { return encodePNGT(tb, photoGrey(w, h)) }},
	{"PNG grey 8-bit tRNS", func(tb testing.TB, w, h int) []byte {
		return withPNGChunk(encodePNGT(tb, photoGrey(w, h)), "tRNS", []byte{0, 7})
	}},
	{"PNG grey 1-bit", func(tb testing.TB, w, h int) []byte {
		return rawPNG(w, h, 0, 1, false, func(x, y int, px []byte) { px[0] = byte((x ^ y) & 1) })
	}},
	{"PNG RGB 8-bit", func(tb testing.TB, w, h int) []byte { return encodePNGT(tb, photoLike(w, h)) }},
	{"PNG RGBA 8-bit", func(tb testing.TB, w, h int) []byte { return encodePNGT(tb, photoAlpha(w, h)) }},
	{"PNG palette 8-bit", func(tb testing.TB, w, h int) []byte { return encodePNGT(tb, photoPaletted(w, h)) }},
	{"PNG grey 16-bit", func(tb testing.TB, w, h int) []byte { return encodePNGT(tb, photoGrey16(w, h)) }},
	{"PNG RGB 16-bit", func(tb testing.TB, w, h int) []byte { return encodePNGT(tb, photoRGBA64(w, h)) }},
	{"PNG RGBA 16-bit", func(tb testing.TB, w, h int) []byte { return encodePNGT(tb, photoNRGBA64(w, h)) }},
	{"PNG RGB 16-bit tRNS", func(tb testing.TB, w, h int) []byte {
		return withPNGChunk(encodePNGT(tb, photoRGBA64(w, h)), "tRNS", make([]byte, 6))
	}},
	{"PNG grey 8-bit interlaced", func(tb testing.TB, w, h int) []byte {
		return rawPNG(w, h, 0, 8, true, func(x, y int, px []byte) { px[0] = byte(x*7 + y*3) })
	}},
	{"PNG RGBA 8-bit interlaced", func(tb testing.TB, w, h int) []byte {
		return rawPNG(w, h, 6, 8, true, func(x, y int, px []byte) {
			px[0], px[1], px[2], px[3] = byte(x), byte(y), byte(x+y), byte(x*y)
		})
	}},
	{"PNG RGBA 16-bit interlaced", func(tb testing.TB, w, h int) []byte {
		return rawPNG(w, h, 6, 16, true, func(x, y int, px []byte) {
			for i := range px {
				px[i] = byte(x*(i+1) + y)
			}
		})
	}},
	{"GIF", func(tb testing.TB, w, h int) []byte { return encodeGIFT(tb, photoPaletted(w, h)) }},
	{"GIF interlaced", func(tb testing.TB, w, h int) []byte {
		return gifInterlaced(encodeGIFT(tb, photoPaletted(w, h)))
	}},
	{"GIF frame inside screen", func(tb testing.TB, w, h int) []byte {
		frame := photoPaletted(w, h).SubImage(image.Rect(w/8, h/8, w-w/8, h-h/8)).(*image.Paletted)
		var buf bytes.Buffer
		err := gif.EncodeAll(&buf, &gif.GIF{Image: []*image.Paletted{frame}, Delay: []int{0},
			Config: image.Config{Width: w, Height: h, ColorModel: frame.Palette}})
		if err != nil {
			tb.Fatal(err)
		}
		return buf.Bytes()
	}},
	{"WebP lossy", func(tb testing.TB, w, h int) []byte { return encodeWebPT(tb, photoLike(w, h), false) }},
	{"WebP lossy alpha", func(tb testing.TB, w, h int) []byte { return encodeWebPT(tb, photoAlpha(w, h), false) }},
	{"WebP lossless", func(tb testing.TB, w, h int) []byte { return encodeWebPT(tb, photoLike(w, h), true) }},
	{"WebP lossless alpha", func(tb testing.TB, w, h int) []byte { return encodeWebPT(tb, photoAlpha(w, h), true) }},
	{"WebP lossless 16 colours", func(tb testing.TB, w, h int) []byte {
		return encodeWebPT(tb, photoColours(w, h, 16), true)
	}},
}

// photoGrey is photoLike's green channel as 8-bit grey.
func photoGrey(w, h int) *image.Gray {
	src := photoLike(w, h)
	img := image.NewGray(src.Rect)
	for i := range img.Pix {
		img.Pix[i] = src.Pix[4*i+1]
	}
	return img
}

// photoGrey16 is photoLike's green channel as 16-bit grey.
func photoGrey16(w, h int) *image.Gray16 {
	src := photoLike(w, h)
	img := image.NewGray16(src.Rect)
	for i := range w * h {
		img.Pix[2*i], img.Pix[2*i+1] = src.Pix[4*i+1], src.Pix[4*i]
	}
	return img
}

// photoAlpha is photoLike with alpha falling from opaque at the top to a
// quarter at the bottom.
func photoAlpha(w, h int) *image.NRGBA {
	src := photoLike(w, h)
	img := &image.NRGBA{Pix: src.Pix, Stride: src.Stride, Rect: src.Rect}
	for y := range h {
		for x := range w {
			img.Pix[img.PixOffset(x, y)+3] = uint8(255 - 191*y/max(1, h-1))
		}
	}
	return img
}

// photoRGBA64 is photoLike in 16 bits a channel, opaque.
func photoRGBA64(w, h int) *image.RGBA64 {
	src := photoLike(w, h)
	img := image.NewRGBA64(src.Rect)
	widen(img.Pix, src.Pix)
	return img
}

// photoNRGBA64 is photoAlpha in 16 bits a channel.
func photoNRGBA64(w, h int) *image.NRGBA64 {
	src := photoAlpha(w, h)
	img := image.NewNRGBA64(src.Rect)
	widen(img.Pix, src.Pix)
	return img
}

// widen writes 8-bit RGBA samples as 16-bit ones, with low bytes that
// vary, and an alpha of 0xFF (opaque) as 0xFFFF.
func widen(dst, src []byte) {
	for i, v := range src {
		lo := byte(i)
		if i%4 == 3 && v == 0xFF {
			lo = 0xFF
		}
		dst[2*i], dst[2*i+1] = v, lo
	}
}

// photoPaletted is photoLike in the 216-colour web-safe palette.
func photoPaletted(w, h int) *image.Paletted {
	src := photoLike(w, h)
	img := image.NewPaletted(src.Rect, palette.WebSafe)
	for i := range img.Pix {
		p := src.Pix[4*i:]
		// WebSafe is ordered by red, green, blue, each in 6 steps of 0x33.
		img.Pix[i] = uint8((int(p[0])+25)/51*36 + (int(p[1])+25)/51*6 + (int(p[2])+25)/51)
	}
	return img
}

// photoColours is an opaque image of n colours in bands with noise, which
// a lossless WebP encoder codes through a colour table, with pixels
// bundled several to a code when n is at most 16.
func photoColours(w, h, n int) *image.NRGBA {
	src := photoLike(w, h)
	img := image.NewNRGBA(src.Rect)
	for i := 0; i < len(img.Pix); i += 4 {
		c := int(src.Pix[i]) * n / 256
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(c*255/n), uint8(255-c*9), uint8(c*c), 0xFF
	}
	return img
}

func encodeWebPT(tb testing.TB, img image.Image, lossless bool) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := webp.Encode(&buf, img, webp.Options{Quality: 80, Lossless: lossless, Method: 0}); err != nil {
		tb.Fatalf("encode WebP: %v", err)
	}
	return buf.Bytes()
}

// withPNGChunk returns a PNG with a chunk inserted right after IHDR.
func withPNGChunk(data []byte, typ string, payload []byte) []byte {
	const afterIHDR = 8 + 8 + 13 + 4
	return append(append(bytes.Clone(data[:afterIHDR]), pngChunk(typ, payload)...), data[afterIHDR:]...)
}

// rawPNG writes a w×h PNG of the colour type and bit depth given, each
// pixel set by px (a byte a sample for depths of 8 or less, of which the
// low depth bits count; 2 for 16), its rows unfiltered, Adam7-interlaced
// when asked: Go's encoder writes neither interlaced files nor depths
// below 8 for grey.
func rawPNG(w, h int, colorType, depth byte, interlaced bool, px func(x, y int, px []byte)) []byte {
	samples := map[byte]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colorType]
	bytesPerSample := max(1, int(depth)/8)
	passes := [][4]int{{0, 0, 1, 1}}
	if interlaced {
		passes = [][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}
	}
	var raw bytes.Buffer
	pixel := make([]byte, samples*bytesPerSample)
	for _, p := range passes {
		for y := p[1]; y < h; y += p[3] {
			if p[0] >= w {
				break
			}
			raw.WriteByte(0) // filter: none
			var acc, nbits uint
			for x := p[0]; x < w; x += p[2] {
				px(x, y, pixel)
				if depth >= 8 {
					raw.Write(pixel)
					continue
				}
				for _, s := range pixel[:samples] {
					acc = acc<<depth | uint(s)&(1<<depth-1)
					nbits += uint(depth)
					if nbits == 8 {
						raw.WriteByte(byte(acc))
						acc, nbits = 0, 0
					}
				}
			}
			if nbits > 0 {
				raw.WriteByte(byte(acc << (8 - nbits)))
			}
		}
	}
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
	zw.Write(raw.Bytes())
	zw.Close()
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = depth, colorType
	if interlaced {
		ihdr[12] = 1
	}
	out := append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", z.Bytes())...)
	return append(out, pngChunk("IEND", nil)...)
}

// gifInterlaced sets the interlace flag of a GIF's first image: its rows
// are then read in interlaced order (the picture is scrambled, the
// decoder's memory is that of an interlaced file).
func gifInterlaced(data []byte) []byte {
	out := bytes.Clone(data)
	i := 13
	if out[10]&0x80 != 0 {
		i += 3 << (out[10]&7 + 1)
	}
	for out[i] == 0x21 { // extensions: label, then sub-blocks
		i += 2
		for out[i] != 0 {
			i += int(out[i]) + 1
		}
		i++
	}
	if out[i] != 0x2C {
		panic("no image descriptor")
	}
	out[i+9] |= 0x40
	return out
}

// heapPeak runs fn with the collector at GOGC=1, so that the heap holds
// little more than what is live, and samples the bytes of heap objects
// every 100 µs: the most it saw above what was there before, and what fn
// allocated in all (TotalAlloc, a bound of the peak that counts every
// temporary).
func heapPeak(fn func()) (peak, total uint64) {
	runtime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(1))
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	base, allocs := s[0].Value.Uint64(), s[1].Value.Uint64()
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		most := uint64(0)
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			most = max(most, sample[0].Value.Uint64())
			select {
			case <-stop:
				done <- most
				return
			case <-t.C:
			}
		}
	}()
	fn()
	metrics.Read(s)
	close(stop)
	most := max(<-done, s[0].Value.Uint64())
	return most - min(most, base), s[1].Value.Uint64() - allocs
}

// peakRuns is how many times leastHeapPeak runs fn at most.
const peakRuns = 3

// leastHeapPeak runs fn under heapPeak until a run's peak is within
// bound, at most peakRuns times, and returns the least peak seen, the
// most, and what the first run allocated. The sampled peak also counts
// dead objects the collector has not swept yet, more or fewer by timing,
// so an upper bound is asserted on the least of a few runs: a charge that
// is really too low is exceeded by every run.
func leastHeapPeak(bound int64, fn func()) (least, most, total uint64) {
	for i := range peakRuns {
		peak, allocated := heapPeak(fn)
		if i == 0 {
			least, total = peak, allocated
		}
		least, most = min(least, peak), max(most, peak)
		if int64(least) <= bound {
			break
		}
	}
	return least, most, total
}

// decodeAllowance is what the decoders hold besides what decodeBytes
// charges (zlib's window, and its Huffman tables, which compress/flate
// allocates anew for each deflate block, so a few hundred KB of them may
// wait for the collector; LZW's tables, bufio's, VP8's per-macroblock
// state): it is within DecodeCost's fixed 4 MiB.
const decodeAllowance = 512 << 10

// TestDecodeMemoryByKind checks decodeBytes, the decoder's share of
// DecodeCost for a PNG, GIF or WebP, against the most the heap holds
// while decoding each kind (and, for a type the resizer reads slowly,
// converting it, as render does), sampled with the collector at GOGC=1:
// the charge must be at least the peak (the least of up to peakRuns
// runs: leastHeapPeak), less decodeAllowance, and at
// most 1.25 times what was allocated (1.75 for lossless WebP, whose bundled colour table,
// which needs up to 2 more bytes a pixel, only its bitstream shows),
// plus decodeAllowance (for lossless WebP, less the bound of its Huffman
// trees, which only a crafted file fills). With the charge before (8 bytes a pixel for
// every PNG, 5 for a GIF, 4 for a WebP), interlaced 16-bit PNG (16),
// lossy WebP with alpha (6.5) and lossless WebP of 16 colours (6) were
// under-charged, and 8-bit grey, palette and 8-bit colour PNG, and GIF,
// charged up to 8 times what they hold.
func TestDecodeMemoryByKind(t *testing.T) {
	w, h := 1500, 1000
	if raceDetector {
		w, h = 750, 500
	}
	for _, k := range inputKinds {
		data := k.make(t, w, h)
		p, err := ProbeImage(data, Limits{})
		if err != nil {
			t.Fatalf("%s: %v", k.name, err)
		}
		var derr error
		charge := decodeBytes(p)
		peak, _, total := leastHeapPeak(charge+decodeAllowance, func() {
			var img image.Image
			if img, derr = decode(data, p, 0); derr == nil && !resamplerReadsFast(img) {
				toNRGBA(img)
			}
		})
		if derr != nil {
			t.Fatalf("%s: %v", k.name, derr)
		}
		px := float64(p.Pixels())
		t.Logf("%-26s %d×%d: peak %5.2f bytes a pixel (allocated %5.2f), charged %5.2f",
			k.name, w, h, float64(peak)/px, float64(total)/px, float64(charge)/px)
		if int64(peak) > charge+decodeAllowance {
			t.Errorf("%s: decoding held %d bytes, over its charge %d", k.name, peak, charge)
		}
		factor := 1.25
		if p.Coding.Lossless {
			factor = 1.75
			charge -= vp8lTrees(p) // the bound of any file's trees: TestDecodeMemoryHuffmanTrees
		}
		// Against all that was allocated, which the sampled peak may miss
		// a moment of: a bound of the peak that does not depend on timing.
		if float64(charge) > factor*float64(total)+decodeAllowance {
			t.Errorf("%s: the charge %d is over %.2f times what decoding allocated, %d", k.name, charge, factor, total)
		}
	}
}

// TestProcessMemoryByKind checks DecodeCost end to end for each kind:
// the most the heap holds during Process (sampled as in
// TestDecodeMemoryByKind, the least of up to peakRuns runs) must be within
// DecodeCost's heap part (the WebP encoders' memory, which DecodeCost also
// counts, is outside Go's heap) and that part at most 3 times the peak
// (the most of those runs; less, for lossless WebP,
// the bound of its Huffman trees): renditions are charged
// as if each one's pixels, upright copy and resampler intermediate were
// all held at once. The larger size is halved before resizing; at it,
// with the charge before, an interlaced 16-bit PNG held 215 MB against
// 199 MB charged. Without -race only: Process under it takes minutes for
// these sizes (TestDecodeMemoryByKind checks the decoders under it).
func TestProcessMemoryByKind(t *testing.T) {
	if raceDetector {
		t.Skip("Process is ten times slower under -race; the decoders' share is checked by TestDecodeMemoryByKind")
	}
	WarmWebP()
	large := map[string]bool{"PNG RGBA 16-bit interlaced": true, "WebP lossy alpha": true}
	for _, k := range inputKinds {
		sizes := [][2]int{{1200, 800}}
		if large[k.name] {
			sizes = append(sizes, [2]int{4800, 3200})
		}
		for _, size := range sizes {
			data := k.make(t, size[0], size[1])
			p, err := ProbeImage(data, Limits{})
			if err != nil {
				t.Fatalf("%s: %v", k.name, err)
			}
			var perr error
			heap, _ := decodeCostParts(p)
			peak, most, total := leastHeapPeak(heap, func() { _, perr = Process(context.Background(), data, Options{}) })
			if perr != nil {
				t.Fatalf("%s: %v", k.name, perr)
			}
			t.Logf("%-26s %d×%d: peak %6.1f MB (the most of the runs %6.1f MB, allocated %6.1f MB), charged %6.1f MB on the heap, DecodeCost %6.1f MB",
				k.name, size[0], size[1], float64(peak)/1e6, float64(most)/1e6, float64(total)/1e6, float64(heap)/1e6, float64(DecodeCost(p))/1e6)
			if int64(peak) > heap {
				t.Errorf("%s %d×%d: Process held %d bytes, over DecodeCost's heap part %d", k.name, size[0], size[1], peak, heap)
			}
			if p.Coding.Lossless {
				heap -= vp8lTrees(p) // the bound of any file's trees: TestDecodeMemoryHuffmanTrees
			}
			if heap > 3*int64(most) {
				t.Errorf("%s %d×%d: DecodeCost's heap part %d is over 3 times what Process held, %d", k.name, size[0], size[1], heap, most)
			}
		}
	}
}

// TestProbeRefusesCostlyCoding: an image whose coding makes its decode
// cost more than Limits.MaxDecodeBytes is refused from its headers, with
// a message that names the coding; the same pixels coded more cheaply
// pass. A 60-megapixel interlaced 16-bit PNG holds 16 bytes a pixel while
// it is decoded (TestDecodeMemoryByKind): 1.1 GB with its renditions.
func TestProbeRefusesCostlyCoding(t *testing.T) {
	header := func(depth, interlace byte) []byte {
		ihdr := make([]byte, 13)
		binary.BigEndian.PutUint32(ihdr[0:], 10000)
		binary.BigEndian.PutUint32(ihdr[4:], 6000)
		ihdr[8], ihdr[9], ihdr[12] = depth, 6, interlace
		return append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
	}
	_, err := ProbeImage(header(16, 1), Limits{})
	wantCode(t, err, core.CodeTooManyPixels)
	if msg := core.ErrorMessage(err); !strings.Contains(msg, "interlaced 16-bit PNG") {
		t.Errorf("message %q does not say what makes it costly", msg)
	}
	for _, cheaper := range [][]byte{header(16, 0), header(8, 1), header(8, 0)} {
		if _, err := ProbeImage(cheaper, Limits{}); err != nil {
			t.Errorf("%x: %v", cheaper[24:29], err)
		}
	}
}

// TestDecodeMemoryHuffmanTrees: a lossless WebP of 208×200 pixels that
// declares 2600 groups of Huffman codes (x/image/vp8l's cap), every
// alphabet full, makes the decoder hold about 150 MB from a file of about
// 1 MB, whatever its pixels (it is cut short after its codes, which the
// decoder builds before any pixel). DecodeCost must charge for it (the
// least peak of up to peakRuns runs): before vp8lTrees it charged 8 MB.
func TestDecodeMemoryHuffmanTrees(t *testing.T) {
	data := vp8lManyTrees(208, 200, 2600)
	p, err := ProbeImage(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var derr error
	charge := decodeBytes(p)
	peak, _, total := leastHeapPeak(charge+decodeAllowance, func() { _, derr = decode(data, p, 0) })
	if derr == nil {
		t.Fatal("a file cut short after its codes decoded")
	}
	t.Logf("%d bytes, %d×%d: peak %.1f MB (allocated %.1f MB), charged %.1f MB",
		len(data), p.Width, p.Height, float64(peak)/1e6, float64(total)/1e6, float64(charge)/1e6)
	if int64(peak) > charge+decodeAllowance {
		t.Errorf("decoding held %d bytes, over its charge %d", peak, charge)
	}
	// What decoding allocated, which does not depend on timing as the
	// sampled peak does: the trees are built before any pixel, so a file
	// that no longer makes the decoder build them allocates far less.
	if total < 100e6 {
		t.Errorf("decoding allocated %d bytes: the file no longer makes the decoder build its trees", total)
	}
}

// vp8lManyTrees writes a lossless WebP of w×h pixels whose entropy image
// (4×4 tiles) points each tile at a group of its own, up to groups, each
// group five Huffman codes with every symbol of its alphabet coded (the
// green one with an 11-bit colour cache); the pixels are left out.
func vp8lManyTrees(w, h, groups int) []byte {
	bw := vp8lHeader(w, h)
	bw.write(1, 1)  // colour cache
	bw.write(11, 4) // of 11 bits
	bw.write(1, 1)  // meta prefix codes
	bw.write(0, 3)  // tiles of 4×4
	// The entropy image: green and red of each tile name its group.
	bw.write(0, 1) // no colour cache
	lengths := func(n int, runs ...[2]uint32) []uint32 {
		out := make([]uint32, 0, n)
		for _, r := range runs {
			for range r[0] {
				out = append(out, r[1])
			}
		}
		return append(out, make([]uint32, n-len(out))...)
	}
	bytesCode := lengths(256, [2]uint32{256, 8})
	vp8lCode(bw, lengths(280, [2]uint32{256, 8}), 0, 8) // green
	vp8lCode(bw, bytesCode, 0, 8)                       // red
	for range 3 {                                       // blue, alpha, distance: one symbol, no bits
		bw.write(0b0101, 4)
		bw.write(0, 7)
	}
	tiles := ((w + 3) / 4) * ((h + 3) / 4)
	for i := range tiles {
		g := i % groups
		for _, v := range []int{g & 0xFF, g >> 8} { // 8-bit canonical codes, first bit first
			for b := 7; b >= 0; b-- {
				bw.write(uint64(v>>b&1), 1)
			}
		}
	}
	green := lengths(2328, [2]uint32{1768, 11}, [2]uint32{560, 12})
	dist := lengths(40, [2]uint32{24, 5}, [2]uint32{16, 6})
	for range groups {
		vp8lCode(bw, green, 11, 12)
		for range 3 {
			vp8lCode(bw, bytesCode, 0, 8)
		}
		vp8lCode(bw, dist, 5, 6)
	}
	return riffWebP("VP8L", bw.bytes())
}

// vp8lCode writes a normal prefix code of the given code lengths, which
// take two values, a < b: its code-length code gives each a 1-bit code.
func vp8lCode(bw *bitWriter, lengths []uint32, a, b uint32) {
	order := []uint32{17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	n := 4
	for i, s := range order {
		if s == a || s == b {
			n = max(n, i+1)
		}
	}
	bw.write(0, 1) // a normal code
	bw.write(uint64(n-4), 4)
	for _, s := range order[:n] {
		if s == a || s == b {
			bw.write(1, 3)
		} else {
			bw.write(0, 3)
		}
	}
	bw.write(0, 1) // every symbol has a length
	for _, l := range lengths {
		if l == a {
			bw.write(0, 1)
		} else {
			bw.write(1, 1)
		}
	}
}
