// Copyright 2026 The Stillroom Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package jpeg

import (
	"io"
)

// Layout is what a JPEG's headers, up to its first scan, say about the
// memory its decode takes: the decoder reads the same segments and
// decides from them alone (the RGB conversion included, see
// decoder.rgb), so a Layout read from a file holds for its decode.
type Layout struct {
	Width, Height int
	// Progressive is true for a progressive file (SOF2): its coefficients
	// are kept for the whole image until the last scan.
	Progressive bool
	// Components is 1 (grey), 3 (YCbCr or RGB) or 4 (CMYK or YCbCrK).
	Components int
	// H and V are each component's sampling factors, 1, 2 or 4 (a grey
	// image's are 1 whatever its header says).
	H, V [maxComponents]int
	// RGB is true for three components stored as RGB rather than YCbCr:
	// the decoder converts them to an image.RGBA.
	RGB bool
}

// ReadLayout reads a JPEG's headers up to its first scan. Errors are those
// of DecodeConfig, and FormatError when the file has no scan.
func ReadLayout(r io.Reader) (Layout, error) {
	d := decoder{toFirstScan: true}
	if _, err := d.decode(r, true); err != nil {
		return Layout{}, err
	}
	if d.nComp == 0 {
		return Layout{}, FormatError("missing SOF marker")
	}
	l := Layout{Width: d.width, Height: d.height, Progressive: d.progressive, Components: d.nComp}
	for i := range d.nComp {
		l.H[i], l.V[i] = d.comp[i].h, d.comp[i].v
	}
	l.RGB = d.nComp == 3 && d.isRGB()
	return l, nil
}

// Bytes of the decoder's allocations that do not depend on the image: the
// decoder itself (its input buffer, Huffman and quantisation tables), the
// fast look-up tables of up to eight Huffman tables, the images' headers.
const fixedDecodeBytes = 128 << 10

// coeffBlockBytes is the size of one 8×8 block of coefficients as a
// progressive decode keeps it (coeffBlock).
const coeffBlockBytes = blockSize * 2

// pendingBlockBytes is the size of one block queued for reconstruction:
// a block (32-bit coefficients) and its place.
const pendingBlockBytes = blockSize*4 + 3*4

// maxReconstructBuffers is the most row buffers a reconstructor holds:
// one filling, one queued for each of up to three workers, one spare
// (newReconstructor).
const maxReconstructBuffers = 3 + 2

// DecodeBytes returns an upper bound of the bytes DecodeScaled allocates
// when decoding an image of layout l at 1/2^shift of its size (shift
// 0..3), whatever GOMAXPROCS: the pixel planes, padded to whole MCUs, at
// that scale (a byte a sample); for a progressive file the coefficients
// of every block of every component at full size (coeffBlockBytes a
// block: 2 bytes a sample, whatever the scale); for a sequential one the
// reconstructor's row buffers; for CMYK and RGB files the interleaved
// copy they are converted into (4 bytes a pixel at that scale); and
// fixedDecodeBytes. A sequential file of several scans allocates row
// buffers for each, one scan after the other: the bound counts one.
func (l Layout) DecodeBytes(shift uint) int64 {
	shift = min(shift, 3)
	bs := int64(8 >> shift) // the side of a decoded block
	h0, v0 := int64(l.H[0]), int64(l.V[0])
	if l.Components == 1 {
		h0, v0 = 1, 1
	}
	mxx := (int64(l.Width) + 8*h0 - 1) / (8 * h0)
	myy := (int64(l.Height) + 8*v0 - 1) / (8 * v0)
	w, h := bs*h0*mxx, bs*v0*myy // the planes' padded size
	n := int64(fixedDecodeBytes)
	if l.Components == 1 {
		n += w * h
	} else {
		hr, vr := h0/int64(l.H[1]), v0/int64(l.V[1])
		n += w*h + 2*((w+hr-1)/hr)*((h+vr-1)/vr)
	}
	if l.Components == 4 {
		n += bs * int64(l.H[3]) * mxx * bs * int64(l.V[3]) * myy // the black plane
	}
	sum := int64(0) // blocks of every component in an MCU
	for c := range l.Components {
		if l.Components == 1 {
			sum = 1
			break
		}
		sum += int64(l.H[c]) * int64(l.V[c])
	}
	if l.Progressive {
		n += mxx * myy * sum * coeffBlockBytes
	} else {
		n += maxReconstructBuffers * mxx * max(sum, h0*v0) * pendingBlockBytes
	}
	if l.Components == 4 || l.RGB {
		f := int64(1) << shift
		n += 4 * ((int64(l.Width) + f - 1) / f) * ((int64(l.Height) + f - 1) / f)
	}
	return n
}
