package media

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// The longest texts Metadata keeps, in characters (runes); longer ones are
// cut.
const (
	MaxMetadataText = 300
	MaxCaptionText  = 2000
)

// cleanText turns untrusted bytes from a file's metadata into text that is
// safe to store and show: invalid UTF-8 is dropped; control characters and
// the Unicode bidirectional overrides (which can make a caption read
// differently from what it holds) are removed; runs of spaces, tabs and
// line breaks become one space, except that a multiline text keeps up to
// two line breaks in a row; the ends are trimmed; and the result is at most
// maxRunes runes. Only the first maxRunes×4 bytes are looked at, so a 10 MB
// string costs no more than a short one.
func cleanText(b []byte, maxRunes int, multiline bool) string {
	if len(b) > maxRunes*utf8.UTFMax {
		b = b[:maxRunes*utf8.UTFMax]
	}
	var sb strings.Builder
	n := 0
	space, breaks := false, 0 // pending separators, written before the next character
	for len(b) > 0 && n < maxRunes {
		r, size := utf8.DecodeRune(b)
		if r == '\r' && len(b) > 1 && b[1] == '\n' {
			size = 2 // CRLF is one line break
		}
		b = b[size:]
		switch {
		case r == utf8.RuneError && size == 1: // invalid UTF-8
		case multiline && (r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029'):
			breaks = min(breaks+1, 2)
		case unicode.IsSpace(r):
			space = true
		case unicode.IsControl(r), isBidiControl(r), r == '\uFEFF':
		default:
			if sb.Len() > 0 {
				sep := ""
				switch {
				case breaks > 0:
					sep = "\n\n"[:breaks]
				case space:
					sep = " "
				}
				if n+len(sep)+1 > maxRunes {
					return sb.String() // what is cut is never a separator
				}
				sb.WriteString(sep)
				n += len(sep)
			}
			space, breaks = false, 0
			sb.WriteRune(r)
			n++
		}
	}
	return sb.String()
}

// isBidiControl reports whether r is one of the explicit bidirectional
// formatting characters (embeddings, overrides, isolates, marks).
func isBidiControl(r rune) bool {
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069' ||
		r == '\u200E' || r == '\u200F' || r == '\u061C'
}

// legacyText reads IPTC-IIM text that does not declare UTF-8 and is not
// UTF-8: as Windows-1258 (Vietnamese Windows, still found in older photo
// archives and desktop tools) when it carries that code page's combining
// tone marks after vowels, which no Western text does, else as ISO 8859-1,
// the usual encoding. Vietnamese comes out composed (NFC), so "Hà Nội"
// reads, folds and searches like typed text. Only as much as cleanText can
// use is read.
func legacyText(b []byte) []byte {
	b = b[:min(len(b), MaxCaptionText*utf8.UTFMax)]
	if !windows1258Vietnamese(b) {
		return latin1(b)
	}
	out, err := charmap.Windows1258.NewDecoder().Bytes(b)
	if err != nil {
		return latin1(b)
	}
	return norm.NFC.Bytes(out)
}

// windows1258Vietnamese reports whether b has a Windows-1258 tone mark
// (grave, hook above, tilde, acute, dot below: bytes shown as Ì Ò Þ ì ò in
// ISO 8859-1) right after a vowel, plain or one of Windows-1258's  Â Ă Ê Ô
// Ơ Ư and their small letters.
func windows1258Vietnamese(b []byte) bool {
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case 0xCC, 0xD2, 0xDE, 0xEC, 0xF2:
		default:
			continue
		}
		switch b[i-1] {
		case 'a', 'e', 'i', 'o', 'u', 'y', 'A', 'E', 'I', 'O', 'U', 'Y',
			0xC2, 0xC3, 0xCA, 0xD4, 0xD5, 0xDD, 0xE2, 0xE3, 0xEA, 0xF4, 0xF5, 0xFD:
			return true
		}
	}
	return false
}

// latin1 returns b read as ISO 8859-1 (legacyText has cut it to what
// cleanText can use).
func latin1(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/4)
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}
