package media

import (
	"fmt"
	"image"
	"image/color"
	"testing"

	"github.com/disintegration/imaging"
)

// TestRenditionResampleMatchesImaging compares the fixed-point resampler
// with imaging's floating-point one on the same filters.
func TestRenditionResampleMatchesImaging(t *testing.T) {
	src := photoLike(301, 199)
	tests := []struct {
		size image.Point
		k    *kernel
	}{
		{image.Pt(205, 136), lanczos3}, // the ratio of 3000 to 2048
		{image.Pt(150, 99), catmullRom},
		{image.Pt(301, 100), lanczos3},  // vertical only
		{image.Pt(37, 199), catmullRom}, // horizontal only
		{image.Pt(1, 1), lanczos3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v %v", tt.size, tt.k.support), func(t *testing.T) {
			got := resize(src, tt.size, tt.k, true)
			want := imaging.Resize(src, tt.size.X, tt.size.Y, tt.k.imaging)
			if got.Rect != want.Rect {
				t.Fatalf("size %v, imaging %v", got.Rect, want.Rect)
			}
			var sum, worst int
			for i := range got.Pix {
				d := abs(int(got.Pix[i]) - int(want.Pix[i]))
				sum += d
				worst = max(worst, d)
			}
			if mean := float64(sum) / float64(len(got.Pix)); mean > 0.5 || worst > 3 {
				t.Errorf("differs from imaging: mean %.2f, worst %d per channel", mean, worst)
			}
		})
	}
}

// TestRenditionResampleFlat checks that a flat colour stays exactly that
// colour at every size, edges included.
func TestRenditionResampleFlat(t *testing.T) {
	c := color.NRGBA{37, 201, 99, 0xFF}
	src := solid(97, 61, c)
	for _, size := range []image.Point{{50, 31}, {96, 61}, {97, 3}, {1, 61}, {13, 13}} {
		for _, k := range []*kernel{lanczos3, catmullRom} {
			got := resample(src, size, k)
			for i := 0; i < len(got.Pix); i += 4 {
				if p := got.Pix[i : i+4]; p[0] != c.R || p[1] != c.G || p[2] != c.B || p[3] != c.A {
					t.Fatalf("%v with support %v: pixel %d is %v, want %v", size, k.support, i/4, p, c)
				}
			}
		}
	}
}

// TestRenditionResampleHPadded checks that the horizontal pass, with its
// windows padded to one length and moved in from the right edge, gives
// exactly the sums of makeWeights' own windows, at sizes down to a few
// pixels where the windows cover the whole row.
func TestRenditionResampleHPadded(t *testing.T) {
	for _, sz := range [][2]int{{301, 205}, {301, 150}, {97, 37}, {7, 3}, {3, 2}, {2, 1}, {1, 1}, {5, 9}} {
		for _, k := range []*kernel{lanczos3, catmullRom} {
			src := toNRGBA(photoLike(sz[0], 3))
			got := resampleH(src, sz[1], k)
			ws := makeWeights(sz[1], sz[0], k)
			for y := range 3 {
				for x := range sz[1] {
					for c := range 3 {
						var sum int32
						for j, w := range ws.w[x] {
							sum += int32(src.Pix[y*src.Stride+(ws.start[x]+j)*4+c]) * w
						}
						if g, want := got.Pix[y*got.Stride+x*4+c], fixedToUint8(sum); g != want {
							t.Fatalf("%d to %d, support %v: pixel (%d, %d) channel %d is %d, want %d", sz[0], sz[1], k.support, x, y, c, g, want)
						}
					}
				}
			}
		}
	}
}
