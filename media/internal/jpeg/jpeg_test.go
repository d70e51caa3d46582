// Copyright 2026 The Stillroom Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package jpeg

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	stdjpeg "image/jpeg"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// testImage returns an opaque w×h image: a smooth gradient, plus uniform
// noise of ±noise.
func testImage(w, h, noise int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			n := 0
			if noise > 0 {
				n = rng.IntN(2*noise+1) - noise
			}
			i := img.PixOffset(x, y)
			img.Pix[i] = uint8(max(0, min(255, x*255/max(1, w-1)+n)))
			img.Pix[i+1] = uint8(max(0, min(255, y*255/max(1, h-1)+n)))
			img.Pix[i+2] = uint8(max(0, min(255, (x+y)*255/max(1, w+h-2)+n)))
			img.Pix[i+3] = 0xFF
		}
	}
	return img
}

func encode(tb testing.TB, img image.Image, q int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := stdjpeg.Encode(&buf, img, &stdjpeg.Options{Quality: q}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func grey(img *image.RGBA) *image.Gray {
	g := image.NewGray(img.Rect)
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
			g.Set(x, y, img.At(x, y))
		}
	}
	return g
}

// corpus is JPEGs of both colour layouts the encoder writes, at sizes
// that do and do not use the worker goroutines, odd ones included.
func corpus(tb testing.TB) map[string][]byte {
	return map[string][]byte{
		"colour 640x480":   encode(tb, testImage(640, 480, 16), 90),
		"colour 641x479":   encode(tb, testImage(641, 479, 16), 75),
		"colour 37x21":     encode(tb, testImage(37, 21, 16), 90),
		"grey 1000x700":    encode(tb, grey(testImage(1000, 700, 16)), 85),
		"grey 9x9":         encode(tb, grey(testImage(9, 9, 0)), 85),
		"smooth 1203x803":  encode(tb, testImage(1203, 803, 0), 95),
		"colour 1x1":       encode(tb, testImage(1, 1, 0), 95),
		"colour 2000x1000": encode(tb, testImage(2000, 1000, 8), 80),
	}
}

// TestDecodeMatchesStandardLibrary checks that the fork's full-size
// decode, with and without worker goroutines, gives image/jpeg's pixels.
func TestDecodeMatchesStandardLibrary(t *testing.T) {
	for name, data := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			want, err := stdjpeg.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			for _, procs := range []int{1, runtime.GOMAXPROCS(0), 4} {
				prev := runtime.GOMAXPROCS(procs)
				got, err := Decode(bytes.NewReader(data))
				runtime.GOMAXPROCS(prev)
				if err != nil {
					t.Fatal(err)
				}
				if !samePixels(got, want) {
					t.Fatalf("GOMAXPROCS %d: pixels differ from image/jpeg", procs)
				}
			}
		})
	}
}

func samePixels(a, b image.Image) bool {
	switch a := a.(type) {
	case *image.YCbCr:
		b, ok := b.(*image.YCbCr)
		return ok && a.Rect == b.Rect && a.SubsampleRatio == b.SubsampleRatio &&
			bytes.Equal(a.Y, b.Y) && bytes.Equal(a.Cb, b.Cb) && bytes.Equal(a.Cr, b.Cr)
	case *image.Gray:
		b, ok := b.(*image.Gray)
		return ok && a.Rect == b.Rect && bytes.Equal(a.Pix, b.Pix)
	case *image.CMYK:
		b, ok := b.(*image.CMYK)
		return ok && a.Rect == b.Rect && bytes.Equal(a.Pix, b.Pix)
	case *image.RGBA:
		b, ok := b.(*image.RGBA)
		return ok && a.Rect == b.Rect && bytes.Equal(a.Pix, b.Pix)
	}
	return false
}

// TestDecodeScaled compares each reduced decode with the full decode
// shrunk by a box filter of the same factor: the two low-pass filters
// differ only in how they treat frequencies near the new Nyquist limit,
// so smooth images agree within a few levels and noisy ones on average.
func TestDecodeScaled(t *testing.T) {
	for name, data := range corpus(t) {
		full, err := Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		fb := full.Bounds()
		for shift := uint(1); shift <= 3; shift++ {
			t.Run(fmt.Sprintf("%s 1:%d", name, 1<<shift), func(t *testing.T) {
				got, err := DecodeScaled(bytes.NewReader(data), shift)
				if err != nil {
					t.Fatal(err)
				}
				f := 1 << shift
				want := image.Rect(0, 0, (fb.Dx()+f-1)/f, (fb.Dy()+f-1)/f)
				if got.Bounds() != want {
					t.Fatalf("bounds %v, want %v", got.Bounds(), want)
				}
				if fmt.Sprintf("%T", got) != fmt.Sprintf("%T", full) {
					t.Fatalf("type %T, full decode %T", got, full)
				}
				if fb.Dx() < 100 || fb.Dy() < 100 {
					// A full ramp across a few blocks is far steeper than
					// photographs get; the truncated transform and the box
					// filter then disagree by design (chroma most: a 1:8
					// decode has one chroma value per 16×16 pixels).
					return
				}
				var sum, worst float64
				n := 0
				// Whole boxes only: edge boxes mix in the encoder's padding.
				for y := 0; y < fb.Dy()/f; y++ {
					for x := 0; x < fb.Dx()/f; x++ {
						g := rgb(got.At(x, y))
						var m [3]float64
						for dy := range f {
							for dx := range f {
								c := rgb(full.At(x*f+dx, y*f+dy))
								for k := range 3 {
									m[k] += c[k] / float64(f*f)
								}
							}
						}
						for k := range 3 {
							d := math.Abs(g[k] - m[k])
							sum += d
							worst = max(worst, d)
							n++
						}
					}
				}
				if n == 0 {
					return
				}
				mean := sum / float64(n)
				limitMean, limitWorst := 4.0, 48.0
				if name == "smooth 1203x803" {
					limitMean, limitWorst = 1.5, 6
				}
				t.Logf("mean %.2f, worst %.0f", mean, worst)
				if mean > limitMean || worst > limitWorst {
					t.Errorf("differs from the box-filtered full decode by %.2f on average, %.0f at most", mean, worst)
				}
			})
		}
	}
}

func rgb(c color.Color) [3]float64 {
	r, g, b, _ := c.RGBA()
	return [3]float64{float64(r >> 8), float64(g >> 8), float64(b >> 8)}
}

// TestDecodeScaledDeterministic checks that the worker goroutines do not
// change the result.
func TestDecodeScaledDeterministic(t *testing.T) {
	data := encode(t, testImage(2000, 1000, 16), 85)
	prev := runtime.GOMAXPROCS(1)
	one, err := DecodeScaled(bytes.NewReader(data), 1)
	runtime.GOMAXPROCS(prev)
	if err != nil {
		t.Fatal(err)
	}
	many, err := DecodeScaled(bytes.NewReader(data), 1)
	if err != nil {
		t.Fatal(err)
	}
	if !samePixels(one, many) {
		t.Error("pixels depend on GOMAXPROCS")
	}
}

// FuzzDecodeScaled checks that no input panics or hangs the fork at any
// scale, that it accepts what image/jpeg accepts, and that the fast
// entropy decoding (entropy.go), used here for scans of any size, gives
// the errors and pixels of processSOS's loop.
func FuzzDecodeScaled(f *testing.F) {
	f.Add(encode(f, testImage(40, 30, 16), 80), uint8(1))
	f.Add(encode(f, grey(testImage(17, 9, 16)), 80), uint8(2))
	f.Add(encode(f, testImage(300, 200, 4), 50), uint8(3))
	f.Add(testEncode(f, testImage(48, 40, 24), encOptions{comps: 3, sampling: [4]byte{0x21}, q: 2, restart: 3}), uint8(0))
	f.Add(testEncode(f, testImage(30, 20, 24), encOptions{comps: 1, q: 1, restart: 2, skewed: true}), uint8(1))
	f.Add(testEncode(f, testImage(24, 24, 24), encOptions{comps: 4, q: 4, progressive: true}), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, shift uint8) {
		cfg, err := stdjpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width*cfg.Height > 1<<20 {
			return
		}
		_, errStd := stdjpeg.Decode(bytes.NewReader(data))
		setMinFastBlocks(t, 0)
		got, err := DecodeScaled(bytes.NewReader(data), uint(shift%4))
		if (err == nil) != (errStd == nil) {
			t.Fatalf("fork error %v, image/jpeg error %v", err, errStd)
		}
		minFastBlocks = legacyOnly
		legacy, errLegacy := DecodeScaled(bytes.NewReader(data), uint(shift%4))
		if fmt.Sprint(err) != fmt.Sprint(errLegacy) || err == nil && !samePixels(got, legacy) {
			t.Fatalf("fast entropy decoding: error %v, processSOS's loop: error %v (or other pixels)", err, errLegacy)
		}
	})
}

// BenchmarkDecode measures a 6000×4000 photo-like JPEG at full size with
// image/jpeg, and at full and half size with the fork.
func BenchmarkDecode(b *testing.B) {
	data := encode(b, testImage(6000, 4000, 16), 90)
	for _, bc := range []struct {
		name string
		fn   func() (image.Image, error)
	}{
		{"stdlib", func() (image.Image, error) { return stdjpeg.Decode(bytes.NewReader(data)) }},
		{"fork 1:1", func() (image.Image, error) { return DecodeScaled(bytes.NewReader(data), 0) }},
		{"fork 1:2", func() (image.Image, error) { return DecodeScaled(bytes.NewReader(data), 1) }},
		{"fork 1:8", func() (image.Image, error) { return DecodeScaled(bytes.NewReader(data), 3) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestProgressiveMatchesStandardLibrary checks that progressive files,
// whose coefficients the fork keeps in 16 bits between scans, decode to
// image/jpeg's pixels (it keeps 32).
func TestProgressiveMatchesStandardLibrary(t *testing.T) {
	img := testImage(97, 61, 24)
	for _, o := range []encOptions{
		{comps: 3, q: 2, progressive: true},
		{comps: 3, sampling: [4]byte{0x22}, q: 2, progressive: true},
		{comps: 3, q: 2, restart: 2, progressive: true, skewed: true},
		{comps: 4, q: 4, progressive: true},
		{comps: 1, q: 1, restart: 3, progressive: true},
	} {
		data := testEncode(t, img, o)
		want, err := stdjpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if !samePixels(got, want) {
			t.Errorf("%+v: pixels differ from image/jpeg", o)
		}
	}
}

// TestCoeffBlockClamps: a coefficient out of 16 bits is clamped, keeping
// its sign and non-zero, which is all refinement scans read.
func TestCoeffBlockClamps(t *testing.T) {
	var b block
	b[unzig[1]], b[unzig[2]], b[unzig[3]], b[unzig[4]] = 70000, -70000, 0, -5
	var c coeffBlock
	c.storeBand(&b, 1, 63)
	if got := [4]int16{c[unzig[1]], c[unzig[2]], c[unzig[3]], c[unzig[4]]}; got != [4]int16{math.MaxInt16, math.MinInt16, 0, -5} {
		t.Errorf("stored %v", got)
	}
}
