package media

import (
	"image"
	"math"
	"runtime"
	"sync"

	"github.com/disintegration/imaging"
)

// kernel is a resampling filter: a weight as a function of the distance
// from the output pixel's centre, in source pixels at scale 1, zero from
// support on.
type kernel struct {
	support float64
	at      func(x float64) float64
	// imaging is the same filter in imaging, which resizes images with
	// transparency (see resize).
	imaging imaging.ResampleFilter
}

var (
	lanczos3 = &kernel{support: 3, imaging: imaging.Lanczos, at: func(x float64) float64 {
		x = math.Abs(x)
		if x >= 3 {
			return 0
		}
		return sinc(x) * sinc(x/3)
	}}
	catmullRom = &kernel{support: 2, imaging: imaging.CatmullRom, at: func(x float64) float64 {
		x = math.Abs(x)
		switch {
		case x < 1:
			return (1.5*x-2.5)*x*x + 1
		case x < 2:
			return ((-0.5*x+2.5)*x-4)*x + 2
		}
		return 0
	}}
)

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// resize returns img resampled to size, or as an *image.NRGBA of its own
// pixels when it already has that size (shared when it is one already).
// Opaque images go through resample; images with transparency through
// imaging, which weights colour by alpha.
func resize(img image.Image, size image.Point, k *kernel, opaque bool) *image.NRGBA {
	if img.Bounds().Size() == size {
		return toNRGBA(img)
	}
	if !opaque {
		if !resamplerReadsFast(img) {
			img = toNRGBA(img)
		}
		return imaging.Resize(img, size.X, size.Y, k.imaging)
	}
	return resample(img, size, k)
}

// weightBits is the fixed-point precision of resampling weights.
const weightBits = 14

// weights holds, for each output pixel along one axis, the first source
// pixel it reads and the fixed-point weights of the pixels from there on,
// which sum to exactly 1<<weightBits so flat areas keep their value.
type weights struct {
	start []int
	w     [][]int32
}

func makeWeights(dst, src int, k *kernel) weights {
	scale := float64(src) / float64(dst)
	blur := max(scale, 1) // widen the filter when shrinking, to antialias
	support := k.support * blur
	ws := weights{start: make([]int, dst), w: make([][]int32, dst)}
	f := make([]float64, int(math.Ceil(2*support))+1)
	for i := range dst {
		centre := (float64(i) + 0.5) * scale
		lo := max(0, int(math.Ceil(centre-support-0.5)))
		hi := min(src-1, int(math.Floor(centre+support-0.5)))
		sum := 0.0
		for j := lo; j <= hi; j++ {
			f[j-lo] = k.at((float64(j) + 0.5 - centre) / blur)
			sum += f[j-lo]
		}
		w := make([]int32, hi-lo+1)
		total, peak := int32(0), 0
		for j := range w {
			w[j] = int32(math.Round(f[j] / sum * (1 << weightBits)))
			total += w[j]
			if w[j] > w[peak] {
				peak = j
			}
		}
		w[peak] += 1<<weightBits - total
		ws.start[i], ws.w[i] = lo, w
	}
	return ws
}

// paddedWeights are makeWeights' weights with every output pixel's padded
// with zeros to the same number of taps (its window moved in from the
// right edge where it would run past it), so the horizontal pass's inner
// loop has no ragged ends.
type paddedWeights struct {
	start []int
	taps  int
	w     []int32 // taps per output pixel
}

func makePaddedWeights(dst, src int, k *kernel) paddedWeights {
	ws := makeWeights(dst, src, k)
	taps := 0
	for _, w := range ws.w {
		taps = max(taps, len(w))
	}
	p := paddedWeights{start: make([]int, dst), taps: taps, w: make([]int32, dst*taps)}
	for i, w := range ws.w {
		start := min(ws.start[i], src-taps) // taps <= src: a window never exceeds it
		copy(p.w[i*taps+ws.start[i]-start:], w)
		p.start[i] = start
	}
	return p
}

// resample resizes an opaque image to size with kernel k: horizontally into
// an intermediate of the output width and the input height, then
// vertically. Work is in 8-bit fixed point on the colour channels, rows
// split between GOMAXPROCS goroutines. (With the same scale on both axes,
// doing the vertical pass first costs the same.)
func resample(src image.Image, size image.Point, k *kernel) *image.NRGBA {
	b := src.Bounds()
	tmp := src
	if b.Dx() != size.X {
		tmp = resampleH(src, size.X, k)
	}
	if b.Dy() == size.Y {
		return toNRGBA(tmp)
	}
	return resampleV(tmp, size.Y, k)
}

// resampleH resamples each row of src to width dw.
func resampleH(src image.Image, dw int, k *kernel) *image.NRGBA {
	b := src.Bounds()
	h := b.Dy()
	dst := image.NewNRGBA(image.Rect(0, 0, dw, h))
	ws := makePaddedWeights(dw, b.Dx(), k)
	taps := ws.taps
	r := newRowReader(src)
	inParallel(h, func(y0, y1 int) {
		buf := make([]uint8, b.Dx()*4)
		for y := y0; y < y1; y++ {
			row := r.row(y, buf)
			out := dst.Pix[y*dst.Stride : y*dst.Stride+dw*4]
			for x := range dw {
				wx := ws.w[x*taps : x*taps+taps : x*taps+taps]
				s := row[ws.start[x]*4:]
				s = s[:len(wx)*4]
				// Two taps a step, in two sums, so the multiplications
				// of one do not wait on the other's additions. The
				// loops are shaped so the compiler drops bounds checks.
				var cr, cg, cb, dr, dg, db int32
				for len(wx) >= 2 && len(s) >= 8 {
					w0, w1 := wx[0], wx[1]
					cr += int32(s[0]) * w0
					cg += int32(s[1]) * w0
					cb += int32(s[2]) * w0
					dr += int32(s[4]) * w1
					dg += int32(s[5]) * w1
					db += int32(s[6]) * w1
					s, wx = s[8:], wx[2:]
				}
				if len(wx) > 0 && len(s) >= 4 {
					w := wx[0]
					cr += int32(s[0]) * w
					cg += int32(s[1]) * w
					cb += int32(s[2]) * w
				}
				o := out[x*4 : x*4+4 : x*4+4]
				o[0], o[1], o[2], o[3] = fixedToUint8(cr+dr), fixedToUint8(cg+dg), fixedToUint8(cb+db), 0xFF
			}
		}
	})
	return dst
}

// resampleV resamples each column of src to height dh, a row at a time so
// that memory is read in order.
func resampleV(src image.Image, dh int, k *kernel) *image.NRGBA {
	b := src.Bounds()
	w := b.Dx()
	dst := image.NewNRGBA(image.Rect(0, 0, w, dh))
	ws := makeWeights(dh, b.Dy(), k)
	r := newRowReader(src)
	inParallel(dh, func(y0, y1 int) {
		buf := make([]uint8, w*4)
		acc := make([]int32, w*4)
		for y := y0; y < y1; y++ {
			clear(acc)
			for j, wt := range ws.w[y] {
				row := r.row(ws.start[y]+j, buf)
				row = row[:len(acc)]
				for i, v := range row {
					acc[i] += int32(v) * wt
				}
			}
			out := dst.Pix[y*dst.Stride : y*dst.Stride+w*4]
			for i, v := range acc {
				out[i] = fixedToUint8(v)
			}
			for i := 3; i < len(out); i += 4 {
				out[i] = 0xFF
			}
		}
	})
	return dst
}

// fixedToUint8 rounds a fixed-point value to 0..255. Lanczos overshoots
// on sharp edges; the overshoot is clipped.
func fixedToUint8(v int32) uint8 {
	v = (v + 1<<(weightBits-1)) >> weightBits
	if uint32(v) > 0xFF {
		if v < 0 {
			return 0
		}
		return 0xFF
	}
	return uint8(v)
}

// inParallel splits rows 0..n between GOMAXPROCS goroutines and waits.
func inParallel(n int, rows func(y0, y1 int)) {
	workers := max(1, min(runtime.GOMAXPROCS(0), n))
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() { rows(n*k/workers, n*(k+1)/workers) })
	}
	wg.Wait()
}
