package media

import (
	"bytes"
	"encoding/binary"
	"image"
)

// EXIF orientation: the stored pixels are turned upright for display. The
// eight values of the TIFF/EXIF Orientation tag (0x0112), as the transform
// that takes the stored image to the displayed one:
//
//	1 identity             5 transpose (mirror along the main diagonal)
//	2 mirror left-right    6 rotate 90° clockwise
//	3 rotate 180°          7 transverse (mirror along the anti-diagonal)
//	4 mirror top-bottom    8 rotate 90° counter-clockwise
//
// The pipeline resizes in stored orientation and turns each rendition upright
// at the end, where images are smallest.

// jpegHeader is what the pipeline reads from a JPEG's marker segments before
// decoding. The slices share the input's memory.
type jpegHeader struct {
	orientation int    // 1..8; 1 when there is no usable EXIF orientation
	exif        []byte // the TIFF structure of the first EXIF APP1 segment
	xmp         []byte // the packet of the first XMP APP1 segment
	// psir holds the Photoshop image resources of the APP13 segments, in
	// order: a long IPTC record is split across several.
	psir [][]byte
}

// The signatures that start APP1 segments (EXIF, XMP) and APP13 (Photoshop
// image resources, which carry IPTC-IIM).
var (
	exifPrefix = []byte("Exif\x00\x00")
	xmpPrefix  = []byte("http://ns.adobe.com/xap/1.0/\x00")
	psirPrefix = []byte("Photoshop 3.0\x00")
)

// maxPSIRSegments bounds the APP13 segments kept; writers use one or two.
const maxPSIRSegments = 64

// readJPEGHeader walks the marker segments of a JPEG up to the first scan.
// It never fails: it skips stray bytes between segments as image/jpeg
// does, and a bad length ends the walk with what was found so far, leaving
// the decoder to report corrupt data. Its work is one pass over the bytes
// before the first scan.
func readJPEGHeader(data []byte) (h jpegHeader) {
	defer func() { h.orientation = tiffOrientation(h.exif) }()
	i := 2 // after SOI
	for i+1 < len(data) {
		if data[i] != 0xFF {
			i++
			continue
		}
		marker := data[i+1]
		if marker == 0xFF { // fill byte before a marker
			i++
			continue
		}
		i += 2
		switch {
		case marker == 0xD8, marker == 0x01, marker >= 0xD0 && marker <= 0xD7:
			continue // standalone markers carry no length
		case marker == 0xD9, marker == 0xDA: // EOI, SOS: headers are over
			return h
		}
		if i+2 > len(data) {
			return h
		}
		n := int(binary.BigEndian.Uint16(data[i:]))
		if n < 2 || i+n > len(data) {
			return h
		}
		seg := data[i+2 : i+n]
		switch {
		case marker == 0xE1 && h.exif == nil && bytes.HasPrefix(seg, exifPrefix):
			h.exif = seg[len(exifPrefix):]
		case marker == 0xE1 && h.xmp == nil && bytes.HasPrefix(seg, xmpPrefix):
			h.xmp = seg[len(xmpPrefix):]
		case marker == 0xED && len(h.psir) < maxPSIRSegments && bytes.HasPrefix(seg, psirPrefix):
			h.psir = append(h.psir, seg[len(psirPrefix):])
		}
		i += n
	}
	return h
}

// tagOrientation is the TIFF/EXIF Orientation tag.
const tagOrientation = 0x0112

// tiffOrientation returns the Orientation tag of IFD0 in a TIFF structure,
// or 1 when it is missing, malformed or out of range.
func tiffOrientation(b []byte) int {
	t, ifd0, ok := parseTIFF(b)
	if !ok {
		return 1
	}
	for e := range t.entries(ifd0) {
		if e.tag != tagOrientation {
			continue
		}
		if v, ok := t.uint(e); ok && v >= 1 && v <= 8 {
			return int(v)
		}
		return 1
	}
	return 1
}

// swapsAxes reports whether orientation o exchanges width and height.
func swapsAxes(o int) bool { return o >= 5 && o <= 8 }

// storedPoint maps a point (u, v) of the displayed image, each in 0..1 from
// the top-left, to the same point of the stored image.
func storedPoint(o int, u, v float64) (x, y float64) {
	switch o {
	case 2:
		return 1 - u, v
	case 3:
		return 1 - u, 1 - v
	case 4:
		return u, 1 - v
	case 5:
		return v, u
	case 6:
		return v, 1 - u
	case 7:
		return 1 - v, 1 - u
	case 8:
		return 1 - v, u
	}
	return u, v
}

// storedPixel maps pixel (u, v) of the displayed image to pixel (x, y) of a
// stored image w×h.
func storedPixel(o, w, h, u, v int) (x, y int) {
	switch o {
	case 2:
		return w - 1 - u, v
	case 3:
		return w - 1 - u, h - 1 - v
	case 4:
		return u, h - 1 - v
	case 5:
		return v, u
	case 6:
		return v, h - 1 - u
	case 7:
		return w - 1 - v, h - 1 - u
	case 8:
		return w - 1 - v, u
	}
	return u, v
}

// orient returns src turned upright for EXIF orientation o, as a new image
// (src itself when o is 1 or invalid).
func orient(src *image.NRGBA, o int) *image.NRGBA {
	if o < 2 || o > 8 {
		return src
	}
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := w, h
	if swapsAxes(o) {
		dw, dh = h, w
	}
	dst := image.NewNRGBA(image.Rect(0, 0, dw, dh))
	off := func(x, y int) int { return src.PixOffset(src.Rect.Min.X+x, src.Rect.Min.Y+y) }
	// The mapping is affine, so stepping one displayed pixel to the right is
	// a constant step in the stored image.
	x0, y0 := storedPixel(o, w, h, 0, 0)
	x1, y1 := storedPixel(o, w, h, 1, 0)
	step := (x1-x0)*4 + (y1-y0)*src.Stride
	for v := 0; v < dh; v++ {
		x, y := storedPixel(o, w, h, 0, v)
		si := off(x, y)
		row := dst.Pix[v*dst.Stride : v*dst.Stride+dw*4]
		for di := 0; di < len(row); di += 4 {
			copy(row[di:di+4:di+4], src.Pix[si:si+4:si+4])
			si += step
		}
	}
	return dst
}

// jpegScans counts the scans (SOS segments) of a JPEG by walking its
// segments: lengths skip the payload of APP, COM and table segments, so
// bytes that look like markers inside them (an EXIF thumbnail, a comment)
// do not count, and in entropy-coded data 0xFF is followed by 0x00 or a
// restart marker unless a real marker starts. One linear pass; on
// malformed data it counts what it saw (the decoder reports the damage).
func jpegScans(data []byte) int {
	n, i := 0, 2 // after SOI
	for i+1 < len(data) {
		if data[i] != 0xFF {
			i++ // entropy-coded data
			continue
		}
		m := data[i+1]
		switch {
		case m == 0xFF: // fill byte
			i++
			continue
		case m == 0x00 || m >= 0xD0 && m <= 0xD7: // stuffing, restart
			i += 2
			continue
		case m == 0xD9: // EOI
			return n
		}
		if i+3 >= len(data) {
			return n
		}
		if m == 0xDA {
			n++
		}
		i += 2 + (int(data[i+2])<<8 | int(data[i+3]))
	}
	return n
}
