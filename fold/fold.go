// Package fold turns text into comparable ASCII for search, slugs and
// sorting. It is written for Vietnamese: every diacritic is removed and
// "đ"/"Đ" become "d", so "Dân vận khéo", "DÂN VẬN KHÉO" and "dan van kheo"
// fold to the same words.
package fold

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// String lower-cases s, removes diacritics (combining marks after NFD
// decomposition) and maps đ to d. Other characters are kept.
func String(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
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
