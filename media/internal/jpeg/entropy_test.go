// Copyright 2026 The Stillroom Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package jpeg

import (
	"bytes"
	"fmt"
	"image"
	stdjpeg "image/jpeg"
	"io"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"testing/iotest"
)

// setMinFastBlocks sets minFastBlocks for the rest of the test: 0 sends
// every sequential scan to sequentialScan, a large value none.
func setMinFastBlocks(tb testing.TB, n int) {
	tb.Helper()
	prev := minFastBlocks
	minFastBlocks = n
	tb.Cleanup(func() { minFastBlocks = prev })
}

const legacyOnly = 1 << 30

type encCase struct {
	name string
	img  *image.RGBA
	o    encOptions
}

// encCases are files of every layout the decoder reads, small enough to
// mutate many times.
func encCases() []encCase {
	noisy := testImage(97, 61, 24)
	return []encCase{
		{"grey", noisy, encOptions{comps: 1, q: 1}},
		{"grey restart 1", noisy, encOptions{comps: 1, q: 2, restart: 1}},
		{"grey restart 5 skewed", noisy, encOptions{comps: 1, q: 1, restart: 5, skewed: true}},
		{"4:4:4", noisy, encOptions{comps: 3, q: 2}},
		{"4:4:4 restart 3 skewed", noisy, encOptions{comps: 3, q: 1, restart: 3, skewed: true}},
		{"4:2:0 restart 2", testImage(131, 90, 16), encOptions{comps: 3, sampling: [4]byte{0x22}, q: 4, restart: 2}},
		{"4:2:2 restart 7", testImage(100, 64, 16), encOptions{comps: 3, sampling: [4]byte{0x21}, q: 3, restart: 7}},
		{"4:4:0 skewed", testImage(64, 100, 16), encOptions{comps: 3, sampling: [4]byte{0x12}, q: 2, skewed: true}},
		{"cmyk restart 4", testImage(64, 48, 24), encOptions{comps: 4, q: 3, restart: 4}},
		{"cmyk skewed", testImage(40, 40, 24), encOptions{comps: 4, q: 1, skewed: true}},
		{"progressive 4:2:0", testImage(90, 70, 16), encOptions{comps: 3, sampling: [4]byte{0x22}, q: 2, progressive: true}},
		{"progressive grey restart 3", noisy, encOptions{comps: 1, q: 1, restart: 3, progressive: true}},
		{"progressive 4:4:4 restart 2 skewed", noisy, encOptions{comps: 3, q: 2, restart: 2, progressive: true, skewed: true}},
	}
}

// TestEntropyMatchesStandardLibrary checks that sequentialScan gives
// image/jpeg's pixels for every layout, restart markers, stuffed 0xFF
// bytes, long codes, the buffer refilled a byte at a time, and the worker
// goroutines.
func TestEntropyMatchesStandardLibrary(t *testing.T) {
	setMinFastBlocks(t, 0)
	cases := encCases()
	cases = append(cases,
		encCase{"4:2:0 640x480 restart 16", testImage(640, 480, 32), encOptions{comps: 3, sampling: [4]byte{0x22}, q: 1, restart: 16}},
		encCase{"4:4:4 700x500 skewed", testImage(700, 500, 32), encOptions{comps: 3, q: 2, skewed: true}},
	)
	stuffed, restarts := 0, 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := testEncode(t, c.img, c.o)
			stuffed += bytes.Count(data, []byte{0xff, 0x00})
			restarts += bytes.Count(data, []byte{0xff, rst0Marker + 1})
			want, err := stdjpeg.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("image/jpeg: %v", err)
			}
			readers := map[string]func() io.Reader{
				"bytes":    func() io.Reader { return bytes.NewReader(data) },
				"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
				"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) },
			}
			for name, r := range readers {
				for _, procs := range []int{1, 2} {
					prev := runtime.GOMAXPROCS(procs)
					got, err := Decode(r())
					runtime.GOMAXPROCS(prev)
					if err != nil {
						t.Fatalf("%s reader, GOMAXPROCS %d: %v", name, procs, err)
					}
					if !samePixels(got, want) {
						t.Fatalf("%s reader, GOMAXPROCS %d: pixels differ from image/jpeg", name, procs)
					}
				}
			}
		})
	}
	if stuffed == 0 || restarts == 0 {
		t.Errorf("the corpus has %d stuffed 0xFF bytes and %d restart markers; want some of each", stuffed, restarts)
	}
}

// TestEntropyScaledMatchesLegacy checks that reduced decodes with
// sequentialScan give the pixels of processSOS's own loop.
func TestEntropyScaledMatchesLegacy(t *testing.T) {
	for _, c := range encCases() {
		data := testEncode(t, c.img, c.o)
		for shift := uint(0); shift <= 3; shift++ {
			t.Run(fmt.Sprintf("%s 1:%d", c.name, 1<<shift), func(t *testing.T) {
				setMinFastBlocks(t, legacyOnly)
				want, err := DecodeScaled(bytes.NewReader(data), shift)
				if err != nil {
					t.Fatal(err)
				}
				minFastBlocks = 0
				got, err := DecodeScaled(bytes.NewReader(data), shift)
				if err != nil {
					t.Fatal(err)
				}
				if !samePixels(got, want) {
					t.Fatal("pixels differ")
				}
			})
		}
	}
}

// TestEntropyCorrupt decodes mutated files (bits flipped, stuffing and
// markers broken, bytes cut out, the end cut off, headers and tables
// changed) and checks that sequentialScan fails where image/jpeg and
// processSOS's loop fail, with the same error, and otherwise gives their
// pixels: the position it leaves at the end of a segment, its handling of
// the last bits before a marker and of malformed tables are theirs.
func TestEntropyCorrupt(t *testing.T) {
	n := 100
	if testing.Short() {
		n = 30
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range encCases() {
		data := testEncode(t, c.img, c.o)
		t.Run(c.name, func(t *testing.T) {
			failed := 0
			for k := range n {
				m := mutate(rng, data)
				if cfg, err := stdjpeg.DecodeConfig(bytes.NewReader(m)); err == nil && cfg.Width*cfg.Height > 1<<18 {
					continue
				}
				want, errStd := stdjpeg.Decode(bytes.NewReader(m))
				if errStd != nil {
					failed++
				}
				for shift := uint(0); shift <= 3; shift++ {
					setMinFastBlocks(t, legacyOnly)
					legacy, errLegacy := DecodeScaled(bytes.NewReader(m), shift)
					minFastBlocks = 0
					got, err := DecodeScaled(bytes.NewReader(m), shift)
					if fmt.Sprint(err) != fmt.Sprint(errLegacy) {
						t.Fatalf("mutation %d, 1:%d: error %v, processSOS's loop %v", k, 1<<shift, err, errLegacy)
					}
					if err == nil && !samePixels(got, legacy) {
						t.Fatalf("mutation %d, 1:%d: pixels differ from processSOS's loop", k, 1<<shift)
					}
					if shift != 0 {
						continue
					}
					if fmt.Sprint(err) != fmt.Sprint(errStd) {
						t.Fatalf("mutation %d: error %v, image/jpeg %v", k, err, errStd)
					}
					if err == nil && !samePixels(got, want) {
						t.Fatalf("mutation %d: pixels differ from image/jpeg", k)
					}
				}
			}
			t.Logf("%d of %d mutations fail to decode", failed, n)
		})
	}
}

// mutate returns a copy of a JPEG file with one random change, mostly in
// the entropy-coded data after the first SOS marker.
func mutate(rng *rand.Rand, data []byte) []byte {
	m := slices.Clone(data)
	sos := bytes.Index(m, []byte{0xff, 0xda})
	at := sos + 2 + rng.IntN(len(m)-sos-2)
	switch rng.IntN(9) {
	case 0, 1:
		m[at] ^= 1 << rng.IntN(8)
	case 2:
		m[at] = 0xff
	case 3:
		marker := []byte{0x00, 0xff, rst0Marker, rst0Marker + 1, rst0Marker + 5, eoiMarker, dhtMarker, 0x01}[rng.IntN(8)]
		m = slices.Insert(m, at, 0xff, marker)
	case 4:
		m = m[:at]
	case 5:
		m = slices.Delete(m, at, at+1)
	case 6:
		// Tables, sampling factors, restart interval: anywhere.
		i := 2 + rng.IntN(len(m)-2)
		m[i] = byte(rng.IntN(256))
	case 7:
		// Break a stuffed byte or a restart marker.
		if i := bytes.Index(m[at:], []byte{0xff}); i >= 0 && at+i+1 < len(m) {
			m[at+i+1] = byte(rng.IntN(256))
		}
	case 8:
		// Move codes of the first table of a DHT segment to other
		// lengths, keeping their number: an overfull or incomplete
		// table, where decodeHuffman's look-up table and its search
		// disagree.
		if i := bytes.Index(m, []byte{0xff, dhtMarker}); i >= 0 {
			counts := m[i+5 : i+21]
			for range 1 + rng.IntN(4) {
				from, to := rng.IntN(16), rng.IntN(16)
				if counts[from] > 0 {
					counts[from]--
					counts[to]++
				}
			}
		}
	}
	return m
}
