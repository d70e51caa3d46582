package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// cameraEXIF is a TIFF structure with every EXIF field ReadMetadata reads.
func cameraEXIF(bo byteOrder) []byte {
	return buildTIFF(bo,
		[]ifdField{
			asciiField(tagImageDescription, "Flood in Huế, seen from the Trường Tiền bridge"),
			asciiField(tagMake, "NIKON CORPORATION"),
			asciiField(tagModel, "NIKON Z 9"),
			shortField(bo, tagOrientation, 1),
			asciiField(tagArtist, "Nguyễn Văn A"),
			{tagCopyright, tiffASCII, 22, []byte("(c) Photographer\x00Desk\x00")},
		},
		[]ifdField{
			rationalField(bo, tagExposureTime, [2]uint32{1, 250}),
			rationalField(bo, tagFNumber, [2]uint32{28, 10}),
			shortField(bo, tagISO, 800),
			asciiField(tagDateTimeOriginal, "2024:09:11 14:03:22"),
			asciiField(tagSubSecTimeOriginal, "25"),
			asciiField(tagOffsetTimeOriginal, "+07:00"),
			rationalField(bo, tagFocalLength, [2]uint32{700, 10}),
			asciiField(tagLensModel, "NIKKOR Z 24-70mm f/2.8 S"),
		},
		[]ifdField{
			asciiField(tagGPSLatitudeRef, "N"),
			rationalField(bo, tagGPSLatitude, [2]uint32{16, 1}, [2]uint32{28, 1}, [2]uint32{1800, 100}),
			asciiField(tagGPSLongitudeRef, "E"),
			rationalField(bo, tagGPSLongitude, [2]uint32{107, 1}, [2]uint32{35, 1}, [2]uint32{2400, 100}),
		})
}

func ptr[T any](v T) *T { return &v }

func TestReadMetadataEXIF(t *testing.T) {
	jpg := encodeJPEGT(t, gradient(16, 16), 80)
	want := Metadata{
		TakenAt:      ptr(time.Date(2024, 9, 11, 14, 3, 22, 250_000_000, time.FixedZone("", 7*3600))),
		Make:         "NIKON CORPORATION",
		Model:        "NIKON Z 9",
		Lens:         "NIKKOR Z 24-70mm f/2.8 S",
		FocalLength:  70,
		Aperture:     2.8,
		ExposureTime: "1/250",
		ISO:          800,
		Lat:          ptr(16.4716667),
		Lng:          ptr(107.59),
		Creator:      "Nguyễn Văn A",
		Copyright:    "(c) Photographer; Desk",
		Caption:      "Flood in Huế, seen from the Trường Tiền bridge",
	}
	for _, bo := range []byteOrder{binary.BigEndian, binary.LittleEndian} {
		t.Run(bo.String(), func(t *testing.T) {
			got := ReadMetadata(withSegment(jpg, 0xE1, exifSegment(cameraEXIF(bo))))
			checkMetadata(t, got, want)
		})
	}
}

// checkMetadata compares every field, times by instant and offset.
func checkMetadata(tb testing.TB, got, want Metadata) {
	tb.Helper()
	switch {
	case (got.TakenAt == nil) != (want.TakenAt == nil):
		tb.Errorf("TakenAt = %v, want %v", got.TakenAt, want.TakenAt)
	case got.TakenAt != nil:
		_, go1 := got.TakenAt.Zone()
		_, wo := want.TakenAt.Zone()
		if !got.TakenAt.Equal(*want.TakenAt) || go1 != wo {
			tb.Errorf("TakenAt = %v, want %v", got.TakenAt, want.TakenAt)
		}
	}
	for _, c := range []struct {
		name      string
		got, want *float64
	}{{"Lat", got.Lat, want.Lat}, {"Lng", got.Lng, want.Lng}} {
		if (c.got == nil) != (c.want == nil) || c.got != nil && *c.got != *c.want {
			tb.Errorf("%s = %v, want %v", c.name, deref(c.got), deref(c.want))
		}
	}
	got.TakenAt, got.Lat, got.Lng = nil, nil, nil
	want.TakenAt, want.Lat, want.Lng = nil, nil, nil
	if got != want {
		tb.Errorf("ReadMetadata =\n%+v\nwant\n%+v", got, want)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestReadMetadataSources checks where each text comes from when XMP,
// IPTC and EXIF all have it (XMP, then IPTC, then EXIF) and when only
// some do, in JPEG, PNG and WebP containers.
func TestReadMetadataSources(t *testing.T) {
	jpg := encodeJPEGT(t, gradient(16, 16), 80)
	be := binary.BigEndian
	exif := exifSegment(buildTIFF(be, []ifdField{
		asciiField(tagArtist, "EXIF artist"),
		asciiField(tagCopyright, "EXIF copyright"),
		asciiField(tagImageDescription, "EXIF description"),
	}, []ifdField{asciiField(tagDateTimeOriginal, "2020:01:02 03:04:05")}, nil))
	xmp := xmpSegment(xmpPacket(`
    <dc:creator><rdf:Seq><rdf:li>Trần Thị B</rdf:li><rdf:li>Lê C</rdf:li></rdf:Seq></dc:creator>
    <dc:description><rdf:Alt>
      <rdf:li xml:lang="fr">Inondation</rdf:li>
      <rdf:li xml:lang="x-default">Lũ lụt ở Huế</rdf:li>
    </rdf:Alt></dc:description>
    <dc:rights><rdf:Alt><rdf:li xml:lang="x-default">© 2024 Stillroom</rdf:li></rdf:Alt></dc:rights>
    <photoshop:Credit>Stillroom/Reuters</photoshop:Credit>
    <photoshop:DateCreated>2019-05-06T07:08:09+02:00</photoshop:DateCreated>`))
	xmpAttrs := xmpSegment(xmpPacket(`
    <rdf:Description photoshop:Credit="Attribute credit" exif:DateTimeOriginal="2018-01-01T10:00:00"/>`))
	iptc := app13Segment(
		psirResource(0x0425, make([]byte, 16)), // the IPTC digest comes first in Photoshop files
		psirResource(psirIPTC, bytes.Join([][]byte{
			iimDataset(1, 90, "\x1b%G"),
			iimDataset(2, 80, "IPTC one"),
			iimDataset(2, 80, "IPTC two"),
			iimDataset(2, 110, "IPTC credit"),
			iimDataset(2, 116, "IPTC copyright"),
			iimDataset(2, 120, "IPTC caption\r\nsecond line"),
			iimDataset(2, 55, "20170304"),
			iimDataset(2, 60, "050607-0300"),
		}, nil)))
	iptcLatin1 := app13Segment(psirResource(psirIPTC, bytes.Join([][]byte{
		iimDataset(2, 80, "Fran\xe7ois M\xfcller"),
		iimDataset(2, 120, "Caf\xe9 \x85 cr\xe8me"), // 0x85 is a C1 control in ISO 8859-1
	}, nil)))

	all := withSegment(withSegment(withSegment(jpg, 0xE1, exif), 0xE1, xmp), 0xED, iptc)
	xmpWant := Metadata{
		TakenAt:   ptr(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)),
		Creator:   "Trần Thị B, Lê C",
		Credit:    "Stillroom/Reuters",
		Copyright: "© 2024 Stillroom",
		Caption:   "Lũ lụt ở Huế",
	}
	tests := []struct {
		name string
		data []byte
		want Metadata
	}{
		{"jpeg xmp wins", all, xmpWant},
		{"jpeg iptc next", withSegment(withSegment(jpg, 0xE1, exif), 0xED, iptc), Metadata{
			TakenAt: ptr(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)),
			Creator: "IPTC one, IPTC two", Credit: "IPTC credit", Copyright: "IPTC copyright",
			Caption: "IPTC caption\nsecond line",
		}},
		{"jpeg exif last", withSegment(jpg, 0xE1, exif), Metadata{
			TakenAt: ptr(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)),
			Creator: "EXIF artist", Copyright: "EXIF copyright", Caption: "EXIF description",
		}},
		{"jpeg xmp date without exif", withSegment(jpg, 0xE1, xmp), Metadata{
			TakenAt: ptr(time.Date(2019, 5, 6, 7, 8, 9, 0, time.FixedZone("", 2*3600))),
			Creator: "Trần Thị B, Lê C", Credit: "Stillroom/Reuters", Copyright: "© 2024 Stillroom", Caption: "Lũ lụt ở Huế",
		}},
		{"jpeg xmp attributes", withSegment(jpg, 0xE1, xmpAttrs), Metadata{
			TakenAt: ptr(time.Date(2018, 1, 1, 10, 0, 0, 0, time.UTC)), Credit: "Attribute credit",
		}},
		{"jpeg iptc date", withSegment(jpg, 0xED, iptc), Metadata{
			TakenAt: ptr(time.Date(2017, 3, 4, 5, 6, 7, 0, time.FixedZone("", -3*3600))),
			Creator: "IPTC one, IPTC two", Credit: "IPTC credit", Copyright: "IPTC copyright",
			Caption: "IPTC caption\nsecond line",
		}},
		{"jpeg iptc latin-1", withSegment(jpg, 0xED, iptcLatin1), Metadata{
			Creator: "François Müller", Caption: "Café crème",
		}},
		{"jpeg iptc windows-1258", withSegment(jpg, 0xED, app13Segment(psirResource(psirIPTC, bytes.Join([][]byte{
			iimDataset(2, 80, "Tr\xe2\xccn Thi\xf2 B"),                   // Trần Thị B, tone marks combining
			iimDataset(2, 120, "H\xe0 N\xf4\xf2i, \xd0\xe0 N\xe3\xdeng"), // Hà Nội, Đà Nẵng
		}, nil)))), Metadata{
			Creator: "Trần Thị B", Caption: "Hà Nội, Đà Nẵng",
		}},
		{"jpeg iptc split over two APP13", withSegment(withSegment(jpg, 0xED, append(bytes.Clone(psirPrefix), iptc[len(psirPrefix)+20:]...)), 0xED, iptc[:len(psirPrefix)+20]), Metadata{
			TakenAt: ptr(time.Date(2017, 3, 4, 5, 6, 7, 0, time.FixedZone("", -3*3600))),
			Creator: "IPTC one, IPTC two", Credit: "IPTC credit", Copyright: "IPTC copyright",
			Caption: "IPTC caption\nsecond line",
		}},
		{"png exif and xmp", pngWithChunks(encodePNGT(t, gradient(8, 8)),
			pngChunk("eXIf", exif[len(exifPrefix):]), pngXMPChunk(string(xmp[len(xmpPrefix):]), false)), xmpWant},
		{"png compressed xmp", pngWithChunks(encodePNGT(t, gradient(8, 8)),
			pngChunk("eXIf", exif), pngXMPChunk(string(xmp[len(xmpPrefix):]), true)), xmpWant},
		{"webp exif and xmp", webpWithChunks(webpSolid(8, 8, red), map[string][]byte{
			"EXIF": exif[len(exifPrefix):], "XMP ": xmp[len(xmpPrefix):]}), xmpWant},
		{"gif has none", encodeGIFT(t, gradient(8, 8)), Metadata{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkMetadata(t, ReadMetadata(tt.data), tt.want)
		})
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct {
		in        string
		max       int
		multiline bool
		want      string
	}{
		{"  plain  ", 300, false, "plain"},
		{"tab\tand\r\nbreaks\n\nhere", 300, false, "tab and breaks here"},
		{"para one\r\n\r\n\r\n\r\npara two\rthree", 300, true, "para one\n\npara two\nthree"},
		{"bell\x07 nul\x00 del\x7f c1\u0085 bom\uFEFF", 300, false, "bell nul del c1 bom"},
		{"invalid \xff\xfe utf-8 \xc3", 300, false, "invalid utf-8"},
		{"bidi \u202Eevil\u202C \u2066x\u2069", 300, false, "bidi evil x"},
		{"Tiếng Việt có dấu", 300, false, "Tiếng Việt có dấu"},
		{"abcdef", 3, false, "abc"},
		{"ab cdef", 3, false, "ab"},
		{"ủủủủ", 2, false, "ủủ"},
		{"\n\n  ", 300, true, ""},
	}
	for _, tt := range tests {
		if got := cleanText([]byte(tt.in), tt.max, tt.multiline); got != tt.want {
			t.Errorf("cleanText(%q, %d, %v) = %q, want %q", tt.in, tt.max, tt.multiline, got, tt.want)
		}
	}
}

func TestExposureTime(t *testing.T) {
	tests := []struct {
		n, d int64
		want string
	}{
		{1, 250, "1/250"}, {10, 2500, "1/250"}, {1, 8000, "1/8000"}, {10, 30, "0.3"}, {1, 4, "1/4"},
		{5, 10, "0.5"}, {1, 1, "1"}, {25, 10, "2.5"}, {30, 1, "30"}, {0, 1, ""}, {1, 0, ""}, {-1, 250, ""},
	}
	for _, tt := range tests {
		if got := exposureTime(tt.n, tt.d); got != tt.want {
			t.Errorf("exposureTime(%d/%d) = %q, want %q", tt.n, tt.d, got, tt.want)
		}
	}
}

// TestReadMetadataValues checks the validation of single fields.
func TestReadMetadataValues(t *testing.T) {
	jpg := encodeJPEGT(t, gradient(16, 16), 80)
	le := binary.LittleEndian
	with := func(ifd0, exif, gps []ifdField) []byte {
		return withSegment(jpg, 0xE1, exifSegment(buildTIFF(le, ifd0, exif, gps)))
	}
	gps := func(latRef string, lat [2]uint32, lngRef string, lng [2]uint32) []ifdField {
		return []ifdField{
			asciiField(tagGPSLatitudeRef, latRef), rationalField(le, tagGPSLatitude, lat, [2]uint32{30, 1}, [2]uint32{0, 1}),
			asciiField(tagGPSLongitudeRef, lngRef), rationalField(le, tagGPSLongitude, lng, [2]uint32{15, 1}),
		}
	}
	tests := []struct {
		name string
		data []byte
		want Metadata
	}{
		{"south west", with(nil, nil, gps("S", [2]uint32{33, 1}, "W", [2]uint32{70, 1})), Metadata{Lat: ptr(-33.5), Lng: ptr(-70.25)}},
		{"null island dropped", with(nil, nil, []ifdField{
			asciiField(tagGPSLatitudeRef, "N"), rationalField(le, tagGPSLatitude, [2]uint32{0, 1}),
			asciiField(tagGPSLongitudeRef, "E"), rationalField(le, tagGPSLongitude, [2]uint32{0, 1}),
		}), Metadata{}},
		{"latitude out of range", with(nil, nil, gps("N", [2]uint32{91, 1}, "E", [2]uint32{10, 1})), Metadata{}},
		{"zero denominator", with(nil, nil, gps("N", [2]uint32{10, 0}, "E", [2]uint32{10, 1})), Metadata{}},
		{"longitude missing", with(nil, nil, gps("N", [2]uint32{10, 1}, "E", [2]uint32{10, 1})[:2]), Metadata{}},
		{"date without offset is wall clock as UTC", with(nil, []ifdField{asciiField(tagDateTimeOriginal, "2024:02:29 23:59:59")}, nil),
			Metadata{TakenAt: ptr(time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC))}},
		{"bad offset ignored", with(nil, []ifdField{asciiField(tagDateTimeOriginal, "2024:02:29 23:59:59"), asciiField(tagOffsetTimeOriginal, "+99:00")}, nil),
			Metadata{TakenAt: ptr(time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC))}},
		{"blank date", with(nil, []ifdField{asciiField(tagDateTimeOriginal, "0000:00:00 00:00:00")}, nil), Metadata{}},
		{"date of spaces", with(nil, []ifdField{asciiField(tagDateTimeOriginal, "                   ")}, nil), Metadata{}},
		{"year 1200", with(nil, []ifdField{asciiField(tagDateTimeOriginal, "1200:01:01 00:00:00")}, nil), Metadata{}},
		{"ISO as LONG, zero aperture", with(nil, []ifdField{longField(le, tagISO, 102400), rationalField(le, tagFNumber, [2]uint32{0, 10})}, nil), Metadata{ISO: 102400}},
		{"camera default description", with([]ifdField{asciiField(tagImageDescription, "OLYMPUS DIGITAL CAMERA         ")}, nil, nil), Metadata{}},
		{"text in a numeric field", with([]ifdField{{tagMake, tiffShort, 1, []byte{1, 0, 0, 0}}}, []ifdField{asciiField(tagISO, "800")}, nil), Metadata{}},
		{"utf-8 type", with([]ifdField{{tagArtist, tiffUTF8, 6, []byte("Phở\x00")}}, nil, nil), Metadata{Creator: "Phở"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkMetadata(t, ReadMetadata(tt.data), tt.want)
		})
	}
}

// TestReadMetadataHostile feeds crafted metadata that has broken readers
// elsewhere: it must give empty or partial fields quickly, within a small
// allocation budget.
func TestReadMetadataHostile(t *testing.T) {
	jpg := encodeJPEGT(t, gradient(16, 16), 80)
	be := binary.BigEndian
	good := cameraEXIF(be)

	// An ASCII value claiming 4 G characters at an offset inside the data.
	hugeCount := buildTIFF(be, []ifdField{{tagArtist, tiffASCII, 0xFFFFFFFF, []byte("pad_ding")}}, nil, nil)
	// IFD0 whose EXIF and GPS pointers point back at IFD0.
	loop := buildTIFF(be, []ifdField{asciiField(tagMake, "Loop"), longField(be, tagExifIFD, 8), longField(be, tagGPSIFD, 8)}, nil, nil)
	// An IFD claiming 65535 entries, and pointers past the end.
	manyEntries := bytes.Clone(good)
	be.PutUint16(manyEntries[8:], 0xFFFF)
	pastEnd := buildTIFF(be, []ifdField{asciiField(tagMake, "Far"), longField(be, tagExifIFD, 0xFFFFFFF0), longField(be, tagGPSIFD, 0x7FFFFFFF)}, nil, nil)

	invalidUTF8 := buildTIFF(be, []ifdField{asciiField(tagArtist, "\xff\xfe\xfd"), asciiField(tagModel, "Z\xc0 9")}, nil, nil)

	billionLaughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>` + xmpPacket(`<photoshop:Credit>&lol3;</photoshop:Credit>`)
	deep := xmpPacket(`<photoshop:Credit>shallow</photoshop:Credit>` + strings.Repeat("<a>", 20000))
	unclosed := xmpPacket(`<photoshop:Credit>kept</photoshop:Credit><dc:creator><rdf:Seq><rdf:li>cut`)[:400]

	iimHuge := app13Segment(psirResource(psirIPTC, []byte{0x1C, 2, 80, 0x80, 0x04, 0xFF, 0xFF, 0xFF, 0xFF, 'x'}))
	psirHuge := append(bytes.Clone(psirPrefix), "8BIM\x04\x04\x00\x00\xff\xff\xff\xffxx"...)

	// 10 MB strings: PNG chunks can be that large, JPEG segments cannot.
	tenMB := strings.Repeat("é", 5<<20)
	bigEXIF := buildTIFF(be, []ifdField{asciiField(tagArtist, tenMB), asciiField(tagImageDescription, tenMB)}, nil, nil)
	bigXMP := xmpPacket(`<dc:description><rdf:Alt><rdf:li xml:lang="x-default">` + tenMB + `</rdf:li></rdf:Alt></dc:description>`)
	png := encodePNGT(t, gradient(8, 8))

	rng := rand.New(rand.NewPCG(7, 8))
	random := make([]byte, 1<<16)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}

	tests := []struct {
		name  string
		data  []byte
		check func(Metadata) bool
	}{
		{"nil", nil, Metadata.IsZero},
		{"random bytes", random, Metadata.IsZero},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), Metadata.IsZero},
		{"jpeg random exif", withSegment(jpg, 0xE1, append(bytes.Clone(exifPrefix), random[:60000]...)), nil},
		{"huge count", withSegment(jpg, 0xE1, exifSegment(hugeCount)), Metadata.IsZero},
		{"ifd loop", withSegment(jpg, 0xE1, exifSegment(loop)), func(m Metadata) bool { return m.Make == "Loop" }},
		{"entry count past the end", withSegment(jpg, 0xE1, exifSegment(manyEntries)), func(m Metadata) bool { return m.Make == "NIKON CORPORATION" }},
		{"pointers past the end", withSegment(jpg, 0xE1, exifSegment(pastEnd)), func(m Metadata) bool { return m.Make == "Far" && m.TakenAt == nil }},
		{"invalid utf-8", withSegment(jpg, 0xE1, exifSegment(invalidUTF8)), func(m Metadata) bool { return m.Creator == "" && m.Model == "Z 9" }},
		{"billion laughs", withSegment(jpg, 0xE1, xmpSegment(billionLaughs)), func(m Metadata) bool { return !strings.Contains(m.Credit, "lollol") }},
		{"deep xml", withSegment(jpg, 0xE1, xmpSegment(deep)), func(m Metadata) bool { return m.Credit == "shallow" }},
		{"unclosed xml", withSegment(jpg, 0xE1, xmpSegment(unclosed)), func(m Metadata) bool { return m.Credit == "kept" }},
		{"non-utf-8 xml", withSegment(jpg, 0xE1, xmpSegment(`<?xml version="1.0" encoding="UTF-16"?>`+xmpPacket(`<photoshop:Credit>x</photoshop:Credit>`))), Metadata.IsZero},
		{"iim huge extended length", withSegment(jpg, 0xED, iimHuge), Metadata.IsZero},
		{"psir huge size", withSegment(jpg, 0xED, psirHuge), Metadata.IsZero},
		{"10 MB exif strings in png", pngWithChunks(png, pngChunk("eXIf", bigEXIF)), func(m Metadata) bool {
			return utf8.RuneCountInString(m.Creator) == MaxMetadataText && utf8.RuneCountInString(m.Caption) == MaxCaptionText
		}},
		{"10 MB xmp in png", pngWithChunks(png, pngXMPChunk(bigXMP, false)), nil},
		{"10 MB compressed xmp in png", pngWithChunks(png, pngXMPChunk(bigXMP, true)), nil},
		{"png chunk length past the end", append(bytes.Clone(png[:33]), 0x7F, 0xFF, 0xFF, 0xFF, 'e', 'X', 'I', 'f'), Metadata.IsZero},
		{"webp chunk length past the end", append(webpSolid(8, 8, red), "EXIF\xff\xff\xff\x7f"...), Metadata.IsZero},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			m := ReadMetadata(tt.data)
			runtime.ReadMemStats(&after)
			if tt.check != nil && !tt.check(m) {
				t.Errorf("ReadMetadata = %+v", m)
			}
			// The most is a 512 KiB XMP packet inflated and scanned.
			if n := after.TotalAlloc - before.TotalAlloc; n > 8<<20 {
				t.Errorf("ReadMetadata allocated %d bytes", n)
			}
		})
	}

	// Every prefix of a JPEG with every kind of metadata: truncation
	// anywhere gives partial results, never a panic.
	full := withSegment(withSegment(withSegment(jpg, 0xE1, exifSegment(good)), 0xE1, xmpSegment(xmpPacket(`<photoshop:Credit>c</photoshop:Credit>`))),
		0xED, app13Segment(psirResource(psirIPTC, iimDataset(2, 80, "b"))))
	for n := range len(full) - len(jpg) + 2 {
		readMetadata(full[:n])
	}
	// Each byte of the EXIF structure flipped.
	for i := range good {
		bad := bytes.Clone(good)
		bad[i] ^= 0xFF
		readMetadata(withSegment(jpg, 0xE1, exifSegment(bad)))
	}
}

// TestProcessMetadata checks that Process reports the file's metadata.
func TestProcessMetadata(t *testing.T) {
	data := withSegment(encodeJPEGT(t, gradient(64, 48), 80), 0xE1, exifSegment(cameraEXIF(binary.LittleEndian)))
	res, err := Process(context.Background(), data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Metadata.Model != "NIKON Z 9" || res.Metadata.TakenAt == nil {
		t.Errorf("Result.Metadata = %+v", res.Metadata)
	}
}

// FuzzReadMetadata checks that no input panics ReadMetadata's inner
// reader (ReadMetadata itself would hide a panic) and that every text is
// clean.
func FuzzReadMetadata(f *testing.F) {
	jpg := encodeJPEGT(f, gradient(8, 8), 80)
	be := binary.BigEndian
	f.Add(withSegment(jpg, 0xE1, exifSegment(cameraEXIF(be))))
	f.Add(withSegment(jpg, 0xE1, exifSegment(cameraEXIF(binary.LittleEndian))))
	f.Add(withSegment(jpg, 0xE1, xmpSegment(xmpPacket(`<dc:creator><rdf:Seq><rdf:li>A</rdf:li></rdf:Seq></dc:creator><photoshop:Credit>C</photoshop:Credit>`))))
	f.Add(withSegment(jpg, 0xED, app13Segment(psirResource(psirIPTC, bytes.Join([][]byte{
		iimDataset(1, 90, "\x1b%G"), iimDataset(2, 80, "By"), iimDataset(2, 120, "Caption"), iimDataset(2, 55, "20200101"),
	}, nil)))))
	f.Add(pngWithChunks(encodePNGT(f, gradient(4, 4)), pngChunk("eXIf", cameraEXIF(be)), pngXMPChunk(xmpPacket(`<dc:rights>r</dc:rights>`), true)))
	f.Add(webpWithChunks(webpSolid(4, 4, red), map[string][]byte{"EXIF": cameraEXIF(be), "XMP ": []byte(xmpPacket(""))}))
	f.Add([]byte("\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := readMetadata(data)
		for _, s := range []string{m.Make, m.Model, m.Lens, m.ExposureTime, m.Creator, m.Credit, m.Copyright, m.Caption} {
			if !utf8.ValidString(s) || strings.TrimSpace(s) != s || utf8.RuneCountInString(s) > MaxCaptionText {
				t.Fatalf("unclean text %q", s)
			}
			for _, r := range s {
				if r < 0x20 && r != '\n' || r == 0x7F {
					t.Fatalf("control character in %q", s)
				}
			}
		}
	})
}
