package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/disintegration/imaging"
	xwebp "golang.org/x/image/webp"
)

// TestWebPSmallerAtEqualSSIM is the measurement behind DefaultWebPQuality:
// on photo-like scenes (photoScene) downscaled to every rendition's size,
// the WebP set at DefaultWebPQuality must be at most 70% of the bytes of
// the JPEG set at DefaultJPEGQuality, with an SSIM against the unencoded
// pixels no more than ssimSlack below JPEG's for any rendition of any
// scene, and a mean SSIM over all of them at least JPEG's.
//
//	go test ./media -run WebPSmallerAtEqualSSIM -v
//	STILLROOM_WEBP_SWEEP=55,65,75,85 go test ./media -run WebPSmallerAtEqualSSIM -v   # other qualities, reported only
func TestWebPSmallerAtEqualSSIM(t *testing.T) {
	// Strict parity on every rendition needs quality 91 here (about 80%
	// of the JPEG bytes); see DefaultWebPQuality.
	const ssimSlack = 0.001
	if testing.Short() || raceDetector {
		t.Skip("a measurement: encodes ten 2048-wide images; run it without -short and -race")
	}
	ctx := context.Background()
	type set struct{ pix []*image.NRGBA }
	var scenes []set
	for seed := range uint64(2) {
		src := photoScene(3072, 2048, seed)
		var s set
		for _, sz := range []image.Point{{2048, 1365}, {1024, 683}, {512, 341}, {256, 171}} {
			s.pix = append(s.pix, imaging.Resize(src, sz.X, sz.Y, imaging.Lanczos))
		}
		s.pix = append(s.pix, imaging.Resize(imaging.CropCenter(src, 2048, 2048), 512, 512, imaging.Lanczos))
		scenes = append(scenes, s)
	}
	names := []string{"w2048", "w1024", "w512", "w256", "square512"}

	var jpegBytes int
	jpegSSIM := make([][]float64, len(scenes))
	for i, s := range scenes {
		for _, img := range s.pix {
			data, err := encodeJPEG(img, DefaultJPEGQuality)
			if err != nil {
				t.Fatal(err)
			}
			dec, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			jpegBytes += len(data)
			jpegSSIM[i] = append(jpegSSIM[i], ssim(img, dec))
		}
	}

	jpegMean := 0.0
	for _, row := range jpegSSIM {
		for _, v := range row {
			jpegMean += v / float64(len(row)*len(jpegSSIM))
		}
	}
	var webpMean float64
	measure := func(q int) (ratio float64, worst float64, worstAt string, rows []string) {
		webpBytes := 0
		webpMean = 0
		worst = math.Inf(1)
		for i, s := range scenes {
			for k, img := range s.pix {
				data, err := encodeWebP(ctx, img, q)
				if err != nil {
					t.Fatal(err)
				}
				dec, err := xwebp.Decode(bytes.NewReader(data))
				if err != nil {
					t.Fatal(err)
				}
				webpBytes += len(data)
				v := ssim(img, vp8ToNRGBA(dec))
				webpMean += v / float64(len(s.pix)*len(scenes))
				if d := v - jpegSSIM[i][k]; d < worst {
					worst, worstAt = d, fmt.Sprintf("scene %d %s", i, names[k])
				}
				rows = append(rows, fmt.Sprintf("scene %d %-9s SSIM jpeg %.4f webp %.4f", i, names[k], jpegSSIM[i][k], v))
			}
		}
		return float64(webpBytes) / float64(jpegBytes), worst, worstAt, rows
	}

	ratio, worst, at, rows := measure(DefaultWebPQuality)
	for _, r := range rows {
		t.Log(r)
	}
	t.Logf("JPEG q%d set %d bytes, mean SSIM %.4f; WebP q%d m%d: %.1f%% of the bytes, mean SSIM %.4f; worst difference (webp-jpeg) %+.4f (%s)",
		DefaultJPEGQuality, jpegBytes, jpegMean, DefaultWebPQuality, WebPMethod, 100*ratio, webpMean, worst, at)
	if ratio > 0.70 {
		t.Errorf("the WebP set is %.1f%% of the JPEG set's bytes, want at most 70%%", 100*ratio)
	}
	if worst < -ssimSlack {
		t.Errorf("WebP's SSIM is below JPEG's by %.4f at %s", -worst, at)
	}
	if webpMean < jpegMean {
		t.Errorf("WebP's mean SSIM %.4f is below JPEG's %.4f", webpMean, jpegMean)
	}
	if sweep := os.Getenv("STILLROOM_WEBP_SWEEP"); sweep != "" {
		for f := range strings.SplitSeq(sweep, ",") {
			q, err := strconv.Atoi(f)
			if err != nil {
				t.Fatal(err)
			}
			ratio, worst, at, _ := measure(q)
			t.Logf("sweep: WebP q%d: %.1f%% of the bytes, mean SSIM %.4f, worst difference %+.4f (%s)", q, 100*ratio, webpMean, worst, at)
		}
	}
}

// photoScene draws a synthetic photograph, w×h, the same for a seed: a
// sky graded from deep to pale blue with soft clouds, buildings with lit
// and dark faces and rows of windows (hard edges at many scales), a
// ground of multi-octave value noise (the 1/f spectrum of natural
// texture), a few shaded round figures, and sensor noise (σ 2 levels).
// Unlike photoLike (a gradient under ±16 uniform noise, which no codec can
// compress and so measures entropy, not quality) it has what codecs trade
// off in photographs: smooth areas, edges and texture.
func photoScene(w, h int, seed uint64) *image.NRGBA {
	rng := rand.New(rand.NewPCG(seed, 0x5EED))
	noise := newValueNoise(rng)
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	horizon := int(float64(h) * (0.45 + 0.1*rng.Float64()))
	set := func(x, y int, r, g, b float64) {
		i := img.PixOffset(x, y)
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = clip8(r), clip8(g), clip8(b), 0xFF
	}
	s := float64(w) / 3072 // features scale with the image
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/s, float64(y)/s
			if y < horizon {
				t := float64(y) / float64(horizon)
				c := max(0, noise.fbm(fx/400, fy/150, 4)-0.5) * 2 // clouds
				set(x, y, 60+120*t+180*c, 110+100*t+140*c, 200+40*t+50*c)
				continue
			}
			n := noise.fbm(fx/60, fy/60, 6)
			d := float64(y-horizon) / float64(h-horizon)
			set(x, y, 70+90*n+30*d, 90+70*n+20*d, 40+40*n)
		}
	}
	// Buildings standing on the horizon.
	for range 9 {
		bw := int((120 + 380*rng.Float64()) * s)
		bh := int((200 + 600*rng.Float64()) * s)
		x0 := rng.IntN(max(1, w-bw))
		y0 := max(0, horizon-bh)
		base := [3]float64{90 + 120*rng.Float64(), 80 + 110*rng.Float64(), 70 + 100*rng.Float64()}
		shade := 0.55 + 0.3*rng.Float64()
		win := int((14 + 10*rng.Float64()) * s)
		for y := y0; y < horizon+int(20*s) && y < h; y++ {
			for x := x0; x < x0+bw && x < w; x++ {
				f := 1.0
				if x > x0+bw*2/3 {
					f = shade // the face away from the light
				}
				r, g, b := base[0]*f, base[1]*f, base[2]*f
				if wx, wy := (x-x0)%(2*win), (y-y0)%(3*win); wx > win/2 && wx < win*3/2 && wy > win && wy < 2*win && y < horizon {
					l := 30 + 60*noise.at(float64(x/win), float64(y/win))
					r, g, b = l, l+10, l+25 // windows
				}
				set(x, y, r, g, b)
			}
		}
	}
	// Round shaded figures in front.
	for range 6 {
		cx, cy := rng.IntN(w), horizon+rng.IntN(max(1, h-horizon))
		rad := (40 + 120*rng.Float64()) * s
		col := [3]float64{80 + 170*rng.Float64(), 60 + 150*rng.Float64(), 50 + 150*rng.Float64()}
		for y := max(0, cy-int(rad)); y < min(h, cy+int(rad)); y++ {
			for x := max(0, cx-int(rad)); x < min(w, cx+int(rad)); x++ {
				dx, dy := float64(x-cx)/rad, float64(y-cy)/rad
				if d := dx*dx + dy*dy; d < 1 {
					l := 0.6 + 0.4*math.Sqrt(1-d) - 0.2*dx // lit from the left
					set(x, y, col[0]*l, col[1]*l, col[2]*l)
				}
			}
		}
	}
	for i := 0; i < len(img.Pix); i += 4 {
		for c := range 3 {
			img.Pix[i+c] = clip8(float64(img.Pix[i+c]) + 2*rng.NormFloat64())
		}
	}
	return img
}

func clip8(v float64) uint8 { return uint8(max(0, min(255, math.Round(v)))) }

// valueNoise is smooth noise from a lattice of random values.
type valueNoise struct{ v [256]float64 }

func newValueNoise(rng *rand.Rand) *valueNoise {
	n := &valueNoise{}
	for i := range n.v {
		n.v[i] = rng.Float64()
	}
	return n
}

func (n *valueNoise) lattice(x, y int) float64 {
	return n.v[uint8(uint32(x)*73856093^uint32(y)*19349663^uint32(y)>>7)]
}

// at is the noise at (x, y), 0..1, smoothly interpolated.
func (n *valueNoise) at(x, y float64) float64 {
	x0, y0 := math.Floor(x), math.Floor(y)
	tx, ty := x-x0, y-y0
	tx, ty = tx*tx*(3-2*tx), ty*ty*(3-2*ty)
	ix, iy := int(x0), int(y0)
	a := n.lattice(ix, iy) + tx*(n.lattice(ix+1, iy)-n.lattice(ix, iy))
	b := n.lattice(ix, iy+1) + tx*(n.lattice(ix+1, iy+1)-n.lattice(ix, iy+1))
	return a + ty*(b-a)
}

// fbm sums octaves of noise, each twice the frequency and half the
// amplitude of the one before (0..1).
func (n *valueNoise) fbm(x, y float64, octaves int) float64 {
	sum, amp, norm := 0.0, 1.0, 0.0
	for range octaves {
		sum += amp * n.at(x, y)
		norm += amp
		amp /= 2
		x, y = 2*x+17, 2*y+31
	}
	return sum / norm
}

// ssim is the mean structural similarity (Wang et al. 2004) of the luma
// (BT.601 weights) of two images of one size: Gaussian windows of 11×11,
// σ 1.5, K1 0.01, K2 0.03, L 255. 1 is identical.
func ssim(a, b image.Image) float64 {
	w, h := a.Bounds().Dx(), a.Bounds().Dy()
	if b.Bounds().Dx() != w || b.Bounds().Dy() != h {
		panic("ssim: sizes differ")
	}
	x, y := luma(a), luma(b)
	xx, yy, xy := make([]float64, w*h), make([]float64, w*h), make([]float64, w*h)
	for i := range x {
		xx[i], yy[i], xy[i] = x[i]*x[i], y[i]*y[i], x[i]*y[i]
	}
	mx, my := blur(x, w, h), blur(y, w, h)
	sxx, syy, sxy := blur(xx, w, h), blur(yy, w, h), blur(xy, w, h)
	const c1, c2 = (0.01 * 255) * (0.01 * 255), (0.03 * 255) * (0.03 * 255)
	sum, n := 0.0, 0
	// Only where the whole window is inside the image.
	for j := 5; j < h-5; j++ {
		for i := 5; i < w-5; i++ {
			k := j*w + i
			vx, vy, cxy := sxx[k]-mx[k]*mx[k], syy[k]-my[k]*my[k], sxy[k]-mx[k]*my[k]
			sum += (2*mx[k]*my[k] + c1) * (2*cxy + c2) / ((mx[k]*mx[k] + my[k]*my[k] + c1) * (vx + vy + c2))
			n++
		}
	}
	if n == 0 {
		return 1
	}
	return sum / float64(n)
}

func luma(img image.Image) []float64 {
	b := img.Bounds()
	out := make([]float64, 0, b.Dx()*b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			out = append(out, 0.299*float64(c.R)+0.587*float64(c.G)+0.114*float64(c.B))
		}
	}
	return out
}

// blur convolves v (rows of w) with a normalised 11-tap Gaussian (σ 1.5)
// in each direction; edges are clamped.
func blur(v []float64, w, h int) []float64 {
	var k [11]float64
	sum := 0.0
	for i := range k {
		d := float64(i - 5)
		k[i] = math.Exp(-d * d / (2 * 1.5 * 1.5))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	tmp, out := make([]float64, len(v)), make([]float64, len(v))
	for y := range h {
		for x := range w {
			s := 0.0
			for i, kv := range k {
				s += kv * v[y*w+clamp(x+i-5, 0, w-1)]
			}
			tmp[y*w+x] = s
		}
	}
	for y := range h {
		for x := range w {
			s := 0.0
			for i, kv := range k {
				s += kv * tmp[clamp(y+i-5, 0, h-1)*w+x]
			}
			out[y*w+x] = s
		}
	}
	return out
}

// TestSSIM checks the measure itself: identical images score 1, and more
// distortion scores lower.
func TestSSIM(t *testing.T) {
	img := photoScene(256, 171, 1)
	if v := ssim(img, img); math.Abs(v-1) > 1e-9 {
		t.Fatalf("ssim(x, x) = %v", v)
	}
	prev := 1.0
	for _, sigma := range []float64{0.6, 1.2, 2.4} {
		v := ssim(img, imaging.Blur(img, sigma))
		if v >= prev {
			t.Errorf("blur σ %g: ssim %.4f, not below %.4f", sigma, v, prev)
		}
		prev = v
	}
}
