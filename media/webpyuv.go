package media

import (
	"image"
	"math"
)

// toWebPYUV writes the opaque image img into dst as libwebp's YUV 4:2:0
// with alpha: the planes Y (w×h), U and V ((w+1)/2 × (h+1)/2 each) and A
// (w×h, all opaque), each row after row with no padding. The arithmetic is
// libwebp's own RGB import (its "fast" conversion, the one WebPEncode
// applies to RGBA input, without dithering), so the encoder makes the same
// bytes as from the RGBA pixels; it is done here because writing 2.5 bytes
// a pixel into the encoder's memory instead of 4 keeps that memory small
// (libwebp otherwise holds the RGBA input, its own ARGB copy and the YUV
// planes at once):
//
//   - Y is BT.601 studio range, 16..235: (16839 R + 33059 G + 6420 B) / 2^16 + 16, rounded.
//   - U and V come from each 2×2 block (a last odd row or column counts
//     twice), averaged after a gamma of 0.8 and taken back through its
//     inverse by a 33-entry table with linear interpolation, so that
//     subsampling does not darken edges between saturated colours.
func toWebPYUV(dst []byte, img *image.NRGBA) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	cw, ch := (w+1)/2, (h+1)/2
	ys, us, vs, as := dst[:w*h], dst[w*h:w*h+cw*ch], dst[w*h+cw*ch:w*h+2*cw*ch], dst[w*h+2*cw*ch:2*w*h+2*cw*ch]
	for i := range as {
		as[i] = 0xFF
	}
	row := func(y int) []byte {
		o := img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+min(y, h-1))
		return img.Pix[o : o+4*w]
	}
	inParallel(ch, func(y0, y1 int) {
		for cy := y0; cy < y1; cy++ {
			r0, r1 := row(2*cy), row(2*cy+1) // the same row for the last of an odd height
			for k, r := range [2][]byte{r0, r1} {
				if y := 2*cy + k; y < h {
					yrow := ys[y*w : (y+1)*w]
					for x := range yrow {
						p := r[4*x : 4*x+3 : 4*x+3]
						yrow[x] = uint8((16839*int32(p[0]) + 33059*int32(p[1]) + 6420*int32(p[2]) + 16<<16 + 1<<15) >> 16)
					}
				}
			}
			u, v := us[cy*cw:(cy+1)*cw], vs[cy*cw:(cy+1)*cw]
			for cx := range cw {
				x0, x1 := 8*cx, 8*cx+4
				var r, g, b int32
				if 2*cx+1 < w {
					r = gammaSum4(r0[x0], r0[x1], r1[x0], r1[x1])
					g = gammaSum4(r0[x0+1], r0[x1+1], r1[x0+1], r1[x1+1])
					b = gammaSum4(r0[x0+2], r0[x1+2], r1[x0+2], r1[x1+2])
				} else { // the last, odd column
					r = gammaSum2(r0[x0], r1[x0])
					g = gammaSum2(r0[x0+1], r1[x0+1])
					b = gammaSum2(r0[x0+2], r1[x0+2])
				}
				u[cx] = clipUV(-9719*r - 19081*g + 28800*b)
				v[cx] = clipUV(28800*r - 24116*g - 4684*b)
			}
		}
	})
}

// gammaToLinear maps an 8-bit value v to (v/255)^0.8 in 12-bit fixed
// point; linearToGamma is the inverse at 33 points, for interpolation.
var gammaToLinear, linearToGamma = func() (lin [256]int32, gam [33]int32) {
	const gamma = 0.80
	for v := range lin {
		lin[v] = int32(math.Pow(float64(v)/255, gamma)*4095 + 0.5)
	}
	for v := range gam {
		gam[v] = int32(255*math.Pow(float64(v)*128/4095, 1/gamma) + 0.5)
	}
	return
}()

// gammaSum4 is four times the gamma-corrected mean of a, b, c and d.
func gammaSum4(a, b, c, d uint8) int32 {
	return fromLinear(gammaToLinear[a] + gammaToLinear[b] + gammaToLinear[c] + gammaToLinear[d])
}

// gammaSum2 is four times the gamma-corrected mean of a and b.
func gammaSum2(a, b uint8) int32 {
	return fromLinear((gammaToLinear[a] + gammaToLinear[b]) << 1)
}

// fromLinear takes a sum of four linear values (0..4×4095) back to four
// times its gamma-encoded mean, interpolating linearToGamma.
func fromLinear(sum int32) int32 {
	pos, frac := sum>>9, sum&511
	return (linearToGamma[pos+1]*frac + linearToGamma[pos]*(512-frac) + 64) >> 7
}

// clipUV turns a weighted sum of four-times R, G and B into a U or V
// sample: scaled down by 2^18 with rounding, offset by 128, clipped to a
// byte.
func clipUV(uv int32) uint8 {
	uv = (uv + 1<<17 + 128<<18) >> 18
	return uint8(max(0, min(255, uv)))
}
