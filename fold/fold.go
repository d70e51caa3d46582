// Package fold turns text into comparable ASCII for search, slugs and
// sorting. It is written for Vietnamese: every diacritic is removed and
// "đ"/"Đ" become "d" (as do their look-alikes "ð"/"Ð" and "ɖ"/"Ɖ", which
// text from old encodings and keyboards carries), so "Dân vận khéo",
// "DÂN VẬN KHÉO" and "dan van kheo" fold to the same words.
package fold

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Version numbers what String, Words and SortKey return: it goes up
// whenever a change makes them fold some text differently, so that stores
// refold the search tokens and sort keys they keep (sqlitestore and
// mongostore do it when they open). 2: ð, Ð, ɖ and Ɖ fold to d, and runs of
// nine or more digits sort by value.
const Version = 2

// String lower-cases s, removes diacritics (combining marks after NFD
// decomposition) and maps đ (and its look-alikes ð and ɖ) to d. Other
// characters are kept.
func String(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ' || r == 'ð' || r == 'Ð' || r == 'ɖ' || r == 'Ɖ':
			b.WriteByte('d')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Words folds s and splits it into words of letters and digits.
func Words(s string) []string {
	return strings.FieldsFunc(String(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// Tokens folds every text and returns its distinct words, for a search
// index field.
func Tokens(texts ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range texts {
		for _, w := range Words(t) {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}

// MaxSlugLen bounds slugs; longer titles are cut at a word boundary.
const MaxSlugLen = 96

// Slug returns an ASCII slug of s: folded words of a-z and 0-9 joined by
// hyphens. It returns "" when s has no such characters.
func Slug(s string) string {
	var words []string
	for _, w := range Words(s) {
		w = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, w)
		if w != "" {
			words = append(words, w)
		}
	}
	slug := strings.Join(words, "-")
	for len(slug) > MaxSlugLen {
		i := strings.LastIndexByte(slug[:MaxSlugLen], '-')
		if i <= 0 {
			slug = slug[:MaxSlugLen]
			break
		}
		slug = slug[:i]
	}
	return slug
}

// SortKey returns s as a key that orders texts the way a Vietnamese reader
// expects when compared byte by byte: folded words (see Words) joined by
// one space, so diacritics, case and punctuation do not count ("Đà Nẵng"
// sorts with "da nang", among the D words), and numbers compared by value
// ("Ảnh 2" before "Ảnh 10"): each run of digits is written without its
// leading zeros after its length (see writeLen). Texts that fold to the
// same key tie; callers break ties with a stable key.
func SortKey(s string) string {
	words := Words(s)
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		for len(w) > 0 {
			n := 0
			for n < len(w) && w[n] >= '0' && w[n] <= '9' {
				n++
			}
			if n == 0 {
				_, size := utf8.DecodeRuneInString(w)
				b.WriteString(w[:size])
				w = w[size:]
				continue
			}
			digits := strings.TrimLeft(w[:n], "0")
			if digits == "" {
				digits = "0"
			}
			writeLen(&b, len(digits))
			b.WriteString(digits)
			w = w[n:]
		}
	}
	return b.String()
}

// writeLen writes the length n of a run of digits so that lengths compare
// as numbers byte by byte: one digit up to 8, then "9" and two digits up
// to 98, then "999" and three digits; runs longer than 999 digits all
// write 999 and compare as text after it.
func writeLen(b *strings.Builder, n int) {
	switch {
	case n < 9:
		b.WriteByte(byte('0' + n))
	case n < 99:
		b.WriteByte('9')
		b.WriteByte(byte('0' + n/10))
		b.WriteByte(byte('0' + n%10))
	default:
		n = min(n, 999)
		b.WriteString("999")
		b.WriteByte(byte('0' + n/100))
		b.WriteByte(byte('0' + n/10%10))
		b.WriteByte(byte('0' + n%10))
	}
}
