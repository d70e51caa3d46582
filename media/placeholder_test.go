package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/disintegration/imaging"
)

// TestBlurhashReference compares the encoder with the blurhash npm
// package 2.0.5 (Wolt's TypeScript reference) on the same pixels: 32×24
// gradient() and quadrants() images, 4×3 components. That package scales
// the AC components by their largest value where the C reference, and this
// encoder, use the largest magnitude; the expected strings are its output
// with that one expression changed to Math.abs. (Unchanged it gives
// "LEHewS2}|hO,y@NPo2aMhXf+fQf*" for the gradient: the same size flag and
// DC, a smaller scale that clips the strong negative components.)
func TestBlurhashReference(t *testing.T) {
	tests := []struct {
		name string
		img  *image.NRGBA
		want string
	}{
		{"gradient", toNRGBA(gradient(32, 24)), "L$HewS2jwzX5l?WGjue;gKfkfQfj"},
		{"quadrants", quadrants(32, 24), "L~Lqe9l}eqpYs_[qsBJ%fMsTjtWo"},
	}
	for _, tt := range tests {
		if got := blurhash(tt.img, 4, 3); got != tt.want {
			t.Errorf("%s: blurhash %q, want %q", tt.name, got, tt.want)
		}
	}
	// Transparent pixels count as white, as a page would show them.
	if a, b := blurhash(solid(20, 10, transparent), 4, 3), blurhash(solid(20, 10, white), 4, 3); a != b {
		t.Errorf("transparent blurhash %q, white %q", a, b)
	}
	if got := blurhash(solid(1, 1, red), 1, 1); got != "00TI:j" {
		t.Errorf("1×1 component blurhash %q", got)
	}
}

func TestDominantColor(t *testing.T) {
	mostlyGrey := solid(100, 100, color.NRGBA{0x80, 0x80, 0x80, 0xFF})
	draw.Draw(mostlyGrey, image.Rect(0, 0, 100, 30), image.NewUniform(red), image.Point{}, draw.Src)
	logo := solid(100, 100, transparent)
	draw.Draw(logo, image.Rect(40, 40, 50, 50), image.NewUniform(blue), image.Point{}, draw.Src)
	// A noisy sky: many shades, one bucket.
	sky := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < len(sky.Pix); i += 4 {
		sky.Pix[i], sky.Pix[i+1], sky.Pix[i+2], sky.Pix[i+3] = 0x48+byte(rng.IntN(8)), 0x88+byte(rng.IntN(8)), 0xD0+byte(rng.IntN(8)), 0xFF
	}
	tests := []struct {
		name string
		img  *image.NRGBA
		want string
	}{
		{"mostly grey", mostlyGrey, "#808080"},
		{"logo on transparency", logo, "#0000ff"},
		{"all transparent", solid(10, 10, transparent), ""},
		{"noisy sky", sky, "#4c8cd4"},
	}
	for _, tt := range tests {
		if got := dominantColor(tt.img); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// detailAt returns a grey w×h image, with mild noise all over, and a
// busy patch (a checkerboard of strong contrast) centred at (fx, fy).
func detailAt(w, h int, fx, fy float64) *image.NRGBA {
	img := solid(w, h, color.NRGBA{0x70, 0x78, 0x80, 0xFF})
	rng := rand.New(rand.NewPCG(9, 10))
	for i := 0; i < len(img.Pix); i += 4 {
		n := byte(rng.IntN(6))
		img.Pix[i] += n
		img.Pix[i+1] += n
		img.Pix[i+2] += n
	}
	side := min(w, h) / 5
	cx, cy := int(fx*float64(w)), int(fy*float64(h))
	for y := cy - side/2; y < cy+side/2; y++ {
		for x := cx - side/2; x < cx+side/2; x++ {
			if (x/(side/8)+y/(side/8))%2 == 0 {
				img.SetNRGBA(x, y, color.NRGBA{0x10, 0x10, 0x10, 0xFF})
			} else {
				img.SetNRGBA(x, y, color.NRGBA{0xF0, 0xE0, 0xD0, 0xFF})
			}
		}
	}
	return img
}

func TestDefaultFocalPoint(t *testing.T) {
	tests := []struct {
		name   string
		img    *image.NRGBA
		fx, fy float64
	}{
		{"flat", solid(256, 170, red), 0.5, 0.5},
		{"noise only", detailAt(256, 170, -1, -1), 0.5, 0.5},
		{"patch top right", detailAt(256, 170, 0.8, 0.3), 0.8, 0.3},
		{"patch bottom left", detailAt(256, 170, 0.2, 0.75), 0.2, 0.75},
		{"tiny", solid(2, 2, red), 0.5, 0.5},
	}
	for _, tt := range tests {
		fx, fy := defaultFocalPoint(tt.img)
		if math.Abs(fx-tt.fx) > 0.05 || math.Abs(fy-tt.fy) > 0.05 {
			t.Errorf("%s: focal (%.3f, %.3f), want about (%.2f, %.2f)", tt.name, fx, fy, tt.fx, tt.fy)
		}
	}
	// A shape on transparency: its outline is the detail.
	shape := solid(200, 100, transparent)
	draw.Draw(shape, image.Rect(20, 60, 40, 80), image.NewUniform(white), image.Point{}, draw.Src)
	if fx, fy := defaultFocalPoint(shape); math.Abs(fx-0.15) > 0.05 || math.Abs(fy-0.7) > 0.05 {
		t.Errorf("white shape on transparency: focal (%.3f, %.3f), want about (0.15, 0.70)", fx, fy)
	}
}

// TestProcessPlaceholder checks that Process reports the blurhash,
// dominant colour and default focal point in upright coordinates, and
// crops the square around the default unless told otherwise.
func TestProcessPlaceholder(t *testing.T) {
	upright := detailAt(1200, 600, 0.85, 0.4)
	// Stored turned a quarter counter-clockwise; orientation 6 turns it
	// back clockwise.
	stored := withEXIFOrientation(encodeJPEGT(t, imaging.Rotate90(upright), 92), 6)
	plain := encodeJPEGT(t, upright, 92)
	for name, data := range map[string][]byte{"plain": plain, "rotated": stored} {
		t.Run(name, func(t *testing.T) {
			res, err := Process(context.Background(), data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(res.FocalX-0.85) > 0.05 || math.Abs(res.FocalY-0.4) > 0.05 {
				t.Errorf("focal (%.3f, %.3f), want about (0.85, 0.40)", res.FocalX, res.FocalY)
			}
			if len(res.Blurhash) != 28 {
				t.Errorf("blurhash %q", res.Blurhash)
			}
			var c color.NRGBA
			c.A = 0xFF
			if _, err := fmt.Sscanf(res.DominantColor, "#%02x%02x%02x", &c.R, &c.G, &c.B); err != nil || !near(c, color.NRGBA{0x72, 0x7A, 0x82, 0xFF}, 3) {
				t.Errorf("dominant colour %q, want about #727a82, the background", res.DominantColor)
			}
			// The square is cut around the default: with the detail near
			// the right edge, the crop is the right-most square.
			right, err := Process(context.Background(), data, Options{FocalX: 1, FocalY: 0.5})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(rendition(t, res, "square512").Data, rendition(t, right, "square512").Data) {
				t.Error("square512 is not cut around the default focal point")
			}
			// A caller's focal point wins, and does not change the default
			// reported.
			left, err := Process(context.Background(), data, Options{FocalX: 0.01, FocalY: 0.5})
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(rendition(t, left, "square512").Data, rendition(t, right, "square512").Data) {
				t.Error("square512 ignores the caller's focal point")
			}
			if left.FocalX != res.FocalX || left.FocalY != res.FocalY {
				t.Errorf("default focal point changed with Options: (%v, %v), was (%v, %v)", left.FocalX, left.FocalY, res.FocalX, res.FocalY)
			}
		})
	}
}
