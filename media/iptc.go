package media

import (
	"bytes"
	"encoding/binary"
	"strings"
	"time"
	"unicode/utf8"
)

// psirIPTC is the Photoshop image resource that holds an IPTC-IIM record.
const psirIPTC = 0x0404

// maxIIMNames bounds the repeated By-line datasets joined into Creator.
const maxIIMNames = 20

// readPSIR returns what the IPTC-IIM record among Photoshop image
// resources says. Resources are "8BIM", a 16-bit id, a padded Pascal name,
// a 32-bit size and the data padded to even length; a walk ends at the
// first one that does not fit.
func readPSIR(b []byte) Metadata {
	for len(b) >= 12 && bytes.Equal(b[:4], []byte("8BIM")) {
		id := binary.BigEndian.Uint16(b[4:])
		nameLen := 1 + int(b[6])
		nameLen += nameLen & 1
		if 6+nameLen+4 > len(b) {
			break
		}
		b = b[6+nameLen:]
		size := uint64(binary.BigEndian.Uint32(b))
		b = b[4:]
		if size > uint64(len(b)) {
			break
		}
		if id == psirIPTC {
			return readIIM(b[:size])
		}
		b = b[min(uint64(len(b)), size+size&1):]
	}
	return Metadata{}
}

// IPTC-IIM datasets the package reads (record:dataset).
const (
	iimCharset     = 1<<8 | 90  // 1:90 Coded Character Set
	iimDateCreated = 2<<8 | 55  // 2:55 Date Created, CCYYMMDD
	iimTimeCreated = 2<<8 | 60  // 2:60 Time Created, HHMMSS±HHMM
	iimByline      = 2<<8 | 80  // 2:80 By-line (repeatable)
	iimCredit      = 2<<8 | 110 // 2:110 Credit
	iimCopyright   = 2<<8 | 116 // 2:116 Copyright Notice
	iimCaption     = 2<<8 | 120 // 2:120 Caption/Abstract
)

// readIIM reads an IPTC-IIM record: datasets of a 0x1C tag marker, the
// record and dataset numbers, a 16-bit length (or, with its top bit set,
// the length of a longer length) and the data. Text is UTF-8 when 1:90
// says so (ESC % G) or when it is valid UTF-8, else ISO 8859-1.
func readIIM(b []byte) Metadata {
	utf8Declared := false
	var names [][]byte
	var credit, copyright, caption, date, clock []byte
	for len(b) >= 5 && b[0] == 0x1C {
		ds := int(b[1])<<8 | int(b[2])
		n := uint64(binary.BigEndian.Uint16(b[3:]))
		b = b[5:]
		if n&0x8000 != 0 { // extended dataset: n's low bits count the length's bytes
			k := int(n & 0x7FFF)
			if k > 4 || k > len(b) {
				break
			}
			n = 0
			for _, c := range b[:k] {
				n = n<<8 | uint64(c)
			}
			b = b[k:]
		}
		if n > uint64(len(b)) {
			break
		}
		v := b[:n]
		b = b[n:]
		switch ds {
		case iimCharset:
			utf8Declared = bytes.Equal(v, []byte("\x1b%G"))
		case iimByline:
			if len(names) < maxIIMNames {
				names = append(names, v)
			}
		case iimCredit:
			credit = v
		case iimCopyright:
			copyright = v
		case iimCaption:
			caption = v
		case iimDateCreated:
			date = v
		case iimTimeCreated:
			clock = v
		}
	}
	text := func(v []byte, limit int, multiline bool) string {
		if !utf8Declared && !utf8.Valid(v) {
			v = legacyText(v)
		}
		return cleanText(v, limit, multiline)
	}
	var m Metadata
	var creators []string
	for _, n := range names {
		if s := text(n, MaxMetadataText, false); s != "" {
			creators = append(creators, s)
		}
	}
	m.Creator = cleanText([]byte(strings.Join(creators, ", ")), MaxMetadataText, false)
	m.Credit = text(credit, MaxMetadataText, false)
	m.Copyright = text(copyright, MaxMetadataText, false)
	m.Caption = text(caption, MaxCaptionText, true)
	m.TakenAt = iimTime(date, clock)
	return m
}

// iimTime reads Date Created (CCYYMMDD) and Time Created (HHMMSS±HHMM);
// without a time it is midnight, without an offset UTC.
func iimTime(date, clock []byte) *time.Time {
	if len(date) != 8 {
		return nil
	}
	t, err := time.Parse("20060102", string(date))
	if err != nil || t.Year() < 1800 || t.Year() > 2200 {
		return nil
	}
	if len(clock) >= 6 {
		c, err := time.Parse("150405", string(clock[:6]))
		if err == nil {
			t = t.Add(time.Duration(c.Hour())*time.Hour + time.Duration(c.Minute())*time.Minute + time.Duration(c.Second())*time.Second)
			if zone, ok := utcOffset(string(clock[6:min(len(clock), 11)])); ok {
				t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, zone)
			}
		}
	}
	return &t
}
