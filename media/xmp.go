package media

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"time"
)

// XMP namespaces of the properties the package reads.
const (
	nsRDF       = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsDC        = "http://purl.org/dc/elements/1.1/"
	nsPhotoshop = "http://ns.adobe.com/photoshop/1.0/"
	nsEXIF      = "http://ns.adobe.com/exif/1.0/"
	nsXML       = "http://www.w3.org/XML/1998/namespace"
)

// Bounds on the work an XMP packet can cause. A JPEG's packet is at most
// 64 KB; a PNG's can be larger, and only its first 512 KiB are read (the
// properties read here come first; editing history and thumbnails after).
const (
	maxXMPBytes  = 512 << 10
	maxXMPTokens = 100_000
	// maxXMPDepth ends the scan at elements nested deeper than any real
	// packet's (about ten): the decoder keeps state for each level.
	maxXMPDepth = 64
	// maxXMPValue is the most bytes kept of one property, above what
	// cleanText keeps of any.
	maxXMPValue = MaxCaptionText * 4
)

// xmpProp is a property the package reads.
type xmpProp int

const (
	xmpNone         xmpProp = iota
	xmpCreator              // dc:creator, an ordered array of names
	xmpDescription          // dc:description, a language alternative
	xmpRights               // dc:rights, a language alternative
	xmpCredit               // photoshop:Credit
	xmpDateCreated          // photoshop:DateCreated
	xmpDateOriginal         // exif:DateTimeOriginal
)

func xmpPropOf(n xml.Name) xmpProp {
	switch {
	case n.Space == nsDC && n.Local == "creator":
		return xmpCreator
	case n.Space == nsDC && n.Local == "description":
		return xmpDescription
	case n.Space == nsDC && n.Local == "rights":
		return xmpRights
	case n.Space == nsPhotoshop && n.Local == "Credit":
		return xmpCredit
	case n.Space == nsPhotoshop && n.Local == "DateCreated":
		return xmpDateCreated
	case n.Space == nsEXIF && n.Local == "DateTimeOriginal":
		return xmpDateOriginal
	}
	return xmpNone
}

// readXMP returns what an XMP packet says about the creator, credit,
// rights, description and capture time. It is a tolerant scan, not an RDF
// parser: it reads the properties wherever they appear, as elements (with
// rdf:Seq, rdf:Bag or rdf:Alt items, or plain text) or as attributes,
// keeps the first value of each, and on malformed XML keeps what it read
// before the error. encoding/xml expands no entities beyond the five
// predefined ones, so an "XML bomb" is inert.
func readXMP(packet []byte) Metadata {
	packet = packet[:min(len(packet), maxXMPBytes)]
	d := xml.NewDecoder(bytes.NewReader(packet))
	d.Strict = false
	d.CharsetReader = func(string, io.Reader) (io.Reader, error) {
		return nil, errors.New("xmp: only UTF-8 packets are read")
	}
	vals := map[xmpProp]string{}
	set := func(p xmpProp, v []byte) {
		if _, done := vals[p]; done || p == xmpNone {
			return
		}
		limit, multiline := MaxMetadataText, false
		if p == xmpDescription {
			limit, multiline = MaxCaptionText, true
		}
		if s := cleanText(v, limit, multiline); s != "" {
			vals[p] = s
		}
	}

	// The property being read: its depth, its plain text, and its array
	// items (with the x-default item of a language alternative first).
	var (
		cur        xmpProp
		curDepth   int
		text       []byte
		items      [][]byte
		inItem     bool
		itemIsDflt bool
		depth      int
	)
	appendBounded := func(dst, src []byte) []byte {
		return append(dst, src[:min(len(src), maxXMPValue-len(dst))]...)
	}
scan:
	for range maxXMPTokens {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > maxXMPDepth {
				break scan
			}
			for _, a := range tok.Attr {
				set(xmpPropOf(a.Name), []byte(a.Value))
			}
			switch {
			case cur == xmpNone:
				if p := xmpPropOf(tok.Name); p != xmpNone {
					cur, curDepth, text, items, inItem = p, depth, text[:0], items[:0], false
				}
			case tok.Name.Space == nsRDF && tok.Name.Local == "li" && len(items) < 100:
				inItem, itemIsDflt = true, false
				for _, a := range tok.Attr {
					if a.Name.Local == "lang" && (a.Name.Space == nsXML || a.Name.Space == "xml") && strings.EqualFold(a.Value, "x-default") {
						itemIsDflt = true
					}
				}
				items = append(items, nil)
			}
		case xml.CharData:
			switch {
			case cur != xmpNone && inItem && len(items) > 0:
				items[len(items)-1] = appendBounded(items[len(items)-1], tok)
			case cur != xmpNone && depth == curDepth:
				text = appendBounded(text, tok)
			}
		case xml.EndElement:
			switch {
			case cur != xmpNone && depth == curDepth:
				set(cur, xmpValue(cur, text, items))
				cur, inItem = xmpNone, false
			case inItem && tok.Name.Space == nsRDF && tok.Name.Local == "li":
				inItem = false
				if itemIsDflt && len(items) > 1 { // the x-default item goes first
					items[0], items[len(items)-1] = items[len(items)-1], items[0]
				}
			}
			depth--
		}
	}

	var m Metadata
	m.Creator = vals[xmpCreator]
	m.Caption = vals[xmpDescription]
	m.Copyright = vals[xmpRights]
	m.Credit = vals[xmpCredit]
	for _, p := range []xmpProp{xmpDateOriginal, xmpDateCreated} {
		if m.TakenAt == nil {
			m.TakenAt = isoTime(vals[p])
		}
	}
	return m
}

// xmpValue is a property's value: its array items (all names of a
// creator list, joined; the first, x-default, of a language alternative)
// or else its text.
func xmpValue(p xmpProp, text []byte, items [][]byte) []byte {
	var nonEmpty [][]byte
	for _, it := range items {
		if len(bytes.TrimSpace(it)) > 0 {
			nonEmpty = append(nonEmpty, bytes.TrimSpace(it))
		}
	}
	switch {
	case len(nonEmpty) == 0:
		return text
	case p == xmpCreator:
		return bytes.Join(nonEmpty, []byte(", "))
	}
	return nonEmpty[0]
}

// isoTime parses the ISO 8601 dates XMP uses, from a bare date to a time
// with fractions and an offset. A time without an offset is taken as UTC.
func isoTime(s string) *time.Time {
	for _, layout := range []string{
		time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04Z07:00",
		"2006-01-02T15:04", "2006-01-02",
	} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 1800 && t.Year() <= 2200 {
			return &t
		}
	}
	return nil
}
