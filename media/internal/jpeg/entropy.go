// Copyright 2026 The Stillroom Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package jpeg

import (
	"encoding/binary"
	"io"
)

// Fast entropy decoding of sequential scans. processSOS's loop reads the
// bit-stream a byte at a time into a 32-bit accumulator and decodes a
// symbol, then its magnitude bits, with a function call each. For a photo
// that is most of the decode, and it cannot be split between goroutines.
// sequentialScan does the same work with a 64-bit accumulator refilled up
// to eight bytes at a time, and with look-up tables indexed by the next
// fastBits bits that give, for most AC coefficients, the run, the value
// and the number of bits to consume in one step (libjpeg-turbo's and
// stb_image's "fast AC" table).
//
// It decodes exactly what processSOS decodes, also for corrupt data: the
// tables are derived from decodeHuffman's own answers (its 8-bit table
// first, then its bit-at-a-time search), a scan fails where processSOS
// fails, and the byte position at its end and at each restart marker is
// the one processSOS leaves: just after the byte holding the last bit
// used. When fewer bits than a coefficient can need are left before a
// marker or the end of the data, it decodes that coefficient bit by bit
// the way decodeHuffman and receiveExtend do (exhausted below).

// fastBits is the number of bits the look-up tables are indexed by.
const fastBits = 10

// minFastBlocks is the smallest scan, in blocks, decoded by sequentialScan:
// building its tables costs about what decoding a few dozen blocks does,
// so a crafted file of many tiny scans costs no more than with processSOS.
// Tests set it to 0.
var minFastBlocks = 64

// fastTable is the look-up table of one Huffman table for the next fastBits
// bits of the stream.
type fastTable struct {
	// sym is the symbol<<8 | code length, or 0 when decodeHuffman would
	// need more than fastBits bits.
	sym [1 << fastBits]uint16
	// ac, for an AC table, is a whole coefficient: value<<16 | run<<8 |
	// code length plus magnitude bits; 0 when those bits are more than
	// fastBits or the symbol has no magnitude (end of block, zero run).
	ac [1 << fastBits]int32
}

// build derives t from h so that each entry is decodeHuffman's answer for
// those bits: its 8-bit look-up table where that has an entry, else its
// bit-at-a-time search of the canonical codes. (For a malformed table the
// two can disagree with each other; t follows decodeHuffman.)
func (t *fastTable) build(h *huffman, ac bool) {
	const extra = fastBits - 8
	for q := range 1 << 8 {
		p0, p1 := q<<extra, (q+1)<<extra
		if v := h.lut[q]; v != 0 {
			e := v&0xff00 | (v&0xff - 1)
			for p := p0; p < p1; p++ {
				t.sym[p] = e
			}
			continue
		}
		code, e := int32(0), uint16(0)
		for i := range 8 {
			code |= int32(q>>(7-i)) & 1
			if code <= h.maxCodes[i] {
				e = uint16(h.vals[h.valsIndices[i]+code-h.minCodes[i]])<<8 | uint16(i+1)
				break
			}
			code <<= 1
		}
		for p := p0; p < p1; p++ {
			t.sym[p] = e
			if e != 0 {
				continue
			}
			c := code
			for i := 8; i < fastBits; i++ {
				c |= int32(p>>(fastBits-1-i)) & 1
				if c <= h.maxCodes[i] {
					t.sym[p] = uint16(h.vals[h.valsIndices[i]+c-h.minCodes[i]])<<8 | uint16(i+1)
					break
				}
				c <<= 1
			}
		}
	}
	if !ac {
		return
	}
	for p, e := range t.sym {
		t.ac[p] = 0
		length, run, size := uint(e&0xff), int32(e>>12), uint(e>>8&0x0f)
		if e == 0 || size == 0 || length+size > fastBits {
			continue
		}
		x := int32(p>>(fastBits-length-size)) & (1<<size - 1)
		if x < 1<<(size-1) {
			x += -1<<size + 1
		}
		t.ac[p] = x<<16 | run<<8 | int32(length+size)
	}
}

// entropyReader reads the bit-stream of one scan from d.bytes into a 64-bit
// accumulator, kept by the caller in local variables (acc, n): the n bits
// not yet used are acc's most significant bits, and the bits below them
// are zero.
type entropyReader struct {
	d *decoder
	// err is why the last refill stopped short (a marker, the end of the
	// data, a read error), nil while more bits may come. Once set, acc
	// holds every bit left before the marker: the stream is exhausted.
	err error
}

// noFF reports whether none of x's eight bytes is 0xFF.
func noFF(x uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	v := ^x // a zero byte where x has 0xFF
	return (v-lo)&^v&hi == 0
}

// refill adds whole bytes to acc until it holds more than 56 bits or the
// segment's data ends (e.err is then set). Eight bytes with no 0xFF among
// them are taken in one step; otherwise a byte at a time, unstuffing
// 0xFF00 and stopping at a marker the way readByteStuffedByte does.
func (e *entropyReader) refill(acc uint64, n uint) (uint64, uint) {
	d := e.d
	for n <= 56 && e.err == nil {
		if i := d.bytes.i; i+8 <= d.bytes.j {
			if x := binary.BigEndian.Uint64(d.bytes.buf[i : i+8]); noFF(x) {
				k := (64 - n) >> 3 // whole bytes that fit
				acc |= x >> (64 - 8*k) << (64 - n - 8*k)
				d.bytes.i += int(k)
				return acc, n + 8*k
			}
		}
		c, err := d.readByteStuffedByte()
		if err != nil {
			// Leave the marker (or a lone 0xFF at the end) unread, as
			// decodeHuffman does.
			d.bytes.i -= d.bytes.nUnreadable
			d.bytes.nUnreadable = 0
			if err == io.ErrUnexpectedEOF {
				err = errShortHuffmanData
			}
			e.err = err
			break
		}
		acc |= uint64(c) << (56 - n)
		n += 8
	}
	return acc, n
}

// sync gives the n unused bits' whole bytes back to d.bytes, so that the
// next read starts just after the byte holding the last bit used. The
// bytes given back are the most recently read ones (fill keeps 16 of them
// when it refills the buffer); a stuffed 0xFF is two of them.
func (e *entropyReader) sync(n uint) {
	d := e.d
	for k := n / 8; k > 0; k-- {
		d.bytes.i--
		// 0x00 after 0xFF is stuffing: within a scan a 0xFF is never
		// itself stuffing, and the scan's first byte is never given
		// back (every segment starts with a DC code of at least a bit).
		if i := d.bytes.i; i > 0 && d.bytes.buf[i] == 0x00 && d.bytes.buf[i-1] == 0xff {
			d.bytes.i--
		}
	}
	d.bytes.nUnreadable = 0
	d.bits = bits{}
}

// symbol decodes a Huffman symbol as decodeHuffman does: from the fast
// table when at least 16 bits are there, else bit by bit.
func (e *entropyReader) symbol(h *huffman, t *fastTable, acc uint64, n uint) (uint8, uint64, uint, error) {
	if n >= maxCodeLength {
		if s := t.sym[acc>>(64-fastBits)]; s != 0 {
			l := uint(s & 0xff)
			return uint8(s >> 8), acc << l, n - l, nil
		}
	} else if n < 8 && e.err != errMissingFF00 && e.err != errShortHuffmanData {
		return 0, acc, n, e.err // decodeHuffman's ensureNBits(8) failed
	} else if n >= 8 {
		if v := h.lut[acc>>56]; v != 0 {
			l := uint(v&0xff) - 1
			return uint8(v >> 8), acc << l, n - l, nil
		}
	}
	code := int32(0)
	for i := range maxCodeLength {
		if n == 0 {
			return 0, acc, n, e.err
		}
		code |= int32(acc >> 63)
		acc <<= 1
		n--
		if code <= h.maxCodes[i] {
			return h.vals[h.valsIndices[i]+code-h.minCodes[i]], acc, n, nil
		}
		code <<= 1
	}
	return 0, acc, n, FormatError("bad Huffman code")
}

// receiveExtend is decoder.receiveExtend on the accumulator.
func (e *entropyReader) receiveExtend(t uint8, acc uint64, n uint) (int32, uint64, uint, error) {
	if n < uint(t) {
		return 0, acc, n, e.err
	}
	if t == 0 {
		return 0, acc, n, nil
	}
	x := int32(acc >> (64 - t))
	if x < 1<<(t-1) {
		x += -1<<t + 1
	}
	return x, acc << t, n - uint(t), nil
}

// scanComponent is a component of a scan, as its SOS header gives it.
type scanComponent struct {
	compIndex uint8
	td        uint8 // DC table selector.
	ta        uint8 // AC table selector.
}

// useSequentialScan reports whether sequentialScan can decode a sequential
// scan of these components: every Huffman table it uses is defined (else
// processSOS reports the error) and it has at least minFastBlocks blocks.
func (d *decoder) useSequentialScan(scan []scanComponent, mxx, myy int) bool {
	blocks := 0
	for _, s := range scan {
		if d.huff[dcTable][s.td].nCodes == 0 || d.huff[acTable][s.ta].nCodes == 0 {
			return false
		}
		c := d.comp[s.compIndex]
		blocks += c.h * c.v * mxx * myy
	}
	return blocks >= minFastBlocks
}

// sequentialScan decodes the entropy-coded data of a sequential scan of mxx×myy MCUs
// and reconstructs its blocks, in rec's workers when rec is not nil. It
// is processSOS's loop for a sequential scan (Ss 0, Se 63, Al 0) with the
// entropy decoding done as described at the top of this file.
func (d *decoder) sequentialScan(scan []scanComponent, mxx, myy int, rec *reconstructor) error {
	var tables [maxTc + 1][maxTh + 1]*fastTable
	for _, s := range scan {
		for tc, th := range [2]uint8{s.td, s.ta} {
			if tables[tc][th] == nil {
				tables[tc][th] = new(fastTable)
				tables[tc][th].build(&d.huff[tc][th], tc == acTable)
			}
		}
	}

	e := &entropyReader{d: d}
	d.bits = bits{}
	var (
		acc uint64
		n   uint
		err error
		// b is the block being decoded, in natural order; with rec, it
		// points into rec's batch.
		local      block
		b          *block
		dc         [maxComponents]int32
		bx, by     int
		blockCount int
	)
	nComp := len(scan)
	mcu, expectedRST := 0, uint8(rst0Marker)
	for my := 0; my < myy; my++ {
		for mx := 0; mx < mxx; mx++ {
			for i := range scan {
				compIndex := scan[i].compIndex
				hi := d.comp[compIndex].h
				vi := d.comp[compIndex].v
				dcHuff, dcFast := &d.huff[dcTable][scan[i].td], tables[dcTable][scan[i].td]
				acHuff, acFast := &d.huff[acTable][scan[i].ta], tables[acTable][scan[i].ta]
				for j := 0; j < hi*vi; j++ {
					// The order of blocks is processSOS's.
					if nComp != 1 {
						bx = hi*mx + j%hi
						by = vi*my + j/hi
					} else {
						q := mxx * hi
						bx = blockCount % q
						by = blockCount / q
						blockCount++
						if bx*8 >= d.width || by*8 >= d.height {
							continue
						}
					}
					if rec != nil {
						b = rec.next(bx, by, int(compIndex))
					} else {
						local = block{}
						b = &local
					}

					// The DC coefficient, as specified in section F.2.2.1.
					if n < 32 {
						acc, n = e.refill(acc, n)
					}
					var value uint8
					if value, acc, n, err = e.symbol(dcHuff, dcFast, acc, n); err != nil {
						return err
					}
					if value > 16 {
						return UnsupportedError("excessive DC component")
					}
					var dcDelta int32
					if dcDelta, acc, n, err = e.receiveExtend(value, acc, n); err != nil {
						return err
					}
					dc[compIndex] += dcDelta
					b[0] = dc[compIndex]

					// The AC coefficients, as specified in section F.2.2.2.
					if d.eobRun > 0 {
						d.eobRun--
					} else {
						for zig := int32(1); zig < blockSize; zig++ {
							if n < 32 {
								acc, n = e.refill(acc, n)
							}
							// 32 bits are enough for any code and its
							// magnitude bits; fewer only at the end.
							if n >= 32 {
								if v := acFast.ac[acc>>(64-fastBits)]; v != 0 {
									if z := zig + v>>8&0x0f; z < blockSize {
										l := uint(v & 0x1f)
										acc <<= l
										n -= l
										zig = z
										b[unzig[zig]] = v >> 16
										continue
									}
								}
							}
							if value, acc, n, err = e.symbol(acHuff, acFast, acc, n); err != nil {
								return err
							}
							val0 := value >> 4
							val1 := value & 0x0f
							if val1 != 0 {
								zig += int32(val0)
								if zig >= blockSize {
									break
								}
								var ac int32
								if ac, acc, n, err = e.receiveExtend(val1, acc, n); err != nil {
									return err
								}
								b[unzig[zig]] = ac
							} else {
								if val0 != 0x0f {
									// An end-of-band run, as processSOS
									// accepts in any scan.
									d.eobRun = uint16(1 << val0)
									if val0 != 0 {
										if n < uint(val0) {
											return e.err
										}
										d.eobRun |= uint16(acc >> (64 - val0))
										acc <<= val0
										n -= uint(val0)
									}
									d.eobRun--
									break
								}
								zig += 0x0f
							}
						}
					}

					if rec == nil {
						if err := d.reconstructBlock(b, bx, by, int(compIndex)); err != nil {
							return err
						}
					}
				} // for j
			} // for i
			mcu++
			if d.ri > 0 && mcu%d.ri == 0 && mcu < mxx*myy {
				e.sync(n)
				acc, n, e.err = 0, 0, nil
				// For well-formed input, the RST[0-7] restart marker follows
				// immediately. For corrupt input, call findRST to try to
				// resynchronize.
				if err := d.readFull(d.tmp[:2]); err != nil {
					return err
				} else if d.tmp[0] != 0xff || d.tmp[1] != expectedRST {
					if err := d.findRST(expectedRST); err != nil {
						return err
					}
				}
				expectedRST++
				if expectedRST == rst7Marker+1 {
					expectedRST = rst0Marker
				}
				// Reset the DC components, as per section F.2.1.3.1.
				dc = [maxComponents]int32{}
				// Reset the progressive decoder state, as per section G.1.2.2.
				d.eobRun = 0
			}
		} // for mx
		if rec != nil {
			rec.flush()
		}
	} // for my
	e.sync(n)
	return nil
}

// keepBytes is how many of the bytes read fill keeps when it refills the
// buffer: the eight bytes of a full accumulator, each stuffed.
const keepBytes = 16
