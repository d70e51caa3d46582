// Copyright 2026 The Stillroom Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package jpeg

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	stdjpeg "image/jpeg"
	"math"
	mathbits "math/bits"
	"slices"
	"testing"
)

// A small JPEG encoder for the tests: image/jpeg writes only baseline
// 4:2:0 or greyscale files with its fixed tables and no restart markers,
// and the decoder must also be checked on 4:4:4, 4:2:2, CMYK, restart
// intervals, progressive scans and tables with long codes.

// encOptions chooses what testEncode writes.
type encOptions struct {
	comps       int     // 1 (grey), 3 (YCbCr) or 4 (Adobe CMYK)
	sampling    [4]byte // h<<4 | v of each component; 0 is 0x11
	q           int32   // the one quantiser of every coefficient (1..255)
	restart     int     // restart interval in MCUs, 0 for none
	progressive bool    // a DC scan, then two bands of AC per component
	// skewed gives the Huffman tables one code of each length 2..15 and
	// the rest 16 bits long, by frequency, so many codes are longer than
	// the decoder's look-up tables; otherwise image/jpeg's tables.
	skewed bool
}

// testEncode encodes img as o says.
func testEncode(tb testing.TB, img *image.RGBA, o encOptions) []byte {
	tb.Helper()
	w, h := img.Rect.Dx(), img.Rect.Dy()
	nc := o.comps
	var hs, vs [4]int
	hmax, vmax := 1, 1
	for c := range nc {
		s := o.sampling[c]
		if s == 0 {
			s = 0x11
		}
		hs[c], vs[c] = int(s>>4), int(s&15)
		hmax, vmax = max(hmax, hs[c]), max(vmax, vs[c])
	}
	mxx, myy := (w+8*hmax-1)/(8*hmax), (h+8*vmax-1)/(8*vmax)

	// sample returns component c at (x, y) of its own grid: point
	// sampled, the edges repeated into the padding.
	sample := func(c, x, y int) float64 {
		cw, ch := (w*hs[c]+hmax-1)/hmax, (h*vs[c]+vmax-1)/vmax
		x, y = min(x, cw-1), min(y, ch-1)
		px := img.RGBAAt(min(x*hmax/hs[c], w-1), min(y*vmax/vs[c], h-1))
		switch nc {
		case 1:
			g := color.GrayModel.Convert(px).(color.Gray)
			return float64(g.Y)
		case 3:
			yy, cb, cr := color.RGBToYCbCr(px.R, px.G, px.B)
			return float64([3]uint8{yy, cb, cr}[c])
		}
		cc, m, yy, k := color.RGBToCMYK(px.R, px.G, px.B)
		return float64(255 - [4]uint8{cc, m, yy, k}[c]) // Adobe stores them inverted
	}
	var cosTab [8][8]float64
	for x := range 8 {
		for u := range 8 {
			cosTab[x][u] = math.Cos(float64((2*x+1)*u) * math.Pi / 16)
		}
	}
	// coef returns the quantised coefficients, in zig-zag order, of
	// block (bx, by) of component c.
	coef := func(c, bx, by int) (z [blockSize]int32) {
		var f [8][8]float64
		for y := range 8 {
			for x := range 8 {
				f[y][x] = sample(c, bx*8+x, by*8+y) - 128
			}
		}
		for zig, nat := range unzig {
			u, v := nat%8, nat/8
			s := 0.0
			for y := range 8 {
				for x := range 8 {
					s += f[y][x] * cosTab[x][u] * cosTab[y][v]
				}
			}
			cu, cv := 1.0, 1.0
			if u == 0 {
				cu = 1 / math.Sqrt2
			}
			if v == 0 {
				cv = 1 / math.Sqrt2
			}
			q := math.Round(s * cu * cv / 4 / float64(o.q))
			z[zig] = int32(max(-1023, min(1023, q)))
		}
		return z
	}
	blocks := make([]map[[2]int][blockSize]int32, nc)
	for c := range nc {
		blocks[c] = map[[2]int][blockSize]int32{}
		for by := range myy * vs[c] {
			for bx := range mxx * hs[c] {
				blocks[c][[2]int{bx, by}] = coef(c, bx, by)
			}
		}
	}

	// The scans, as events: a symbol of a table (class<<1 | 0 for
	// component 0, 1 for the others) and its extra bits, or a restart.
	type event struct {
		table   int // -1 for a restart marker
		sym     uint8
		extra   uint32
		nExtra  uint
		restart int
	}
	type scan struct {
		comps          []int
		ss, se         int
		events         []event
		restartMarkers int
	}
	tableOf := func(class, c int) int { return class<<1 | min(c, 1) }
	emit := func(ev *[]event, table int, run int, v int32) {
		size := uint(mathbits.Len32(uint32(max(v, -v))))
		x := uint32(v)
		if v < 0 {
			x = uint32(v - 1)
		}
		*ev = append(*ev, event{table: table, sym: uint8(run<<4) | uint8(size), extra: x & (1<<size - 1), nExtra: size})
	}
	encodeBlock := func(ev *[]event, c int, z *[blockSize]int32, ss, se int, pred *int32) {
		if ss == 0 {
			emit(ev, tableOf(0, c), 0, z[0]-*pred)
			*pred = z[0]
			ss = 1
		}
		run := 0
		for k := ss; k <= se; k++ {
			if z[k] == 0 {
				run++
				continue
			}
			for run > 15 {
				*ev = append(*ev, event{table: tableOf(1, c), sym: 0xf0})
				run -= 16
			}
			emit(ev, tableOf(1, c), run, z[k])
			run = 0
		}
		if run > 0 {
			*ev = append(*ev, event{table: tableOf(1, c), sym: 0x00})
		}
	}
	var scans []scan
	addScan := func(comps []int, ss, se int) {
		s := scan{comps: comps, ss: ss, se: se}
		var pred [4]int32
		mcu := 0
		restart := func() {
			mcu++
			if o.restart > 0 && mcu%o.restart == 0 {
				s.events = append(s.events, event{table: -1, restart: s.restartMarkers})
				s.restartMarkers++
				pred = [4]int32{}
			}
		}
		if len(comps) > 1 {
			for my := range myy {
				for mx := range mxx {
					for _, c := range comps {
						for j := range hs[c] * vs[c] {
							z := blocks[c][[2]int{hs[c]*mx + j%hs[c], vs[c]*my + j/hs[c]}]
							encodeBlock(&s.events, c, &z, ss, se, &pred[c])
						}
					}
					restart()
				}
			}
		} else {
			// One component: its blocks left to right, top to bottom,
			// as far as processSOS reads them (see there).
			c := comps[0]
			for by := range myy * vs[c] {
				for bx := range mxx * hs[c] {
					if bx*8 >= w || by*8 >= h {
						continue
					}
					z := blocks[c][[2]int{bx, by}]
					encodeBlock(&s.events, c, &z, ss, se, &pred[c])
					restart()
				}
			}
		}
		// No restart marker after the last MCU.
		if n := len(s.events); n > 0 && s.events[n-1].table < 0 {
			s.events = s.events[:n-1]
		}
		scans = append(scans, s)
	}
	all := make([]int, nc)
	for c := range nc {
		all[c] = c
	}
	if o.progressive {
		addScan(all, 0, 0)
		for c := range nc {
			addScan([]int{c}, 1, 5)
			addScan([]int{c}, 6, 63)
		}
	} else {
		addScan(all, 0, 63)
	}

	// The Huffman tables.
	type table struct {
		counts [16]byte
		vals   []byte
	}
	var tables [4]table
	if o.skewed {
		var freq [4][256]int
		for _, s := range scans {
			for _, e := range s.events {
				if e.table >= 0 {
					freq[e.table][e.sym]++
				}
			}
		}
		for t := range tables {
			var syms []byte
			for s, n := range freq[t] {
				if n > 0 {
					syms = append(syms, byte(s))
				}
			}
			if len(syms) == 0 {
				syms = []byte{0}
			}
			slices.SortStableFunc(syms, func(a, b byte) int { return freq[t][b] - freq[t][a] })
			for i := range syms {
				tables[t].counts[min(i+1, 15)]++
			}
			tables[t].vals = syms
		}
	} else {
		tables = [4]table{}
		for t, spec := range standardTables(tb) {
			tables[t] = table(spec)
		}
	}
	type code struct {
		bits uint32
		n    uint
	}
	var codes [4]map[byte]code
	for t, tab := range tables {
		codes[t] = map[byte]code{}
		c, k := uint32(0), 0
		for l := range 16 {
			for range tab.counts[l] {
				codes[t][tab.vals[k]] = code{c, uint(l + 1)}
				c++
				k++
			}
			c <<= 1
		}
	}

	seg := func(out []byte, marker byte, payload []byte) []byte {
		out = append(out, 0xff, marker, 0, 0)
		binary.BigEndian.PutUint16(out[len(out)-2:], uint16(len(payload)+2))
		return append(out, payload...)
	}
	out := []byte{0xff, 0xd8}
	if nc == 4 {
		out = seg(out, 0xee, []byte("Adobe\x00\x64\x00\x00\x00\x00\x00"))
	}
	out = seg(out, 0xdb, append([]byte{0}, bytes.Repeat([]byte{byte(o.q)}, 64)...))
	sof := []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(nc)}
	for c := range nc {
		sof = append(sof, byte(c+1), byte(hs[c]<<4|vs[c]), 0)
	}
	marker := byte(0xc0)
	if o.progressive {
		marker = 0xc2
	}
	out = seg(out, marker, sof)
	for t, tab := range tables {
		out = seg(out, 0xc4, append(append([]byte{byte(t>>1<<4 | t&1)}, tab.counts[:]...), tab.vals...))
	}
	if o.restart > 0 {
		out = seg(out, 0xdd, []byte{byte(o.restart >> 8), byte(o.restart)})
	}
	for _, s := range scans {
		sos := []byte{byte(len(s.comps))}
		for _, c := range s.comps {
			sel := byte(0x00)
			if c > 0 {
				sel = 0x11
			}
			sos = append(sos, byte(c+1), sel)
		}
		out = seg(out, 0xda, append(sos, byte(s.ss), byte(s.se), 0))
		var bw stuffWriter
		for _, e := range s.events {
			if e.table < 0 {
				out = append(out, bw.flush()...)
				bw = stuffWriter{}
				out = append(out, 0xff, byte(rst0Marker+e.restart%8))
				continue
			}
			cd, ok := codes[e.table][e.sym]
			if !ok {
				tb.Fatalf("no code for symbol %#x in table %d", e.sym, e.table)
			}
			bw.write(cd.bits, cd.n)
			bw.write(e.extra, e.nExtra)
		}
		out = append(out, bw.flush()...)
	}
	return append(out, 0xff, 0xd9)
}

// stuffWriter writes bits most significant first, stuffing a zero after
// each 0xFF byte.
type stuffWriter struct {
	buf []byte
	acc byte
	n   uint
}

func (w *stuffWriter) write(v uint32, n uint) {
	for i := n; i > 0; i-- {
		w.acc = w.acc<<1 | byte(v>>(i-1)&1)
		w.n++
		if w.n == 8 {
			w.buf = append(w.buf, w.acc)
			if w.acc == 0xff {
				w.buf = append(w.buf, 0)
			}
			w.acc, w.n = 0, 0
		}
	}
}

// flush pads the last byte with ones and returns the bytes.
func (w *stuffWriter) flush() []byte {
	for w.n != 0 {
		w.write(1, 1)
	}
	return w.buf
}

type huffSpec struct {
	counts [16]byte
	vals   []byte
}

// standardTables returns image/jpeg's Huffman tables (those of section
// K.3), read from a file it writes: luminance DC, chrominance DC,
// luminance AC, chrominance AC, in testEncode's order (class<<1 | th).
func standardTables(tb testing.TB) [4]huffSpec {
	tb.Helper()
	var buf bytes.Buffer
	if err := stdjpeg.Encode(&buf, testImage(16, 16, 0), nil); err != nil {
		tb.Fatal(err)
	}
	data := buf.Bytes()
	var t [4]huffSpec
	for i := 2; i+4 <= len(data) && data[i] == 0xff; {
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if data[i+1] == 0xc4 {
			p := data[i+4 : i+2+n]
			for len(p) > 0 {
				k := int(p[0]>>4)<<1 | int(p[0]&1)
				copy(t[k].counts[:], p[1:17])
				total := 0
				for _, c := range t[k].counts {
					total += int(c)
				}
				t[k].vals = slices.Clone(p[17 : 17+total])
				p = p[17+total:]
			}
		}
		if data[i+1] == 0xda {
			break
		}
		i += 2 + n
	}
	return t
}
