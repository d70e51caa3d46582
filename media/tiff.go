package media

import (
	"encoding/binary"
	"iter"
)

// tiffData is a TIFF structure as EXIF embeds it: a byte-order mark, the
// magic number 42 and the offset of IFD0, then image file directories
// (IFDs) of 12-byte entries whose values sit inline or at an offset. It is
// the one walker for EXIF in the package: the orientation and every other
// EXIF field are read through it.
//
// Hostile input cannot make it read out of bounds, allocate or loop: every
// offset is checked against the slice before use, values are subslices of
// it, an IFD is at most 65535 entries that must lie inside the slice, and
// callers follow a fixed set of pointers (IFD0 → EXIF and GPS IFDs) rather
// than chains, so a loop of offsets is read at most once per pointer.
type tiffData struct {
	b  []byte
	bo binary.ByteOrder
}

// TIFF field types (TIFF 6.0 and EXIF 2.32).
const (
	tiffByte      = 1
	tiffASCII     = 2
	tiffShort     = 3
	tiffLong      = 4
	tiffRational  = 5
	tiffUndefined = 7
	tiffSRational = 10
	tiffIFD       = 13  // an IFD offset, written by some for the EXIF and GPS pointers
	tiffUTF8      = 129 // EXIF 2.32
)

// tiffTypeSize returns the size in bytes of one value of type typ, or 0 for
// a type the package does not read.
func tiffTypeSize(typ uint16) uint64 {
	switch typ {
	case tiffByte, tiffASCII, tiffUndefined, tiffUTF8, 6: // 6 SBYTE
		return 1
	case tiffShort, 8: // 8 SSHORT
		return 2
	case tiffLong, tiffIFD, 9, 11: // 9 SLONG, 11 FLOAT
		return 4
	case tiffRational, tiffSRational, 12: // 12 DOUBLE
		return 8
	}
	return 0
}

// parseTIFF checks the header of a TIFF structure and returns it with the
// offset of IFD0.
func parseTIFF(b []byte) (t tiffData, ifd0 uint32, ok bool) {
	if len(b) < 8 {
		return tiffData{}, 0, false
	}
	switch string(b[:2]) {
	case "II":
		t.bo = binary.LittleEndian
	case "MM":
		t.bo = binary.BigEndian
	default:
		return tiffData{}, 0, false
	}
	if t.bo.Uint16(b[2:]) != 42 {
		return tiffData{}, 0, false
	}
	t.b = b
	ifd0 = t.bo.Uint32(b[4:])
	if ifd0 < 8 || uint64(ifd0)+2 > uint64(len(b)) {
		return tiffData{}, 0, false
	}
	return t, ifd0, true
}

// tiffEntry is one IFD entry. val is its value's bytes, count × the type's
// size of them, or nil when they do not lie inside the structure or the
// type is not one the package reads.
type tiffEntry struct {
	tag, typ uint16
	count    uint32
	val      []byte
}

// entries yields the entries of the IFD at off that lie inside the
// structure; an IFD that claims more entries than fit is read as far as it
// goes.
func (t tiffData) entries(off uint32) iter.Seq[tiffEntry] {
	return func(yield func(tiffEntry) bool) {
		if uint64(off)+2 > uint64(len(t.b)) {
			return
		}
		n := int(t.bo.Uint16(t.b[off:]))
		p := int(off) + 2
		for k := 0; k < n && p+12 <= len(t.b); k, p = k+1, p+12 {
			e := tiffEntry{tag: t.bo.Uint16(t.b[p:]), typ: t.bo.Uint16(t.b[p+2:]), count: t.bo.Uint32(t.b[p+4:])}
			if size := uint64(e.count) * tiffTypeSize(e.typ); tiffTypeSize(e.typ) > 0 {
				if size <= 4 {
					e.val = t.b[p+8 : p+8+int(size)]
				} else if at := uint64(t.bo.Uint32(t.b[p+8:])); at+size <= uint64(len(t.b)) {
					e.val = t.b[at : at+size]
				}
			}
			if !yield(e) {
				return
			}
		}
	}
}

// uint returns the first value of a SHORT, LONG or IFD entry.
func (t tiffData) uint(e tiffEntry) (uint32, bool) {
	switch {
	case e.typ == tiffShort && len(e.val) >= 2:
		return uint32(t.bo.Uint16(e.val)), true
	case (e.typ == tiffLong || e.typ == tiffIFD) && len(e.val) >= 4:
		return t.bo.Uint32(e.val), true
	}
	return 0, false
}

// rational returns value i of a RATIONAL or SRATIONAL entry; a zero
// denominator is no value.
func (t tiffData) rational(e tiffEntry, i int) (num, den int64, ok bool) {
	if (e.typ != tiffRational && e.typ != tiffSRational) || len(e.val) < 8*(i+1) {
		return 0, 0, false
	}
	v := e.val[8*i:]
	if e.typ == tiffRational {
		num, den = int64(t.bo.Uint32(v)), int64(t.bo.Uint32(v[4:]))
	} else {
		num, den = int64(int32(t.bo.Uint32(v))), int64(int32(t.bo.Uint32(v[4:])))
	}
	if den == 0 {
		return 0, 0, false
	}
	return num, den, true
}

// float returns value i of a RATIONAL or SRATIONAL entry as a number.
func (t tiffData) float(e tiffEntry, i int) (float64, bool) {
	n, d, ok := t.rational(e, i)
	if !ok {
		return 0, false
	}
	return float64(n) / float64(d), true
}

// text returns the bytes of a textual entry (ASCII, UTF-8, or the BYTE
// and UNDEFINED types some writers use) up to its first NUL.
func (t tiffData) text(e tiffEntry) []byte {
	switch e.typ {
	case tiffASCII, tiffUTF8, tiffByte, tiffUndefined:
	default:
		return nil
	}
	for i, c := range e.val {
		if c == 0 {
			return e.val[:i]
		}
	}
	return e.val
}
