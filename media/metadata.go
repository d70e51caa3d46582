package media

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
	"time"
)

// Metadata is what an image file says about itself: EXIF for the camera,
// the capture time and the place; XMP, IPTC-IIM and EXIF, in that order of
// preference, for the people and the words (the order photo desks' tools
// keep them in sync). A zero field means the file does not say, or said
// something unusable.
//
// Every text is untrusted input made safe: valid UTF-8 only, no control
// or bidirectional-override characters, spaces collapsed, trimmed, and at
// most MaxMetadataText characters (MaxCaptionText for Caption, which keeps
// line breaks). Numbers are range-checked.
type Metadata struct {
	// TakenAt is when the photo was taken: EXIF DateTimeOriginal with its
	// sub-seconds, in the zone of OffsetTimeOriginal when EXIF records one;
	// without one, the camera's clock reading labelled UTC. XMP
	// (exif:DateTimeOriginal, photoshop:DateCreated) and IPTC (2:55, 2:60)
	// are used when EXIF has no date.
	TakenAt *time.Time
	Make    string // EXIF Make
	Model   string // EXIF Model
	Lens    string // EXIF LensModel
	// FocalLength is in millimetres, Aperture an f-number (2.8 for f/2.8).
	FocalLength float64
	Aperture    float64
	// ExposureTime is as photographers write it: "1/250", "0.5", "30".
	ExposureTime string
	ISO          int
	// Lat and Lng are the EXIF GPS position in degrees, north and east
	// positive; both nil when absent, out of range or exactly (0, 0).
	Lat, Lng *float64
	// Creator: XMP dc:creator, IPTC 2:80 By-line, EXIF Artist; several
	// names are joined with ", ".
	Creator string
	// Credit: XMP photoshop:Credit, IPTC 2:110 Credit.
	Credit string
	// Copyright: XMP dc:rights, IPTC 2:116 Copyright Notice, EXIF
	// Copyright.
	Copyright string
	// Caption: XMP dc:description, IPTC 2:120 Caption/Abstract, EXIF
	// ImageDescription (not the "OLYMPUS DIGITAL CAMERA" kind that cameras
	// write by themselves).
	Caption string
}

// IsZero reports whether m holds nothing.
func (m Metadata) IsZero() bool {
	return m.TakenAt == nil && m.Make == "" && m.Model == "" && m.Lens == "" &&
		m.FocalLength == 0 && m.Aperture == 0 && m.ExposureTime == "" && m.ISO == 0 &&
		m.Lat == nil && m.Lng == nil &&
		m.Creator == "" && m.Credit == "" && m.Copyright == "" && m.Caption == ""
}

// ReadMetadata reads the embedded metadata of an image: from a JPEG, its
// APP1 EXIF and XMP segments and the IPTC-IIM record in its APP13
// Photoshop segments; from a PNG, its eXIf chunk and an XMP iTXt chunk;
// from a WebP, its EXIF and XMP chunks. GIF and anything else give an
// empty Metadata.
//
// It never fails and never panics: garbage, truncation and hostile values
// (huge counts, offsets out of range or in loops, invalid UTF-8, 10 MB
// strings) give empty or partial fields. Its work is one pass over the
// container's segments or chunks plus bounded reads of at most three EXIF
// IFDs, one IIM record and the first 512 KiB of one XMP packet.
func ReadMetadata(data []byte) (m Metadata) {
	defer func() {
		// Every read above is bounds-checked and fuzzed; this is so a
		// mistake costs a photo its metadata rather than the server its
		// process.
		if recover() != nil {
			m = Metadata{}
		}
	}()
	return readMetadata(data)
}

func readMetadata(data []byte) Metadata {
	f, _, err := Sniff(data)
	if err != nil {
		return Metadata{}
	}
	var exif, xmp []byte
	var psir [][]byte
	switch f {
	case FormatJPEG:
		h := readJPEGHeader(data)
		exif, xmp, psir = h.exif, h.xmp, h.psir
	case FormatPNG:
		exif, xmp = pngMetadata(data)
	case FormatWebP:
		exif, xmp = webpMetadata(data)
	default:
		return Metadata{}
	}
	var fromIPTC Metadata
	switch len(psir) {
	case 0:
	case 1:
		fromIPTC = readPSIR(psir[0])
	default: // a long record continues in the next APP13 segment
		fromIPTC = readPSIR(bytes.Join(psir, nil))
	}
	m := readEXIF(exif)
	fromXMP := readXMP(xmp)
	m.Creator = firstNonEmpty(fromXMP.Creator, fromIPTC.Creator, m.Creator)
	m.Credit = firstNonEmpty(fromXMP.Credit, fromIPTC.Credit, m.Credit)
	m.Copyright = firstNonEmpty(fromXMP.Copyright, fromIPTC.Copyright, m.Copyright)
	m.Caption = firstNonEmpty(fromXMP.Caption, fromIPTC.Caption, m.Caption)
	for _, t := range []*time.Time{fromXMP.TakenAt, fromIPTC.TakenAt} {
		if m.TakenAt == nil {
			m.TakenAt = t
		}
	}
	return m
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// pngXMPKeyword is the iTXt keyword of an XMP packet in a PNG.
const pngXMPKeyword = "XML:com.adobe.xmp"

// pngMetadata returns the TIFF structure of a PNG's eXIf chunk and the
// packet of its XMP iTXt chunk (inflated, at most maxXMPBytes, when
// compressed). CRCs are not checked: metadata is read tolerantly.
func pngMetadata(data []byte) (exif, xmp []byte) {
	for p := 8; p+12 <= len(data); {
		n := uint64(binary.BigEndian.Uint32(data[p:]))
		typ := string(data[p+4 : p+8])
		if uint64(p)+12+n > uint64(len(data)) {
			return exif, xmp
		}
		chunk := data[p+8 : p+8+int(n)]
		p += 12 + int(n)
		switch {
		case typ == "eXIf" && exif == nil:
			exif = bytes.TrimPrefix(chunk, exifPrefix) // some writers keep JPEG's prefix
		case typ == "iTXt" && xmp == nil && bytes.HasPrefix(chunk, []byte(pngXMPKeyword+"\x00")):
			xmp = pngITXtText(chunk[len(pngXMPKeyword)+1:])
		case typ == "IEND":
			return exif, xmp
		}
	}
	return exif, xmp
}

// pngITXtText returns the text of an iTXt chunk after its keyword:
// compression flag and method, language tag, translated keyword, text.
func pngITXtText(b []byte) []byte {
	if len(b) < 2 {
		return nil
	}
	compressed := b[0] == 1
	b = b[2:]
	for range 2 { // language tag, translated keyword
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			return nil
		}
		b = b[i+1:]
	}
	if !compressed {
		return b
	}
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	out, _ := io.ReadAll(io.LimitReader(zr, maxXMPBytes)) // a truncated packet is still scanned
	return out
}

// webpMetadata returns the payloads of a WebP's EXIF and "XMP " chunks.
func webpMetadata(data []byte) (exif, xmp []byte) {
	for p := 12; p+8 <= len(data); {
		n := uint64(binary.LittleEndian.Uint32(data[p+4:]))
		typ := string(data[p : p+4])
		if uint64(p)+8+n > uint64(len(data)) {
			return exif, xmp
		}
		chunk := data[p+8 : p+8+int(n)]
		p += 8 + int(n) + int(n&1)
		switch {
		case typ == "EXIF" && exif == nil:
			exif = bytes.TrimPrefix(chunk, exifPrefix)
		case typ == "XMP " && xmp == nil:
			xmp = chunk
		}
	}
	return exif, xmp
}
