package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"math/bits"
	"runtime"
	"strings"
	"testing"

	"github.com/stillroom/stillroom/core"
)

// jpegLayoutSpec chooses what layoutJPEG writes.
type jpegLayoutSpec struct {
	w, h        int
	comps       int      // 1 (grey), 3 (YCbCr, or RGB) or 4 (Adobe CMYK)
	sampling    [4]uint8 // H<<4 | V of each component; 0 is 0x11
	progressive bool     // a DC scan of every component, then an AC scan of each
	rgb         bool     // 3 components marked RGB by an Adobe segment
}

func (s jpegLayoutSpec) String() string {
	kind := "baseline"
	if s.progressive {
		kind = "progressive"
	}
	layout := map[int]string{1: "grey", 3: "YCbCr", 4: "CMYK"}[s.comps]
	if s.rgb {
		layout = "RGB"
	}
	var sampling []byte
	for c := range s.comps {
		sampling = append(sampling, max(s.sampling[c], 0x11))
	}
	return fmt.Sprintf("%s %s %x %dx%d", kind, layout, sampling, s.w, s.h)
}

// layoutJPEG assembles, byte by byte, a JPEG of any size and layout whose
// blocks carry only their DC coefficient (a diagonal pattern of flat 8×8
// blocks): image/jpeg writes neither progressive nor CMYK files, and the
// memory of a decode depends on the layout, not on the coefficients. A
// few hundred KB make a 50-megapixel file.
func layoutJPEG(s jpegLayoutSpec) []byte {
	seg := func(marker byte, payload []byte) []byte {
		b := []byte{0xFF, marker, 0, 0}
		binary.BigEndian.PutUint16(b[2:], uint16(len(payload)+2))
		return append(b, payload...)
	}
	var hs, vs [4]int
	for c := range s.comps {
		sm := s.sampling[c]
		if sm == 0 || s.comps == 1 {
			sm = 0x11
		}
		hs[c], vs[c] = int(sm>>4), int(sm&15)
	}
	hmax, vmax := hs[0], vs[0] // the decoder takes component 0's as the largest
	mxx, myy := (s.w+8*hmax-1)/(8*hmax), (s.h+8*vmax-1)/(8*vmax)

	out := []byte{0xFF, 0xD8}
	switch {
	case s.comps == 4:
		out = append(out, seg(0xEE, []byte("Adobe\x00\x64\x00\x00\x00\x00\x00"))...) // transform 0: CMYK
	case s.rgb:
		out = append(out, seg(0xEE, []byte("Adobe\x00\x64\x00\x00\x00\x00\x00"))...) // transform 0: RGB
	default:
		out = append(out, seg(0xE0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))...)
	}
	out = append(out, seg(0xDB, append([]byte{0}, bytes.Repeat([]byte{1}, 64)...))...) // all quantisers 1
	sof := []byte{8, 0, 0, 0, 0, byte(s.comps)}
	binary.BigEndian.PutUint16(sof[1:], uint16(s.h))
	binary.BigEndian.PutUint16(sof[3:], uint16(s.w))
	for c := range s.comps {
		sof = append(sof, byte(c+1), byte(hs[c]<<4|vs[c]), 0)
	}
	marker := byte(0xC0)
	if s.progressive {
		marker = 0xC2
	}
	out = append(out, seg(marker, sof)...)
	// DC table 0: the standard luminance DC table (categories 0..11). AC
	// table 0: one symbol, end of block (end-of-band run 1), coded "0".
	dcCounts := []byte{0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0}
	dht := append([]byte{0x00}, dcCounts...)
	dht = append(dht, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
	out = append(out, seg(0xC4, dht)...)
	out = append(out, seg(0xC4, append(append([]byte{0x10, 1}, make([]byte, 15)...), 0x00))...)
	// The canonical codes of the DC table.
	var dcCode [12]struct {
		code uint32
		n    uint
	}
	code, sym := uint32(0), 0
	for n, count := range dcCounts {
		for range count {
			dcCode[sym].code, dcCode[sym].n = code, uint(n+1)
			code++
			sym++
		}
		code <<= 1
	}

	var bw msbWriter
	pred := make([]int, s.comps)
	// block writes block (bx, by) of component c: its DC difference and,
	// when ac, an end of block.
	block := func(c, bx, by int, ac bool) {
		dc := ((bx*5+by*3+c*40)%160 - 80) * 8 // a level of 128 ± 80
		diff := dc - pred[c]
		pred[c] = dc
		cat := bits.Len(uint(max(diff, -diff)))
		bw.write(dcCode[cat].code, dcCode[cat].n)
		if diff < 0 {
			diff += 1<<cat - 1
		}
		bw.write(uint32(diff), uint(cat))
		if ac {
			bw.write(0, 1)
		}
	}
	// scan writes a scan of comps: interleaved MCU by MCU, or one
	// component alone over the blocks that hold its samples.
	scan := func(comps []int, ss, se int) {
		sos := []byte{byte(len(comps))}
		for _, c := range comps {
			sos = append(sos, byte(c+1), 0x00)
		}
		out = append(out, seg(0xDA, append(sos, byte(ss), byte(se), 0))...)
		clear(pred)
		switch {
		case len(comps) > 1:
			for my := range myy {
				for mx := range mxx {
					for _, c := range comps {
						for j := range hs[c] * vs[c] {
							block(c, hs[c]*mx+j%hs[c], vs[c]*my+j/hs[c], se > 0)
						}
					}
				}
			}
		default:
			c := comps[0]
			cw := ((s.w*hs[c]+hmax-1)/hmax + 7) / 8
			ch := ((s.h*vs[c]+vmax-1)/vmax + 7) / 8
			for by := range ch {
				for bx := range cw {
					if ss == 0 {
						block(c, bx, by, se > 0)
					} else {
						bw.write(0, 1) // end of band
					}
				}
			}
		}
		out = append(out, bw.flush()...)
		bw = msbWriter{}
	}
	all := make([]int, s.comps)
	for c := range all {
		all[c] = c
	}
	if s.progressive {
		scan(all, 0, 0)
		for c := range s.comps {
			scan([]int{c}, 1, 63)
		}
	} else {
		scan(all, 0, 63)
	}
	return append(out, 0xFF, 0xD9)
}

// jpegLayouts are the layouts whose decode memory the tests measure.
var jpegLayouts = []jpegLayoutSpec{
	{comps: 3, sampling: [4]uint8{0x22, 0x11, 0x11}},
	{comps: 3, sampling: [4]uint8{0x11, 0x11, 0x11}},
	{comps: 3, sampling: [4]uint8{0x22, 0x11, 0x11}, progressive: true},
	{comps: 3, sampling: [4]uint8{0x11, 0x11, 0x11}, progressive: true},
	{comps: 3, sampling: [4]uint8{0x21, 0x11, 0x11}, progressive: true},
	{comps: 4},
	{comps: 4, sampling: [4]uint8{0x22, 0x11, 0x11, 0x22}},
	{comps: 4, progressive: true},
	{comps: 3, rgb: true},
	{comps: 1},
	{comps: 1, progressive: true},
}

// allocated returns the bytes fn allocates on the heap: every
// allocation, freed or not, so at least the most it holds at once.
func allocated(fn func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestJPEGDecodeMemoryWithinCost checks the decoder's share of DecodeCost
// against what decoding really allocates, for each layout at each scale:
// progressive files keep every coefficient at full size whatever the
// scale, CMYK and RGB files a converted copy. The bound must hold and be
// near (what is charged and never used is memory other uploads wait for).
func TestJPEGDecodeMemoryWithinCost(t *testing.T) {
	for _, spec := range jpegLayouts {
		for _, size := range [][2]int{{1000, 750}, {2400, 1600}} {
			spec.w, spec.h = size[0], size[1]
			data := layoutJPEG(spec)
			p, err := ProbeImage(data, Limits{})
			if err != nil {
				t.Fatalf("%v: %v", spec, err)
			}
			for shift := range uint(4) {
				var derr error
				n := allocated(func() { _, derr = decode(data, p, shift) })
				if derr != nil {
					t.Fatalf("%v: %v", spec, derr)
				}
				bound := p.jpegLayout().DecodeBytes(shift)
				t.Logf("%v 1:%d: allocated %.2f bytes a pixel, bound %.2f",
					spec, 1<<shift, float64(n)/float64(p.Pixels()), float64(bound)/float64(p.Pixels()))
				if int64(n) > bound {
					t.Errorf("%v 1:%d: decoding allocated %d bytes, over its bound %d", spec, 1<<shift, n, bound)
				}
				if slack := bound - int64(n); slack > bound/4+256<<10 {
					t.Errorf("%v 1:%d: the bound %d is %d bytes over what decoding allocated", spec, 1<<shift, bound, slack)
				}
			}
		}
	}
}

// TestProcessMemoryWithinDecodeCost checks the budget's promise end to
// end: what Process allocates on the heap stays within DecodeCost for
// JPEGs of every layout (the WebP encoder's memory, which DecodeCost also
// counts, is outside Go's heap and not seen here).
func TestProcessMemoryWithinDecodeCost(t *testing.T) {
	WarmWebP() // the encoder's one-time compile is no call's cost
	specs := []jpegLayoutSpec{
		{w: 1600, h: 1200, comps: 3, progressive: true},
		{w: 4400, h: 2000, comps: 3, progressive: true}, // decoded at 1:2
		{w: 4400, h: 2000, comps: 3, sampling: [4]uint8{0x22, 0x11, 0x11}, progressive: true},
		{w: 4400, h: 2000, comps: 4},
		{w: 4400, h: 2000, comps: 4, progressive: true},
		{w: 4400, h: 2000, comps: 3, sampling: [4]uint8{0x22, 0x11, 0x11}},
	}
	if raceDetector {
		specs = specs[1:2] // the rest only without -race: Process is slow under it
	}
	for _, spec := range specs {
		data := layoutJPEG(spec)
		p, err := ProbeImage(data, Limits{})
		if err != nil {
			t.Fatalf("%v: %v", spec, err)
		}
		var perr error
		n := allocated(func() { _, perr = Process(context.Background(), data, Options{}) })
		if perr != nil {
			t.Fatalf("%v: %v", spec, perr)
		}
		cost := DecodeCost(p)
		t.Logf("%v (1:%d): Process allocated %.1f MB, DecodeCost %.1f MB", spec, 1<<decodeShift(p), float64(n)/1e6, float64(cost)/1e6)
		if int64(n) > cost {
			t.Errorf("%v: Process allocated %d bytes, over DecodeCost %d", spec, n, cost)
		}
	}
}

// TestJPEGColourModelSettledBeforeFirstScan: an Adobe segment marking the
// components RGB that comes after the first scan changes nothing, as in
// libjpeg: the probe cannot see it, and the decoder converting to RGBA
// there would hold 4 bytes a pixel more than DecodeCost charged.
func TestJPEGColourModelSettledBeforeFirstScan(t *testing.T) {
	data := layoutJPEG(jpegLayoutSpec{w: 64, h: 48, comps: 3, progressive: true})
	if !bytes.Equal(data[2:4], []byte{0xFF, 0xE0}) {
		t.Fatal("no JFIF segment first")
	}
	data = append(data[:2], data[4+int(binary.BigEndian.Uint16(data[4:])):]...) // no JFIF segment
	sos := []byte{0xFF, 0xDA}
	first := bytes.Index(data, sos)
	second := first + 2 + bytes.Index(data[first+2:], sos)
	adobe := append([]byte{0xFF, 0xEE, 0, 14}, "Adobe\x00\x64\x00\x00\x00\x00\x00"...) // transform 0: RGB
	data = append(data[:second:second], append(adobe, data[second:]...)...)

	p, err := ProbeImage(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if p.RGB {
		t.Errorf("the probe saw the segment after the first scan")
	}
	img, err := decode(data, p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := img.(*image.YCbCr); !ok {
		t.Errorf("decoded as %T, want *image.YCbCr as the headers before the first scan say", img)
	}
}

// withSOFSize returns jpg with its frame header claiming w×h (its scans
// are then short: for tests of what is refused from the headers).
func withSOFSize(jpg []byte, w, h uint16) []byte {
	out := bytes.Clone(jpg)
	for _, sof := range []byte{0xC0, 0xC2} {
		if i := bytes.Index(out, []byte{0xFF, sof}); i >= 0 {
			binary.BigEndian.PutUint16(out[i+5:], h)
			binary.BigEndian.PutUint16(out[i+7:], w)
			return out
		}
	}
	panic("no SOF0 or SOF2")
}

// TestProbeImageRefusesOverDecodeBytes: an image whose processing would
// hold more than Limits.MaxDecodeBytes is refused from its headers, with
// a message that says why; the same pixels in a cheaper layout pass.
func TestProbeImageRefusesOverDecodeBytes(t *testing.T) {
	prog := layoutJPEG(jpegLayoutSpec{w: 1000, h: 750, comps: 3, progressive: true})
	base := layoutJPEG(jpegLayoutSpec{w: 1000, h: 750, comps: 3})
	p, err := ProbeImage(prog, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	lim := Limits{MaxDecodeBytes: DecodeCost(p) - 1}
	_, err = ProbeImage(prog, lim)
	wantCode(t, err, core.CodeTooManyPixels)
	if msg := core.ErrorMessage(err); !strings.Contains(msg, "progressive JPEG") || !strings.Contains(msg, "baseline") {
		t.Errorf("message %q does not say what makes it costly", msg)
	}
	if _, err := ProbeImage(base, lim); err != nil {
		t.Errorf("the baseline file of the same size: %v", err)
	}
	if _, err := ProbeImage(prog, Limits{MaxDecodeBytes: DecodeCost(p)}); err != nil {
		t.Errorf("at its cost exactly: %v", err)
	}
}
