package media

import (
	"image"
	"image/color"
)

// halve returns src at half its width and height (rounded down; an odd last
// row or column is dropped) by averaging 2×2 blocks, weighting colour by
// alpha. A box filter is cheap and, while the image is still at least
// twice the final size, loses nothing that the Lanczos pass after it would
// keep, at a fraction of the cost of resampling the full-size image.
//
// src may be any image type; the result is always *image.NRGBA, so the
// first halving is also the conversion from the decoder's pixel layout.
// Rows are split between GOMAXPROCS goroutines.
func halve(src image.Image) *image.NRGBA {
	b := src.Bounds()
	w, h := b.Dx()/2, b.Dy()/2
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	if w == 0 || h == 0 {
		return dst
	}
	var rows func(y0, y1 int)
	if m, ok := src.(*image.YCbCr); ok && m.Rect.Min.X >= 0 && m.Rect.Min.Y >= 0 {
		// The decoder's layout for JPEG and lossy WebP: average in YCbCr
		// and convert a quarter of the pixels to RGB.
		rows = func(y0, y1 int) {
			for y := y0; y < y1; y++ {
				halveYCbCrRow(dst.Pix[y*dst.Stride:y*dst.Stride+w*4], m, 2*y)
			}
		}
	} else {
		r := newRowReader(src)
		rows = func(y0, y1 int) {
			buf0 := make([]uint8, b.Dx()*4)
			buf1 := make([]uint8, b.Dx()*4)
			for y := y0; y < y1; y++ {
				halveRow(dst.Pix[y*dst.Stride:y*dst.Stride+w*4], r.row(2*y, buf0), r.row(2*y+1, buf1))
			}
		}
	}
	inParallel(h, rows)
	return dst
}

// halveYCbCrRow averages the 2×2 blocks of rows y and y+1 of m (0 is the
// top of its bounds) in YCbCr, then converts each mean to RGB. Averaging
// before converting is exact but where conversion clips. m's bounds must
// not be negative: chroma is indexed with shifts.
func halveYCbCrRow(d []uint8, m *image.YCbCr, y int) {
	xs, ys := chromaShifts(m.SubsampleRatio)
	minX, minY := m.Rect.Min.X, m.Rect.Min.Y
	Y, Cb, Cr := m.Y, m.Cb, m.Cr
	yi0 := m.YOffset(minX, minY+y)
	yi1 := yi0 + m.YStride
	cr0 := ((minY+y)>>ys - minY>>ys) * m.CStride
	cr1 := ((minY+y+1)>>ys - minY>>ys) * m.CStride
	cMin := minX >> xs
	for x := 0; x+4 <= len(d); x += 4 {
		sx := x / 2 // the block's left column
		X0, X1 := minX+sx, minX+sx+1
		c00, c01 := cr0+X0>>xs-cMin, cr0+X1>>xs-cMin
		c10, c11 := cr1+X0>>xs-cMin, cr1+X1>>xs-cMin
		yy := (uint32(Y[yi0+sx]) + uint32(Y[yi0+sx+1]) + uint32(Y[yi1+sx]) + uint32(Y[yi1+sx+1]) + 2) >> 2
		cb := (uint32(Cb[c00]) + uint32(Cb[c01]) + uint32(Cb[c10]) + uint32(Cb[c11]) + 2) >> 2
		cr := (uint32(Cr[c00]) + uint32(Cr[c01]) + uint32(Cr[c10]) + uint32(Cr[c11]) + 2) >> 2
		o := d[x : x+4 : x+4]
		o[0], o[1], o[2] = color.YCbCrToRGB(uint8(yy), uint8(cb), uint8(cr))
		o[3] = 0xFF
	}
}

// halveRow averages the 2×2 blocks of two NRGBA rows, a and b, into d.
func halveRow(d, a, b []uint8) {
	for x := 0; x+4 <= len(d); x += 4 {
		p := a[2*x : 2*x+8 : 2*x+8]
		q := b[2*x : 2*x+8 : 2*x+8]
		o := d[x : x+4 : x+4]
		a0, a1, a2, a3 := uint32(p[3]), uint32(p[7]), uint32(q[3]), uint32(q[7])
		switch sum := a0 + a1 + a2 + a3; sum {
		case 4 * 0xFF: // opaque, the common case: a plain mean
			o[0] = uint8((uint32(p[0]) + uint32(p[4]) + uint32(q[0]) + uint32(q[4]) + 2) >> 2)
			o[1] = uint8((uint32(p[1]) + uint32(p[5]) + uint32(q[1]) + uint32(q[5]) + 2) >> 2)
			o[2] = uint8((uint32(p[2]) + uint32(p[6]) + uint32(q[2]) + uint32(q[6]) + 2) >> 2)
			o[3] = 0xFF
		case 0:
			o[0], o[1], o[2], o[3] = 0, 0, 0, 0
		default:
			// Colour is non-premultiplied: weight each pixel by its alpha
			// so transparent pixels' colours do not bleed in.
			for c := 0; c < 3; c++ {
				o[c] = uint8((uint32(p[c])*a0 + uint32(p[4+c])*a1 + uint32(q[c])*a2 + uint32(q[4+c])*a3 + sum/2) / sum)
			}
			o[3] = uint8((sum + 2) >> 2)
		}
	}
}
