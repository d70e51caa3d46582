package media

import (
	"image"
	"image/color"
)

// rowReader reads rows of any image as 8-bit non-premultiplied RGBA, the
// layout of *image.NRGBA, with fast paths for every type the standard and
// x/image decoders return. Colour models convert through image/color, so
// CMYK and greyscale keep their colours.
type rowReader struct {
	img     image.Image
	b       image.Rectangle
	palette [][4]uint8 // for *image.Paletted
}

func newRowReader(img image.Image) *rowReader {
	r := &rowReader{img: img, b: img.Bounds()}
	if p, ok := img.(*image.Paletted); ok {
		r.palette = make([][4]uint8, len(p.Palette))
		for i, c := range p.Palette {
			n := color.NRGBAModel.Convert(c).(color.NRGBA)
			r.palette[i] = [4]uint8{n.R, n.G, n.B, n.A}
		}
	}
	return r
}

// row returns row y (0 is the top of the bounds) as 4×width bytes. It
// fills buf, or for an *image.NRGBA returns the image's own memory, which
// the caller must not change.
func (r *rowReader) row(y int, buf []uint8) []uint8 {
	w := r.b.Dx()
	y += r.b.Min.Y
	x0 := r.b.Min.X
	buf = buf[:w*4]
	switch m := r.img.(type) {
	case *image.NRGBA:
		i := m.PixOffset(x0, y)
		return m.Pix[i : i+w*4]
	case *image.RGBA:
		i := m.PixOffset(x0, y)
		unpremultiply(buf, m.Pix[i:i+w*4])
	case *image.YCbCr:
		if m.Rect.Min.X < 0 || m.Rect.Min.Y < 0 { // never from a decoder
			r.genericRow(y, buf)
			break
		}
		r.yCbCrRow(m, y, buf, nil)
	case *image.NYCbCrA:
		if m.Rect.Min.X < 0 || m.Rect.Min.Y < 0 {
			r.genericRow(y, buf)
			break
		}
		ai := m.AOffset(x0, y)
		r.yCbCrRow(&m.YCbCr, y, buf, m.A[ai:ai+w])
	case *image.Gray:
		i := m.PixOffset(x0, y)
		for x, g := range m.Pix[i : i+w] {
			d := buf[x*4 : x*4+4 : x*4+4]
			d[0], d[1], d[2], d[3] = g, g, g, 0xFF
		}
	case *image.Gray16:
		i := m.PixOffset(x0, y)
		s := m.Pix[i : i+w*2]
		for x := 0; x < w; x++ {
			g := s[x*2] // the high byte
			d := buf[x*4 : x*4+4 : x*4+4]
			d[0], d[1], d[2], d[3] = g, g, g, 0xFF
		}
	case *image.NRGBA64:
		i := m.PixOffset(x0, y)
		s := m.Pix[i : i+w*8]
		for x := 0; x < w; x++ {
			p := s[x*8 : x*8+8 : x*8+8]
			d := buf[x*4 : x*4+4 : x*4+4]
			d[0], d[1], d[2], d[3] = p[0], p[2], p[4], p[6]
		}
	case *image.CMYK:
		i := m.PixOffset(x0, y)
		s := m.Pix[i : i+w*4]
		for x := 0; x < w; x++ {
			p := s[x*4 : x*4+4 : x*4+4]
			d := buf[x*4 : x*4+4 : x*4+4]
			d[0], d[1], d[2] = color.CMYKToRGB(p[0], p[1], p[2], p[3])
			d[3] = 0xFF
		}
	case *image.Paletted:
		i := m.PixOffset(x0, y)
		for x, ci := range m.Pix[i : i+w] {
			var c [4]uint8 // an index past the palette reads as transparent
			if int(ci) < len(r.palette) {
				c = r.palette[ci]
			}
			copy(buf[x*4:x*4+4], c[:])
		}
	default: // RGBA64 and anything else: exact but slower
		r.genericRow(y, buf)
	}
	return buf
}

// genericRow converts row y (absolute) through At and image/color.
func (r *rowReader) genericRow(y int, buf []uint8) {
	for x := 0; x < r.b.Dx(); x++ {
		c := color.NRGBA64Model.Convert(r.img.At(r.b.Min.X+x, y)).(color.NRGBA64)
		d := buf[x*4 : x*4+4 : x*4+4]
		d[0], d[1], d[2], d[3] = uint8(c.R>>8), uint8(c.G>>8), uint8(c.B>>8), uint8(c.A>>8)
	}
}

// yCbCrRow converts row y of m to RGBA, taking alpha from a when it is not
// nil. It indexes chroma with shifts rather than through COffset per
// pixel, which rounds the same only for bounds that are not negative.
func (r *rowReader) yCbCrRow(m *image.YCbCr, y int, buf, a []uint8) {
	w := r.b.Dx()
	x0 := r.b.Min.X
	xs, ys := chromaShifts(m.SubsampleRatio)
	yi := m.YOffset(x0, y)
	cRow := (y>>ys - m.Rect.Min.Y>>ys) * m.CStride
	cMin := m.Rect.Min.X >> xs
	for x := 0; x < w; x++ {
		ci := cRow + (x0+x)>>xs - cMin
		d := buf[x*4 : x*4+4 : x*4+4]
		d[0], d[1], d[2] = color.YCbCrToRGB(m.Y[yi+x], m.Cb[ci], m.Cr[ci])
		d[3] = 0xFF
		if a != nil {
			d[3] = a[x]
		}
	}
}

// unpremultiply converts premultiplied RGBA pixels in src to
// non-premultiplied ones in dst.
func unpremultiply(dst, src []uint8) {
	for i := 0; i+4 <= len(src); i += 4 {
		s := src[i : i+4 : i+4]
		d := dst[i : i+4 : i+4]
		switch a := uint32(s[3]); a {
		case 0xFF:
			copy(d, s)
		case 0:
			d[0], d[1], d[2], d[3] = 0, 0, 0, 0
		default:
			d[0] = uint8((uint32(s[0])*0xFF + a/2) / a)
			d[1] = uint8((uint32(s[1])*0xFF + a/2) / a)
			d[2] = uint8((uint32(s[2])*0xFF + a/2) / a)
			d[3] = s[3]
		}
	}
}

// toNRGBA returns img as an *image.NRGBA with bounds starting at (0, 0),
// converting it when it is anything else.
func toNRGBA(img image.Image) *image.NRGBA {
	if n, ok := img.(*image.NRGBA); ok && n.Rect.Min == (image.Point{}) {
		return n
	}
	b := img.Bounds()
	dst := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	if b.Empty() {
		return dst
	}
	r := newRowReader(img)
	for y := 0; y < b.Dy(); y++ {
		row := dst.Pix[y*dst.Stride : y*dst.Stride+b.Dx()*4]
		if src := r.row(y, row); &src[0] != &row[0] {
			copy(row, src)
		}
	}
	return dst
}

// resamplerReadsFast reports whether imaging's resampler has a fast path
// for img's type; for other types it calls At per pixel, which is slow
// enough that converting first pays.
func resamplerReadsFast(img image.Image) bool {
	switch img.(type) {
	case *image.NRGBA, *image.NRGBA64, *image.RGBA, *image.RGBA64,
		*image.Gray, *image.Gray16, *image.YCbCr, *image.Paletted:
		return true
	}
	return false
}

// isOpaque reports whether every pixel of img has full alpha: true
// transparency, not a format's ability to carry an alpha channel. Every
// image type in the standard library can tell; any other counts as
// transparent, which is never wrong, only larger.
func isOpaque(img image.Image) bool {
	o, ok := img.(interface{ Opaque() bool })
	return ok && o.Opaque()
}

// chromaShifts returns log2 of the horizontal and vertical chroma
// subsampling factors.
func chromaShifts(r image.YCbCrSubsampleRatio) (xs, ys uint) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return 1, 0
	case image.YCbCrSubsampleRatio420:
		return 1, 1
	case image.YCbCrSubsampleRatio440:
		return 0, 1
	case image.YCbCrSubsampleRatio411:
		return 2, 0
	case image.YCbCrSubsampleRatio410:
		return 2, 1
	}
	return 0, 0
}
