package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/disintegration/imaging"
)

// TestOrientMatchesImaging checks orient against imaging's transforms, an
// independent implementation of the same eight EXIF cases.
func TestOrientMatchesImaging(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 5, 3))
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range src.Pix {
		src.Pix[i] = byte(rng.Uint32())
	}
	want := map[int]func(image.Image) *image.NRGBA{
		1: imaging.Clone,
		2: imaging.FlipH,
		3: imaging.Rotate180,
		4: imaging.FlipV,
		5: imaging.Transpose,
		6: imaging.Rotate270, // imaging turns counter-clockwise: 270° is 90° clockwise
		7: imaging.Transverse,
		8: imaging.Rotate90,
	}
	for o := 1; o <= 8; o++ {
		t.Run(fmt.Sprint(o), func(t *testing.T) {
			got, exp := orient(src, o), want[o](src)
			if got.Rect != exp.Rect || !bytes.Equal(got.Pix, exp.Pix) {
				t.Errorf("orient(%d) differs from imaging: got %v %v, want %v %v", o, got.Rect, got.Pix, exp.Rect, exp.Pix)
			}
			// storedPoint must agree with the pixel mapping at pixel centres.
			w, h := 5, 3
			dw, dh := exp.Rect.Dx(), exp.Rect.Dy()
			for v := 0; v < dh; v++ {
				for u := 0; u < dw; u++ {
					x, y := storedPixel(o, w, h, u, v)
					fx, fy := storedPoint(o, (float64(u)+0.5)/float64(dw), (float64(v)+0.5)/float64(dh))
					if int(fx*float64(w)) != x || int(fy*float64(h)) != y {
						t.Fatalf("display (%d,%d): storedPixel (%d,%d), storedPoint (%.2f,%.2f)", u, v, x, y, fx*float64(w), fy*float64(h))
					}
				}
			}
		})
	}
	if got := orient(src, 0); got != src {
		t.Error("orientation 0 should leave the image alone")
	}
}

// TestProcessOrientation makes a JPEG whose stored pixels have four
// coloured quadrants, tags it with each EXIF orientation, and checks where
// each colour lands in the renditions.
func TestProcessOrientation(t *testing.T) {
	jpg := encodeJPEGT(t, quadrants(400, 200), 95)
	// Colours at the top-left, top-right, bottom-left and bottom-right of
	// the upright image. Stored: red, green / blue, white.
	want := map[int][4]color.NRGBA{
		1: {red, green, blue, white},
		2: {green, red, white, blue},
		3: {white, blue, green, red},
		4: {blue, white, red, green},
		5: {red, blue, green, white},
		6: {blue, red, white, green},
		7: {white, green, blue, red},
		8: {green, white, red, blue},
	}
	for o := 1; o <= 8; o++ {
		t.Run(fmt.Sprint(o), func(t *testing.T) {
			data := withEXIFOrientation(jpg, o)
			res, err := Process(context.Background(), data, Options{})
			if err != nil {
				t.Fatalf("Process: %v", err)
			}
			if res.Probe.Orientation != o {
				t.Fatalf("Probe.Orientation = %d, want %d", res.Probe.Orientation, o)
			}
			dw, dh := 400, 200
			if o >= 5 {
				dw, dh = 200, 400
			}
			if res.Width != dw || res.Height != dh {
				t.Fatalf("Result size %dx%d, want %dx%d", res.Width, res.Height, dw, dh)
			}
			// An independent reading of the same file.
			ref, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
			if err != nil {
				t.Fatalf("imaging.Decode: %v", err)
			}
			for _, name := range []string{"w2048", "w256", "w2048.webp", "w256.webp"} {
				var r Rendition
				if n, ok := strings.CutSuffix(name, ".webp"); ok {
					r = renditionIn(t, res, n, FormatWebP)
				} else {
					r = rendition(t, res, name)
				}
				img := decodeRendition(t, r)
				w, h := img.Bounds().Dx(), img.Bounds().Dy()
				if (w > h) != (dw > dh) {
					t.Fatalf("%s is %dx%d, want the upright aspect of %dx%d", name, w, h, dw, dh)
				}
				at := [4]image.Point{{w / 4, h / 4}, {3 * w / 4, h / 4}, {w / 4, 3 * h / 4}, {3 * w / 4, 3 * h / 4}}
				for k, p := range at {
					got := nrgbaAt(img, p.X, p.Y)
					if !near(got, want[o][k], 16) {
						t.Errorf("%s at %v: %v, want %v", name, p, got, want[o][k])
					}
					rp := image.Pt(p.X*dw/w, p.Y*dh/h)
					if refC := nrgbaAt(ref, rp.X, rp.Y); !near(refC, want[o][k], 12) {
						t.Errorf("imaging disagrees at %v: %v, want %v", rp, refC, want[o][k])
					}
				}
			}
		})
	}
}
