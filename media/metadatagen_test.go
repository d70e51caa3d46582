package media

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"slices"
)

// Builders of metadata segments for the tests: EXIF TIFF structures,
// XMP packets and IPTC-IIM records, put into JPEG, PNG and WebP
// containers. Nothing is read from fixture files.

// byteOrder is binary.LittleEndian or binary.BigEndian.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// ifdField is one IFD entry to write; data is its value in the
// structure's byte order, inline when it fits in four bytes.
type ifdField struct {
	tag, typ uint16
	count    uint32
	data     []byte
}

func asciiField(tag uint16, s string) ifdField {
	return ifdField{tag, tiffASCII, uint32(len(s) + 1), append([]byte(s), 0)}
}

func shortField(bo byteOrder, tag, v uint16) ifdField {
	return ifdField{tag, tiffShort, 1, bo.AppendUint16(nil, v)}
}

func longField(bo byteOrder, tag uint16, v uint32) ifdField {
	return ifdField{tag, tiffLong, 1, bo.AppendUint32(nil, v)}
}

// rationalField writes RATIONAL values, each a numerator and denominator.
func rationalField(bo byteOrder, tag uint16, vs ...[2]uint32) ifdField {
	var b []byte
	for _, v := range vs {
		b = bo.AppendUint32(bo.AppendUint32(b, v[0]), v[1])
	}
	return ifdField{tag, tiffRational, uint32(len(vs)), b}
}

// buildTIFF lays out a TIFF structure: the header, IFD0, then the EXIF
// and GPS IFDs when not nil (IFD0 gets the pointers to them), then the
// values that do not fit inline.
func buildTIFF(bo byteOrder, ifd0, exif, gps []ifdField) []byte {
	ifd0 = slices.Clone(ifd0)
	ifds := [][]ifdField{ifd0, exif, gps}
	ptr := map[int]int{} // IFD index → index of its pointer in ifd0
	for i, tag := range []uint16{1: tagExifIFD, 2: tagGPSIFD} {
		if i > 0 && ifds[i] != nil {
			ptr[i] = len(ifd0)
			ifd0 = append(ifd0, longField(bo, tag, 0))
		}
	}
	ifds[0] = ifd0
	off := 8
	offsets := make([]int, len(ifds))
	for i, f := range ifds {
		if f == nil && i > 0 {
			continue
		}
		offsets[i] = off
		off += 2 + 12*len(f) + 4
	}
	for i, k := range ptr {
		bo.PutUint32(ifd0[k].data, uint32(offsets[i]))
	}
	out := make([]byte, off)
	if bo == byteOrder(binary.LittleEndian) {
		copy(out, "II")
	} else {
		copy(out, "MM")
	}
	bo.PutUint16(out[2:], 42)
	bo.PutUint32(out[4:], 8)
	for i, f := range ifds {
		if f == nil && i > 0 {
			continue
		}
		p := offsets[i]
		bo.PutUint16(out[p:], uint16(len(f)))
		p += 2
		for _, e := range f {
			bo.PutUint16(out[p:], e.tag)
			bo.PutUint16(out[p+2:], e.typ)
			bo.PutUint32(out[p+4:], e.count)
			if len(e.data) <= 4 {
				copy(out[p+8:p+12], e.data)
			} else {
				bo.PutUint32(out[p+8:], uint32(len(out)))
				out = append(out, e.data...)
				if len(out)%2 == 1 {
					out = append(out, 0)
				}
			}
			p += 12
		}
	}
	return out
}

// exifSegment is the payload of an APP1 EXIF segment.
func exifSegment(tiff []byte) []byte { return append(bytes.Clone(exifPrefix), tiff...) }

// xmpSegment is the payload of an APP1 XMP segment.
func xmpSegment(packet string) []byte { return append(bytes.Clone(xmpPrefix), packet...) }

// xmpPacket wraps RDF descriptions in the envelope writers use.
func xmpPacket(rdf string) string {
	return `<?xpacket begin="` + "\uFEFF" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:exif="http://ns.adobe.com/exif/1.0/">` + rdf + `
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`
}

// iimDataset is one IPTC-IIM dataset with a standard (short) length.
func iimDataset(record, dataset byte, v string) []byte {
	b := []byte{0x1C, record, dataset, 0, 0}
	binary.BigEndian.PutUint16(b[3:], uint16(len(v)))
	return append(b, v...)
}

// psirResource is one Photoshop image resource, "8BIM" with an empty
// name.
func psirResource(id uint16, data []byte) []byte {
	b := []byte("8BIM")
	b = binary.BigEndian.AppendUint16(b, id)
	b = append(b, 0, 0) // empty Pascal name, padded to even
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	if len(data)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// app13Segment is the payload of an APP13 segment holding resources.
func app13Segment(resources ...[]byte) []byte {
	return append(bytes.Clone(psirPrefix), bytes.Join(resources, nil)...)
}

// pngWithChunks inserts chunks into a PNG right after IHDR.
func pngWithChunks(png []byte, chunks ...[]byte) []byte {
	const afterIHDR = 8 + 25
	out := bytes.Clone(png[:afterIHDR])
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, png[afterIHDR:]...)
}

// pngXMPChunk is an iTXt chunk holding an XMP packet, compressed or not.
func pngXMPChunk(packet string, compressed bool) []byte {
	b := []byte(pngXMPKeyword + "\x00")
	text := []byte(packet)
	if compressed {
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write(text)
		w.Close()
		text = z.Bytes()
		b = append(b, 1, 0)
	} else {
		b = append(b, 0, 0)
	}
	b = append(b, 0, 0) // empty language tag and translated keyword
	return pngChunk("iTXt", append(b, text...))
}

// webpWithChunks appends chunks to a WebP (VP8X flags are not needed by
// the metadata reader).
func webpWithChunks(webp []byte, chunks map[string][]byte) []byte {
	out := bytes.Clone(webp)
	for _, typ := range []string{"EXIF", "XMP "} {
		data, ok := chunks[typ]
		if !ok {
			continue
		}
		out = append(out, typ...)
		out = binary.LittleEndian.AppendUint32(out, uint32(len(data)))
		out = append(out, data...)
		if len(data)%2 == 1 {
			out = append(out, 0)
		}
	}
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out
}
