package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"math"
	"strings"
	"testing"

	"github.com/disintegration/imaging"

	"github.com/stillroom/stillroom/core"
)

// TestProcessRenditionSizes checks the size and format of every rendition
// for originals of different shapes and formats, by decoding each one.
func TestProcessRenditionSizes(t *testing.T) {
	type size struct{ w, h int }
	same := func(w, h int) map[string]size {
		return map[string]size{"w2048": {w, h}, "w1024": {w, h}, "w512": {w, h}, "w256": {w, h}}
	}
	with := func(m map[string]size, name string, s size) map[string]size {
		m[name] = s
		return m
	}
	tests := []struct {
		name    string
		data    []byte
		lim     Limits
		format  Format
		upright size
		want    map[string]size
	}{
		{
			name: "1920x1080 jpeg", data: encodeJPEGT(t, photoLike(1920, 1080), 90),
			format: FormatJPEG, upright: size{1920, 1080},
			want: with(map[string]size{"w2048": {1920, 1080}, "w1024": {1024, 576}, "w512": {512, 288}, "w256": {256, 144}, "square512": {512, 512}}, "social", size{1200, 630}),
		},
		{
			name: "300x200 jpeg is never upscaled", data: encodeJPEGT(t, gradient(300, 200), 90),
			format: FormatJPEG, upright: size{300, 200},
			want: with(with(with(same(300, 200), "w256", size{256, 171}), "square512", size{200, 200}), "social", size{300, 158}),
		},
		{
			name: "4100x2000 jpeg is pre-shrunk", data: encodeJPEGT(t, gradient(4100, 2000), 90),
			format: FormatJPEG, upright: size{4100, 2000},
			want: with(map[string]size{"w2048": {2048, 999}, "w1024": {1024, 500}, "w512": {512, 250}, "w256": {256, 125}, "square512": {512, 512}}, "social", size{1200, 630}),
		},
		{
			name: "1080x1920 opaque png gives jpeg", data: encodePNGT(t, gradient(1080, 1920)),
			format: FormatJPEG, upright: size{1080, 1920},
			want: with(map[string]size{"w2048": {1080, 1920}, "w1024": {1024, 1820}, "w512": {512, 910}, "w256": {256, 455}, "square512": {512, 512}}, "social", size{1080, 567}),
		},
		{
			name: "exif-rotated 400x200 jpeg", data: withEXIFOrientation(encodeJPEGT(t, gradient(400, 200), 90), 6),
			format: FormatJPEG, upright: size{200, 400},
			want: with(with(same(200, 400), "square512", size{200, 200}), "social", size{200, 105}),
		},
		{
			name: "1x60000 png", data: encodePNGT(t, image.NewGray(image.Rect(0, 0, 1, 60000))), lim: Limits{MaxSide: 60000},
			format: FormatJPEG, upright: size{1, 60000},
			want: with(map[string]size{"w2048": {1, 8192}, "w1024": {1, 4096}, "w512": {1, 2048}, "w256": {1, 1024}, "square512": {1, 1}}, "social", size{1, 1}),
		},
		{
			name: "60000x1 png", data: encodePNGT(t, image.NewGray(image.Rect(0, 0, 60000, 1))), lim: Limits{MaxSide: 60000},
			format: FormatJPEG, upright: size{60000, 1},
			want: with(map[string]size{"w2048": {2048, 1}, "w1024": {1024, 1}, "w512": {512, 1}, "w256": {256, 1}, "square512": {1, 1}}, "social", size{2, 1}),
		},
		{
			name: "300x9000 png fits the height box", data: encodePNGT(t, gradient(300, 9000)),
			format: FormatJPEG, upright: size{300, 9000},
			want: with(map[string]size{"w2048": {273, 8192}, "w1024": {137, 4096}, "w512": {68, 2048}, "w256": {34, 1024}, "square512": {300, 300}}, "social", size{300, 158}),
		},
		{
			name: "1x1 gif", data: encodeGIFT(t, gradient(1, 1)),
			format: FormatJPEG, upright: size{1, 1},
			want: with(with(same(1, 1), "square512", size{1, 1}), "social", size{1, 1}),
		},
		{
			name: "640x480 gif", data: encodeGIFT(t, gradient(640, 480)),
			format: FormatJPEG, upright: size{640, 480},
			want: with(map[string]size{"w2048": {640, 480}, "w1024": {640, 480}, "w512": {512, 384}, "w256": {256, 192}, "square512": {480, 480}}, "social", size{640, 336}),
		},
		{
			name: "800x600 webp", data: webpSolid(800, 600, green),
			format: FormatJPEG, upright: size{800, 600},
			want: with(map[string]size{"w2048": {800, 600}, "w1024": {800, 600}, "w512": {512, 384}, "w256": {256, 192}, "square512": {512, 512}}, "social", size{800, 420}),
		},
		{
			name: "transparent png gives png", data: encodePNGT(t, solid(700, 500, color.NRGBA{10, 20, 30, 128})),
			format: FormatPNG, upright: size{700, 500},
			want: with(map[string]size{"w2048": {700, 500}, "w1024": {700, 500}, "w512": {512, 366}, "w256": {256, 183}, "square512": {500, 500}}, "social", size{700, 368}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := Process(context.Background(), tt.data, Options{Limits: tt.lim})
			if err != nil {
				t.Fatalf("Process: %v", err)
			}
			if res.Width != tt.upright.w || res.Height != tt.upright.h {
				t.Errorf("Result size %dx%d, want %dx%d", res.Width, res.Height, tt.upright.w, tt.upright.h)
			}
			checkPlan(t, res, tt.format)
			for _, r := range res.Renditions {
				want := tt.want[r.Name]
				if r.Width != want.w || r.Height != want.h {
					t.Errorf("%s %s: %dx%d, want %dx%d", r.Name, r.Format, r.Width, r.Height, want.w, want.h)
				}
				decodeRendition(t, r)
			}
		})
	}
}

// TestProcessTransparency checks that only real transparency gives PNG
// renditions, and that alpha survives resizing.
func TestProcessTransparency(t *testing.T) {
	half := solid(600, 400, red)
	draw.Draw(half, image.Rect(300, 0, 600, 400), image.NewUniform(transparent), image.Point{}, draw.Src)

	opaqueWithAlpha := solid(600, 400, blue) // an RGBA PNG whose alpha is all 255

	palette := color.Palette{color.NRGBA{}, red}
	gifImg := image.NewPaletted(image.Rect(0, 0, 600, 400), palette)
	for y := 0; y < 400; y++ {
		for x := 0; x < 300; x++ {
			gifImg.SetColorIndex(x, y, 1)
		}
	}
	gifUnusedTransparent := image.NewPaletted(image.Rect(0, 0, 600, 400), palette)
	draw.Draw(gifUnusedTransparent, gifUnusedTransparent.Rect, image.NewUniform(red), image.Point{}, draw.Src)

	tests := []struct {
		name        string
		data        []byte
		format      Format
		left, right color.NRGBA
	}{
		{"png half transparent", encodePNGT(t, half), FormatPNG, red, transparent},
		{"png alpha channel all opaque", encodePNGT(t, opaqueWithAlpha), FormatJPEG, blue, blue},
		{"gif transparent index", encodeGIFT(t, gifImg), FormatPNG, red, transparent},
		{"gif transparent index unused", encodeGIFT(t, gifUnusedTransparent), FormatJPEG, red, red},
		{"webp half alpha", webpSolid(600, 400, color.NRGBA{0, 0xFF, 0, 0x80}), FormatPNG, color.NRGBA{0, 0xFF, 0, 0x80}, color.NRGBA{0, 0xFF, 0, 0x80}},
		{"webp opaque", webpSolid(600, 400, green), FormatJPEG, green, green},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Process(context.Background(), tt.data, Options{})
			if err != nil {
				t.Fatalf("Process: %v", err)
			}
			checkPlan(t, res, tt.format)
			for _, r := range res.Renditions {
				if r.Name == "square512" || r.Name == "social" {
					continue // cropped from the middle
				}
				// WebP twins keep the alpha channel, lossy colour.
				left, right, tol := tt.left, tt.right, 10
				if r.Format == FormatWebP {
					tol = 14
				}
				img := decodeRendition(t, r)
				w, h := img.Bounds().Dx(), img.Bounds().Dy()
				if got := nrgbaAt(img, w/8, h/2); !near(got, left, tol) {
					t.Errorf("%s %s left: %v, want %v", r.Name, r.Format, got, left)
				}
				got := nrgbaAt(img, w-1-w/8, h/2)
				if right.A == 0 {
					if got.A != 0 {
						t.Errorf("%s %s right: %v, want transparent", r.Name, r.Format, got)
					}
				} else if !near(got, right, tol) {
					t.Errorf("%s %s right: %v, want %v", r.Name, r.Format, got, right)
				}
			}
			// The social card is a JPEG: transparency is laid over white.
			card := decodeRendition(t, rendition(t, res, "social"))
			if got, want := nrgbaAt(card, card.Bounds().Dx()/2, card.Bounds().Dy()/2), overWhite(tt.left); tt.left == tt.right && !near(got, want, 10) {
				t.Errorf("social: %v, want %v", got, want)
			}
		})
	}
}

// TestRenditionColourModels feeds every pixel layout the decoders produce
// through the pipeline and checks the colour that comes out.
func TestRenditionColourModels(t *testing.T) {
	const w, h = 600, 400
	orange := color.NRGBA{0xF0, 0x80, 0x20, 0xFF}

	gray := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(gray, gray.Rect, image.NewUniform(color.Gray{100}), image.Point{}, draw.Src)
	gray16 := image.NewGray16(image.Rect(0, 0, w, h))
	draw.Draw(gray16, gray16.Rect, image.NewUniform(color.Gray16{0x6400}), image.Point{}, draw.Src)
	rgba64 := image.NewRGBA64(image.Rect(0, 0, w, h))
	draw.Draw(rgba64, rgba64.Rect, image.NewUniform(orange), image.Point{}, draw.Src)
	nrgba64 := image.NewNRGBA64(image.Rect(0, 0, w, h))
	draw.Draw(nrgba64, nrgba64.Rect, image.NewUniform(color.NRGBA{0xF0, 0x80, 0x20, 0x80}), image.Point{}, draw.Src)

	// CMYK, as image/jpeg decodes Adobe CMYK and YCCK files: the file
	// format cannot be written by image/jpeg, so the decoded form is used.
	cmyk := image.NewCMYK(image.Rect(0, 0, w, h))
	c, m, y, k := color.RGBToCMYK(orange.R, orange.G, orange.B)
	draw.Draw(cmyk, cmyk.Rect, image.NewUniform(color.CMYK{c, m, y, k}), image.Point{}, draw.Src)

	// YCbCr with alpha, as x/image/webp decodes lossy WebP with alpha.
	nycc := image.NewNYCbCrA(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	yy, cb, cr := color.RGBToYCbCr(orange.R, orange.G, orange.B)
	for i := range nycc.Y {
		nycc.Y[i], nycc.A[i] = yy, 0x80
	}
	for i := range nycc.Cb {
		nycc.Cb[i], nycc.Cr[i] = cb, cr
	}

	tests := []struct {
		name   string
		img    image.Image // fed to render, after decoding
		data   []byte      // or fed to Process
		format Format
		want   color.NRGBA
	}{
		{"grey jpeg", nil, encodeJPEGT(t, gray, 95), FormatJPEG, color.NRGBA{100, 100, 100, 0xFF}},
		{"16-bit grey png", nil, encodePNGT(t, gray16), FormatJPEG, color.NRGBA{100, 100, 100, 0xFF}},
		{"16-bit rgb png", nil, encodePNGT(t, rgba64), FormatJPEG, orange},
		{"16-bit rgba png", nil, encodePNGT(t, nrgba64), FormatPNG, color.NRGBA{0xF0, 0x80, 0x20, 0x80}},
		{"cmyk", cmyk, nil, FormatJPEG, orange},
		{"ycbcr with alpha", nycc, nil, FormatPNG, color.NRGBA{0xF0, 0x80, 0x20, 0x80}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res *Result
			var err error
			if tt.img != nil {
				res, err = render(context.Background(), tt.img, tt.img.Bounds().Size(), 1, mustOptions(t, Options{}))
			} else {
				res, err = Process(context.Background(), tt.data, Options{})
			}
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			checkPlan(t, res, tt.format)
			for _, r := range res.Renditions {
				want, tol := tt.want, 6
				switch {
				case r.Format == FormatWebP:
					tol = 10 // lossy, 4:2:0
				case r.Name == "social":
					want = overWhite(want)
				}
				img := decodeRendition(t, r)
				if got := nrgbaAt(img, r.Width/2, r.Height/2); !near(got, want, tol) {
					t.Errorf("%s %s: colour %v, want %v", r.Name, r.Format, got, want)
				}
			}
		})
	}
}

// overWhite is c laid over white, opaque.
func overWhite(c color.NRGBA) color.NRGBA {
	a := int(c.A)
	f := func(v uint8) uint8 { return uint8((int(v)*a + 255*(255-a) + 127) / 255) }
	return color.NRGBA{f(c.R), f(c.G), f(c.B), 0xFF}
}

func mustOptions(tb testing.TB, o Options) Options {
	tb.Helper()
	o, err := o.withDefaults()
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

// TestRenditionPixelConversion checks the row reader and the 2×2 box shrink
// against image/color's conversions for every pixel layout.
func TestRenditionPixelConversion(t *testing.T) {
	const w, h = 37, 22 // odd, to exercise chroma edges
	src := photoLike(w, h)
	translucent := image.NewNRGBA(src.Rect)
	for i := range translucent.Pix {
		translucent.Pix[i] = src.Pix[i]
		if i%4 == 3 {
			translucent.Pix[i] = uint8(i * 7)
		}
	}
	var imgs = map[string]image.Image{"nrgba": translucent}
	convert := func(name string, dst draw.Image) {
		draw.Draw(dst, dst.Bounds(), translucent, image.Point{}, draw.Src)
		imgs[name] = dst
	}
	convert("rgba", image.NewRGBA(src.Rect))
	convert("rgba64", image.NewRGBA64(src.Rect))
	convert("nrgba64", image.NewNRGBA64(src.Rect))
	convert("gray", image.NewGray(src.Rect))
	convert("gray16", image.NewGray16(src.Rect))
	convert("cmyk", image.NewCMYK(src.Rect))
	convert("paletted", image.NewPaletted(src.Rect, append(color.Palette{color.Transparent}, paletteOf(src)...)))
	for _, ratio := range []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	} {
		m := image.NewYCbCr(src.Rect, ratio)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				c := src.RGBAAt(x, y)
				yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
				m.Y[m.YOffset(x, y)] = yy
				m.Cb[m.COffset(x, y)], m.Cr[m.COffset(x, y)] = cb, cr
			}
		}
		imgs["ycbcr "+ratio.String()] = m
		// The same pixels seen through a sub-image that starts at odd
		// coordinates.
		imgs["ycbcr sub "+ratio.String()] = m.SubImage(image.Rect(3, 5, w, h))
		// Bounds left of and above the origin, which decoders never make.
		neg := image.NewYCbCr(src.Rect.Sub(image.Pt(3, 5)), ratio)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				yy, cb, cr := color.RGBToYCbCr(src.RGBAAt(x, y).R, src.RGBAAt(x, y).G, src.RGBAAt(x, y).B)
				neg.Y[neg.YOffset(x-3, y-5)] = yy
				neg.Cb[neg.COffset(x-3, y-5)], neg.Cr[neg.COffset(x-3, y-5)] = cb, cr
			}
		}
		imgs["ycbcr negative "+ratio.String()] = neg
		a := &image.NYCbCrA{YCbCr: *m, A: make([]uint8, w*h), AStride: w}
		for i := range a.A {
			a.A[i] = uint8(i * 5)
		}
		imgs["nycbcra "+ratio.String()] = a
	}

	for name, img := range imgs {
		t.Run(name, func(t *testing.T) {
			b := img.Bounds()
			// Reference: image/color, pixel by pixel.
			ref := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
			for y := 0; y < b.Dy(); y++ {
				for x := 0; x < b.Dx(); x++ {
					ref.SetNRGBA(x, y, nrgbaAt(img, x, y))
				}
			}
			got := toNRGBA(img)
			for i := range ref.Pix {
				// Colour under near-zero alpha is imprecise in premultiplied
				// layouts; compare it only where it carries weight.
				if a := ref.Pix[i|3]; a < 16 && i%4 != 3 {
					continue
				}
				if abs(int(got.Pix[i])-int(ref.Pix[i])) > 2 {
					t.Fatalf("toNRGBA byte %d (pixel %d,%d): %d, reference %d", i, i/4%b.Dx(), i/4/b.Dx(), got.Pix[i], ref.Pix[i])
				}
			}
			tol := 2
			if _, ok := img.(*image.YCbCr); ok {
				// halve averages YCbCr before converting; the reference
				// converts first. They differ where conversion clips.
				tol = 8
			}
			small := halve(img)
			if s := small.Rect.Size(); s != image.Pt(b.Dx()/2, b.Dy()/2) {
				t.Fatalf("halve size %v, want %v", s, image.Pt(b.Dx()/2, b.Dy()/2))
			}
			for y := 0; y < small.Rect.Dy(); y++ {
				for x := 0; x < small.Rect.Dx(); x++ {
					want := boxMean(ref, x, y)
					if got := small.NRGBAAt(x, y); !near(got, want, tol) && want.A >= 16 {
						t.Fatalf("halve (%d,%d) = %v, want %v", x, y, got, want)
					}
				}
			}
		})
	}
}

// boxMean is the alpha-weighted mean of the 2×2 block at (2x, 2y), in
// floating point.
func boxMean(img *image.NRGBA, x, y int) color.NRGBA {
	var r, g, b, a float64
	for _, p := range []image.Point{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
		c := img.NRGBAAt(2*x+p.X, 2*y+p.Y)
		w := float64(c.A)
		r, g, b, a = r+float64(c.R)*w, g+float64(c.G)*w, b+float64(c.B)*w, a+w
	}
	if a == 0 {
		return color.NRGBA{}
	}
	rd := func(v float64) uint8 { return uint8(math.Round(v)) }
	return color.NRGBA{rd(r / a), rd(g / a), rd(b / a), rd(a / 4)}
}

// paletteOf returns up to 200 distinct colours of img.
func paletteOf(img *image.RGBA) color.Palette {
	seen := map[color.RGBA]bool{}
	var p color.Palette
	for i := 0; i < len(img.Pix) && len(p) < 200; i += 4 {
		c := color.RGBA{img.Pix[i], img.Pix[i+1], img.Pix[i+2], 0xFF}
		if !seen[c] {
			seen[c] = true
			p = append(p, c)
		}
	}
	return p
}

// TestProcessCorrupt checks that damaged files give BAD_USER_INPUT with a
// reason, never a panic or an internal error.
func TestProcessCorrupt(t *testing.T) {
	jpg := encodeJPEGT(t, photoLike(320, 240), 90)
	png := encodePNGT(t, photoLike(320, 240))
	gif := encodeGIFT(t, photoLike(320, 240))
	webp := webpSolid(320, 240, red)

	sos := bytes.Index(jpg, []byte{0xFF, 0xDA})
	noScan := append(bytes.Clone(jpg[:sos]), 0xFF, 0xD9)
	sofComponents := bytes.Clone(jpg)
	sofComponents[bytes.Index(jpg, []byte{0xFF, 0xC0})+9] = 7 // component count
	pngNoIDAT := pngHeaderOnly(320, 240)
	pngNoIDAT = append(pngNoIDAT, pngChunk("IEND", nil)...)

	tests := []struct {
		name   string
		data   []byte
		reason string // part of the message
	}{
		{"jpeg truncated in the scan", jpg[:len(jpg)*6/10], "truncated"},
		{"jpeg truncated after the header", jpg[:sos+20], "truncated"},
		{"jpeg without a scan", noScan, "corrupt"},
		{"jpeg with a bad component count", sofComponents, "corrupt"},
		{"jpeg last bytes cut", jpg[:len(jpg)-100], "truncated"},
		{"png truncated", png[:len(png)/2], "truncated"},
		{"png without pixel data", pngNoIDAT, "corrupt"},
		{"gif truncated", gif[:len(gif)/2], "truncated"},
		{"webp truncated", webp[:len(webp)-3], "truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Process(context.Background(), tt.data, Options{})
			wantCode(t, err, core.CodeBadUserInput)
			if msg := core.ErrorMessage(err); !bytes.Contains([]byte(msg), []byte(tt.reason)) {
				t.Errorf("message %q does not say %q", msg, tt.reason)
			}
		})
	}
}

// TestRenditionsHaveNoMetadata checks that EXIF, XMP, ICC and comments in
// the original reach no rendition.
func TestRenditionsHaveNoMetadata(t *testing.T) {
	jpg := encodeJPEGT(t, photoLike(640, 480), 90)
	jpg = withEXIFOrientation(jpg, 1)
	jpg = withSegment(jpg, 0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>GPS 51.5N</x:xmpmeta>"))
	jpg = withSegment(jpg, 0xE2, []byte("ICC_PROFILE\x00\x01\x01 profile"))
	jpg = withSegment(jpg, 0xFE, []byte("shot by someone at home"))

	translucent := solid(640, 480, color.NRGBA{1, 2, 3, 100})
	png := encodePNGT(t, translucent)
	png = append(png[:33], append(pngChunk("tEXt", []byte("Author\x00someone")), png[33:]...)...)

	for name, data := range map[string][]byte{"jpeg": jpg, "png": png} {
		t.Run(name, func(t *testing.T) {
			res, err := Process(context.Background(), data, Options{})
			if err != nil {
				t.Fatalf("Process: %v", err)
			}
			for _, r := range res.Renditions {
				for _, s := range []string{"Exif", "xmpmeta", "ICC_PROFILE", "someone"} {
					if bytes.Contains(r.Data, []byte(s)) {
						t.Errorf("%s contains %q", r.Name, s)
					}
				}
				switch r.Format {
				case FormatJPEG:
					for _, m := range jpegMarkers(t, r.Data) {
						if m >= 0xE0 && m <= 0xEF || m == 0xFE {
							t.Errorf("%s has marker 0xFF%02X", r.Name, m)
						}
					}
				case FormatPNG:
					for _, c := range pngChunks(t, r.Data) {
						switch c {
						case "IHDR", "PLTE", "tRNS", "IDAT", "IEND":
						default:
							t.Errorf("%s has chunk %q", r.Name, c)
						}
					}
				case FormatWebP:
					// Lossy colour, and an alpha chunk (with its VP8X
					// header) only for the translucent source.
					want := "VP8 "
					if name == "png" {
						want = "VP8X ALPH VP8 "
					}
					if got := strings.Join(riffChunks(t, r.Data), " "); got != want {
						t.Errorf("%s webp has chunks %q, want %q", r.Name, got, want)
					}
				default:
					t.Errorf("%s has format %q", r.Name, r.Format)
				}
			}
		})
	}
}

// jpegMarkers lists the markers of a JPEG up to the first scan.
func jpegMarkers(tb testing.TB, data []byte) []byte {
	tb.Helper()
	var ms []byte
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			tb.Fatalf("no marker at %d", i)
		}
		m := data[i+1]
		ms = append(ms, m)
		if m == 0xDA {
			break
		}
		i += 2 + int(binary.BigEndian.Uint16(data[i+2:]))
	}
	return ms
}

// riffChunks lists the chunks of a WebP file (a RIFF "WEBP" form).
func riffChunks(tb testing.TB, data []byte) []string {
	tb.Helper()
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" ||
		int(binary.LittleEndian.Uint32(data[4:]))+8 != len(data) {
		tb.Fatalf("not a RIFF WEBP file of its length")
	}
	var cs []string
	for i := 12; i+8 <= len(data); {
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		cs = append(cs, string(data[i:i+4]))
		i += 8 + n + n&1
	}
	return cs
}

func pngChunks(tb testing.TB, data []byte) []string {
	tb.Helper()
	var cs []string
	for i := 8; i+8 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[i:]))
		cs = append(cs, string(data[i+4:i+8]))
		i += 12 + n
	}
	return cs
}

// TestProcessFocalPoint checks that the square crop follows the focal
// point, given in upright coordinates, including on a rotated original.
func TestProcessFocalPoint(t *testing.T) {
	leftRight := solid(600, 300, red)
	draw.Draw(leftRight, image.Rect(300, 0, 600, 300), image.NewUniform(blue), image.Point{}, draw.Src)
	// Stored top half red, bottom half blue; orientation 6 turns it
	// clockwise, so upright the left half is blue and the right half red.
	topBottom := solid(300, 600, red)
	draw.Draw(topBottom, image.Rect(0, 300, 300, 600), image.NewUniform(blue), image.Point{}, draw.Src)
	rotated := withEXIFOrientation(encodeJPEGT(t, topBottom, 95), 6)

	tests := []struct {
		name        string
		data        []byte
		fx, fy      float64
		left, right color.NRGBA // colours at a quarter and three quarters across
	}{
		{"left", encodeJPEGT(t, leftRight, 95), 0, 0.5, red, red},
		{"right", encodeJPEGT(t, leftRight, 95), 1, 0.5, blue, blue},
		{"default centre", encodeJPEGT(t, leftRight, 95), 0, 0, red, blue},
		{"top-left corner", encodeJPEGT(t, leftRight, 95), 0, 0, red, red}, // set: FocalSet below
		{"rotated left", rotated, 0.1, 0.9, blue, blue},
		{"rotated right", rotated, 0.9, 0.1, red, red},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Process(context.Background(), tt.data, Options{FocalX: tt.fx, FocalY: tt.fy, FocalSet: tt.name == "top-left corner"})
			if err != nil {
				t.Fatalf("Process: %v", err)
			}
			r := rendition(t, res, "square512")
			if r.Width != 300 || r.Height != 300 {
				t.Fatalf("square512 is %dx%d, want 300x300", r.Width, r.Height)
			}
			img := decodeRendition(t, r)
			if got := nrgbaAt(img, 75, 150); !near(got, tt.left, 12) {
				t.Errorf("left quarter %v, want %v", got, tt.left)
			}
			if got := nrgbaAt(img, 225, 150); !near(got, tt.right, 12) {
				t.Errorf("right quarter %v, want %v", got, tt.right)
			}
		})
	}
}

// TestSocialCardKeepsFocalPoint puts a mark at the focal point of images
// of many shapes and checks that the 1.91:1 social card holds it where the
// crop puts it, and that the card is 1200×630 or, from a smaller
// original, the largest 1.91:1 crop at its own size.
func TestSocialCardKeepsFocalPoint(t *testing.T) {
	tests := []struct {
		w, h, orientation int
		fx, fy            float64 // upright
		card              image.Point
	}{
		{4000, 1000, 1, 0.95, 0.5, image.Pt(1200, 630)}, // panorama, point near the right edge
		{4000, 1000, 1, 0.05, 0.2, image.Pt(1200, 630)},
		{1500, 3000, 1, 0.5, 0.08, image.Pt(1200, 630)}, // portrait, point near the top
		{1500, 3000, 1, 0.3, 0.9, image.Pt(1200, 630)},
		{3000, 1500, 6, 0.5, 0.1, image.Pt(1200, 630)}, // stored sideways: upright 1500×3000
		{3000, 1500, 8, 0.8, 0.85, image.Pt(1200, 630)},
		{800, 600, 1, 0.9, 0.9, image.Pt(800, 420)}, // smaller than the card: not upscaled
		{600, 1000, 1, 0.2, 0.1, image.Pt(600, 315)},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%d o%d (%g,%g)", tt.w, tt.h, tt.orientation, tt.fx, tt.fy), func(t *testing.T) {
			t.Parallel()
			uw, uh := tt.w, tt.h
			if tt.orientation >= 5 {
				uw, uh = tt.h, tt.w
			}
			// A grey upright image with a red disc at the focal point,
			// stored turned so that the orientation tag turns it back.
			up := solid(uw, uh, color.NRGBA{128, 128, 128, 0xFF})
			cx, cy, rad := int(tt.fx*float64(uw)), int(tt.fy*float64(uh)), uh/30
			for y := cy - rad; y <= cy+rad; y++ {
				for x := cx - rad; x <= cx+rad; x++ {
					if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= rad*rad && image.Pt(x, y).In(up.Rect) {
						up.SetNRGBA(x, y, red)
					}
				}
			}
			stored := up
			switch tt.orientation {
			case 6: // stored turned anticlockwise
				stored = imaging.Rotate90(up)
			case 8:
				stored = imaging.Rotate270(up)
			}
			data := withEXIFOrientation(encodeJPEGT(t, stored, 95), tt.orientation)
			res, err := Process(context.Background(), data, Options{FocalX: tt.fx, FocalY: tt.fy})
			if err != nil {
				t.Fatal(err)
			}
			r := rendition(t, res, "social")
			if r.Format != FormatJPEG || image.Pt(r.Width, r.Height) != tt.card {
				t.Fatalf("social is %s %dx%d, want jpeg %v", r.Format, r.Width, r.Height, tt.card)
			}
			card := decodeRendition(t, r)
			// Where the crop puts the point: centred, or pushed off
			// centre by the image's edge.
			cw, ch := cropSize(uw, uh, 1200, 630)
			x0 := clamp(int(math.Round(tt.fx*float64(uw)-float64(cw)/2)), 0, uw-cw)
			y0 := clamp(int(math.Round(tt.fy*float64(uh)-float64(ch)/2)), 0, uh-ch)
			px := (float64(cx) - float64(x0)) * float64(r.Width) / float64(cw)
			py := (float64(cy) - float64(y0)) * float64(r.Height) / float64(ch)
			if px < 0 || py < 0 || px >= float64(r.Width) || py >= float64(r.Height) {
				t.Fatalf("the focal point maps to (%g, %g), outside the card", px, py)
			}
			if got := nrgbaAt(card, int(px), int(py)); !near(got, red, 40) {
				t.Errorf("card at the focal point (%d, %d): %v, want red", int(px), int(py), got)
			}
		})
	}
}

func TestProcessOptions(t *testing.T) {
	data := encodeJPEGT(t, gradient(64, 64), 90)
	tests := []struct {
		name string
		opt  Options
		code core.Code
	}{
		{"focal x above 1", Options{FocalX: 1.5, FocalY: 0.5}, core.CodeBadUserInput},
		{"focal y negative", Options{FocalX: 0.5, FocalY: -0.1}, core.CodeBadUserInput},
		{"focal NaN", Options{FocalX: math.NaN(), FocalY: 0.5}, core.CodeBadUserInput},
		{"quality 101", Options{JPEGQuality: 101}, core.CodeInternal},
		{"quality 1", Options{JPEGQuality: 1}, ""},
		{"focal corner", Options{FocalX: 1, FocalY: 1}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Process(context.Background(), data, tt.opt)
			wantCode(t, err, tt.code)
		})
	}

	// Quality reaches the encoder: lower quality, fewer bytes.
	lo, _ := Process(context.Background(), encodeJPEGT(t, photoLike(512, 512), 95), Options{JPEGQuality: 30})
	hi, _ := Process(context.Background(), encodeJPEGT(t, photoLike(512, 512), 95), Options{})
	if a, b := len(lo.Renditions[0].Data), len(hi.Renditions[0].Data); a >= b {
		t.Errorf("quality 30 gave %d bytes, default %d", a, b)
	}
}

func TestProcessCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Process(ctx, encodeJPEGT(t, gradient(64, 64), 90), Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Process with a cancelled context: %v, want context.Canceled", err)
	}
}

// TestProcessDeterministic checks that the same original gives the same
// bytes, so renditions can be stored under content-derived keys.
func TestProcessDeterministic(t *testing.T) {
	data := encodeJPEGT(t, photoLike(900, 600), 90)
	a, err := Process(context.Background(), data, Options{FocalX: 0.3, FocalY: 0.6})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Process(context.Background(), data, Options{FocalX: 0.3, FocalY: 0.6})
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Renditions {
		if !bytes.Equal(a.Renditions[i].Data, b.Renditions[i].Data) {
			t.Errorf("%s differs between runs", a.Renditions[i].Name)
		}
	}
	// Renditions that share pixels do not share bytes.
	small, err := Process(context.Background(), encodeJPEGT(t, gradient(100, 80), 90), Options{})
	if err != nil {
		t.Fatal(err)
	}
	small.Renditions[0].Data[0] = 0
	if small.Renditions[1].Data[0] != 0xFF {
		t.Error("w1024 shares its bytes with w2048")
	}
}

// FuzzProcess checks that no input panics and every error is a client
// error with a code.
func FuzzProcess(f *testing.F) {
	f.Add(encodeJPEGT(f, gradient(40, 30), 80))
	f.Add(withEXIFOrientation(encodeJPEGT(f, gradient(30, 40), 80), 6))
	f.Add(encodePNGT(f, solid(20, 20, color.NRGBA{1, 2, 3, 4})))
	f.Add(encodeGIFT(f, gradient(20, 10)))
	f.Add(webpSolid(16, 16, red))
	f.Add([]byte("<svg/>"))
	// Hostile headers and the containers of the metadata reader.
	f.Add(pngHeaderOnly(100000, 100000))
	f.Add(jpegWithSize(f, 65500, 65500))
	f.Add(pngBomb(f, 2000, 2000))
	f.Add(cmykJPEG(16, 8, [4]uint8{192, 64, 128, 255}))
	f.Add(encodePNGT(f, gradient16(12, 9)))
	f.Add(gifWithScreen(f, 65535, 3))
	f.Add(withSegment(encodeJPEGT(f, gradient(24, 16), 80), 0xE1, exifSegment(cameraEXIF(binary.LittleEndian))))
	f.Add(pngWithChunks(encodePNGT(f, gradient(8, 8)), pngChunk("eXIf", cameraEXIF(binary.BigEndian))))
	f.Add(webpWithChunks(webpSolid(8, 8, red), map[string][]byte{"XMP ": []byte(xmpPacket(`<photoshop:Credit>c</photoshop:Credit>`))}))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Process(context.Background(), data, Options{Limits: Limits{MaxPixels: 1 << 20, MaxSide: 4096}})
		if err != nil {
			switch core.ErrorCode(err) {
			case core.CodeBadUserInput, core.CodeUnsupportedMediaType, core.CodeTooManyPixels:
			default:
				t.Fatalf("error without a client code: %v", err)
			}
			return
		}
		for _, r := range res.Renditions {
			if len(r.Data) == 0 || r.Width < 1 || r.Height < 1 {
				t.Fatalf("empty rendition %s %dx%d", r.Name, r.Width, r.Height)
			}
		}
		if len(res.Blurhash) != 28 || !(res.FocalX >= 0 && res.FocalX <= 1 && res.FocalY >= 0 && res.FocalY <= 1) {
			t.Fatalf("blurhash %q, focal point (%v, %v)", res.Blurhash, res.FocalX, res.FocalY)
		}
	})
}

// TestProcessGIFFirstFrame checks that an animated GIF gives its first
// frame, placed on the logical screen, with the rest of the screen
// transparent.
func TestProcessGIFFirstFrame(t *testing.T) {
	palette := color.Palette{red, blue}
	first := image.NewPaletted(image.Rect(100, 50, 300, 250), palette) // all red
	second := image.NewPaletted(image.Rect(0, 0, 400, 300), palette)
	draw.Draw(second, second.Rect, image.NewUniform(blue), image.Point{}, draw.Src)
	var buf bytes.Buffer
	err := gif.EncodeAll(&buf, &gif.GIF{
		Image:  []*image.Paletted{first, second},
		Delay:  []int{10, 10},
		Config: image.Config{ColorModel: palette, Width: 400, Height: 300},
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Process(context.Background(), buf.Bytes(), Options{})
	if err != nil {
		t.Fatalf("Process: %v", err)
	}
	r := rendition(t, res, "w256")
	if r.Format != FormatPNG || r.Width != 256 || r.Height != 192 {
		t.Fatalf("w256 is %s %dx%d, want png 256x192", r.Format, r.Width, r.Height)
	}
	img := decodeRendition(t, r)
	if got := nrgbaAt(img, 128, 96); !near(got, red, 4) {
		t.Errorf("centre %v, want red", got)
	}
	if got := nrgbaAt(img, 5, 5); got.A != 0 {
		t.Errorf("corner %v, want transparent", got)
	}
}

// TestProcessRecoversDecoderPanic checks that a panic in a decoder comes
// back as a client error.
func TestProcessRecoversDecoderPanic(t *testing.T) {
	err := recoverPanic(FormatWebP, func() error { panic("index out of range") })
	if err == nil {
		t.Fatal("no error from a panic")
	}
	err = corruptError(FormatWebP, "data", err, false)
	wantCode(t, err, core.CodeBadUserInput)
	if msg := core.ErrorMessage(err); msg != "the WebP image is corrupt" {
		t.Errorf("message %q shows the panic", msg)
	}
	if !strings.Contains(err.Error(), "index out of range") {
		t.Errorf("error %q lost the panic value for the logs", err)
	}
}
