package media

import (
	"strings"
	"unicode"
	"unicode/utf8"
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

// latin1 returns b read as ISO 8859-1, the usual encoding of IPTC-IIM
// text that does not declare UTF-8; only as much as cleanText can use.
func latin1(b []byte) []byte {
	b = b[:min(len(b), MaxCaptionText*utf8.UTFMax)]
	out := make([]byte, 0, len(b)+len(b)/4)
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return out
}
