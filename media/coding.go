package media

import (
	"encoding/binary"
	"image"
)

// Coding is how a PNG, GIF or WebP codes its pixels, as the chunks or
// blocks before its pixel data say: what the memory of its decode
// depends on (decodeBytes). The zero value, in a Probe that ProbeImage
// did not make, stands for the costliest coding of its format.
type Coding struct {
	// PNG: IHDR's bit depth (1, 2, 4, 8 or 16) and colour type (0 grey,
	// 2 RGB, 3 palette, 4 grey and alpha, 6 RGBA), whether a tRNS chunk
	// comes before the pixels (then grey and RGB decode to NRGBA or
	// NRGBA64), and whether the file is Adam7-interlaced.
	BitDepth, ColorType int
	Transparency        bool
	// Interlaced is true for an Adam7 PNG and for a GIF whose first
	// frame is interlaced.
	Interlaced bool
	// Frame is a GIF's first frame on its logical screen (the decoder
	// reads no other).
	Frame image.Rectangle
	// WebP: Lossless for a VP8L image, Alpha for a lossy one with an ALPH
	// chunk, and CodedBytes the length of the VP8 or VP8L chunk (the VP8
	// decoder copies it).
	Lossless, Alpha bool
	CodedBytes      int64
}

// readCoding reads the Coding of a PNG, GIF or WebP whose headers its
// decoder has read without error. Whatever it cannot find stays zero,
// which decodeBytes charges as the costliest case.
func readCoding(f Format, data []byte) Coding {
	switch f {
	case FormatPNG:
		return pngCoding(data)
	case FormatGIF:
		return gifCoding(data)
	case FormatWebP:
		return webpCoding(data)
	}
	return Coding{}
}

// pngCoding reads IHDR and walks the chunks up to the first IDAT.
func pngCoding(data []byte) Coding {
	var c Coding
	for i := 8; i+8 <= len(data); {
		n := int64(binary.BigEndian.Uint32(data[i:]))
		typ := string(data[i+4 : i+8])
		body := data[i+8:]
		switch {
		case typ == "IHDR" && n == 13 && len(body) >= 13:
			c.BitDepth, c.ColorType, c.Interlaced = int(body[8]), int(body[9]), body[12] == 1
		case typ == "tRNS":
			c.Transparency = true
		case typ == "IDAT":
			return c
		}
		if n > int64(len(body)) {
			break
		}
		i += 8 + int(n) + 4
	}
	return c
}

// gifCoding walks a GIF's blocks to its first image descriptor.
func gifCoding(data []byte) Coding {
	var c Coding
	if len(data) < 13 {
		return c
	}
	i := 13
	if data[10]&0x80 != 0 {
		i += 3 << (data[10]&7 + 1)
	}
	for i < len(data) {
		switch data[i] {
		case 0x21: // extension: label, then sub-blocks
			i += 2
			for i < len(data) && data[i] != 0 {
				i += int(data[i]) + 1
			}
			i++
		case 0x2C:
			if i+10 > len(data) {
				return c
			}
			d := data[i+1:]
			x, y := int(binary.LittleEndian.Uint16(d)), int(binary.LittleEndian.Uint16(d[2:]))
			w, h := int(binary.LittleEndian.Uint16(d[4:])), int(binary.LittleEndian.Uint16(d[6:]))
			c.Frame, c.Interlaced = image.Rect(x, y, x+w, y+h), d[8]&0x40 != 0
			return c
		default:
			return c
		}
	}
	return c
}

// webpCoding walks a WebP's top-level chunks to its image chunk.
func webpCoding(data []byte) Coding {
	var c Coding
	walkWebP(data, func(id string, n uint64, _ []byte) bool {
		switch id {
		case "ALPH":
			c.Alpha = true
		case "VP8L":
			c.Lossless = true
			fallthrough
		case "VP8 ":
			c.CodedBytes = int64(n)
			return false
		}
		return true
	})
	return c
}

// decodeBytes bounds, for a PNG, GIF or WebP, what its decode holds at
// its peak, and for a lossy WebP with alpha, the copy render converts it
// to (its decoded type is one the resizer reads slowly), from its Coding;
// each figure is what TestDecodeMemoryByKind measures, in bytes a pixel:
//
//   - PNG: the image the decoder returns: 1 a pixel for grey of 8 bits
//     or fewer and for a palette (image.Gray, image.Paletted), 2 for
//     16-bit grey (image.Gray16), 4 for 8-bit RGB, RGBA, grey and alpha,
//     and for 8-bit grey or RGB with a tRNS chunk (image.RGBA or NRGBA),
//     8 for their 16-bit kinds (RGBA64, NRGBA64); an interlaced file
//     twice that (each pass is decoded into an image of its own, then
//     copied into the whole; the passes together are as large as it, and
//     the collector frees the earlier ones only some time after); plus
//     its two rows as coded.
//   - GIF: the first frame, a byte a pixel (image.Paletted), twice for
//     an interlaced one (the decoder reorders its rows into a copy), and
//     when it does not cover the screen, the NRGBA screen it is drawn on
//     (4 a screen pixel).
//   - WebP, lossy (VP8): YCbCr 4:2:0 over whole macroblocks (1.5 a pixel,
//     16×16 blocks) plus the coded chunk, which the decoder copies; with
//     alpha 5 more: x/image/webp decodes a compressed ALPH chunk as a
//     lossless NRGBA image (4) and keeps its green channel (1), and the
//     NYCbCrA it returns is converted to NRGBA (4) before resizing when it
//     is not halved first.
//   - WebP, lossless (VP8L): the NRGBA pixels (4), plus, where the file
//     bundles 2, 4 or 8 pixels of a colour table into one, the bundled
//     pixels (up to 2), which only the whole bitstream says, plus the
//     predictor, colour and entropy images (each at most a sixteenth of
//     the pixels, 4 bytes each): 6.75; plus its Huffman trees (vp8lTrees).
//
// The decoders' own buffers (zlib's window, LZW tables) are in
// DecodeCost's fixed 4 MiB.
func decodeBytes(p Probe) int64 {
	c, px := p.Coding, p.Pixels()
	switch p.Format {
	case FormatPNG:
		if c.BitDepth == 0 { // unknown: 16-bit RGBA, interlaced
			return px*8*2 + 2*(int64(p.Width)*8+1)
		}
		bpp := int64(4)
		switch {
		case c.ColorType == 3, c.ColorType == 0 && !c.Transparency:
			bpp = 1
		}
		if c.BitDepth == 16 {
			bpp *= 2
		}
		n := px * bpp
		if c.Interlaced {
			n *= 2
		}
		samples := map[int]int64{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[c.ColorType]
		return n + 2*((int64(p.Width)*samples*int64(c.BitDepth)+7)/8+1)
	case FormatGIF:
		screen := image.Rect(0, 0, p.Width, p.Height)
		if c.Frame.Empty() { // unknown: interlaced, inside the screen
			return 2*px + 4*px
		}
		frame := int64(c.Frame.Dx()) * int64(c.Frame.Dy())
		n := frame
		if c.Interlaced {
			n += frame
		}
		if c.Frame != screen {
			n += 4 * px
		}
		return n
	case FormatWebP:
		switch {
		case c.CodedBytes == 0: // unknown
			return px * 8
		case c.Lossless:
			return px*27/4 + vp8lTrees(p)
		}
		mbw, mbh := int64(p.Width+15)/16, int64(p.Height+15)/16
		n := mbw*mbh*256*3/2 + c.CodedBytes
		if c.Alpha {
			n += 5 * px
		}
		return n
	}
	return px * 8
}

// Bounds of the Huffman trees x/image/vp8l builds for a lossless WebP: at
// most vp8lMaxGroups groups (its own cap), one per 4×4 tile at the most,
// each of five trees holding a 128-entry table (vp8lGroupFixed) and two
// 8-byte nodes a symbol coded: with every alphabet full (2328 green
// symbols with the largest colour cache, 256 for red, blue and alpha, 40
// distances) 50 KB of nodes, 54 KB in the allocator's size classes, and
// the code lengths and codes it builds them from wait for the collector:
// TestDecodeMemoryHuffmanTrees measures 57 KB a full group, and
// vp8lGroupMax allows 64. The symbols a coded byte can give a length to
// (a 1-bit code that repeats the last length 3 to 6 times, with 2 bits of
// count, or a code of no bits at all) bound the nodes by
// vp8lNodesPerCodedByte.
const (
	vp8lMaxGroups         = 2600
	vp8lGroupFixed        = 5 * (24 + 128*4)
	vp8lGroupMax          = 64 << 10
	vp8lNodesPerCodedByte = 400
)

// vp8lTrees bounds the memory of the Huffman trees of a lossless WebP p
// describes. Only the whole bitstream says how many groups it has and how
// full they are, so the bound holds for any file of that size: a file
// libwebp writes uses a small part of it (TestDecodeMemoryByKind: a
// 1500×1000 photo holds 4 bytes a pixel all told), but a crafted 1 MB
// file of 208×200 pixels with 2600 full groups holds 148 MB, and charging
// less would let it exceed the budget. So a lossless WebP of 41,600
// pixels or more is charged up to 170 MB for its trees, and fewer
// lossless WebPs are processed at once than their pixels alone would
// allow.
func vp8lTrees(p Probe) int64 {
	tiles := int64((p.Width+3)/4) * int64((p.Height+3)/4)
	groups := min(vp8lMaxGroups, tiles)
	return min(groups*vp8lGroupMax, groups*vp8lGroupFixed+vp8lNodesPerCodedByte*p.Coding.CodedBytes)
}
