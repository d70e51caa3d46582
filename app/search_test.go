package app

import (
	"slices"
	"strings"
	"testing"

	"github.com/stillroom/stillroom/core"
)

// TestSearchWordsBounded: words are folded and deduplicated (the last word
// stays last, it matches as a prefix); too long a search or too many
// distinct words is BAD_USER_INPUT.
func TestSearchWordsBounded(t *testing.T) {
	str := func(s string) *string { return &s }
	for _, c := range []struct {
		in   string
		want []string
		code core.Code
	}{
		{"Dân vận  KHÉO dân", []string{"van", "kheo", "dan"}, ""},
		{strings.Repeat("hello ", 40), []string{"hello"}, ""},
		{strings.Repeat("a", 256), []string{strings.Repeat("a", 256)}, ""},
		{strings.Repeat("ă", 257), nil, core.CodeBadUserInput},
		{strings.Repeat("hello ", 20000), nil, core.CodeBadUserInput},
		{wordsN(32), nil, ""},
		{wordsN(33), nil, core.CodeBadUserInput},
	} {
		got, err := SearchWords(str(c.in))
		if core.ErrorCode(err) != c.code {
			t.Errorf("%.40q: error %v, want code %q", c.in, err, c.code)
			continue
		}
		if c.want != nil && !slices.Equal(got, c.want) {
			t.Errorf("%.40q: %q, want %q", c.in, got, c.want)
		}
	}
	if got, err := SearchWords(nil); got != nil || err != nil {
		t.Errorf("nil: %v %v", got, err)
	}
}

func wordsN(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(string(rune('a'+i/26)) + string(rune('a'+i%26)) + " ")
	}
	return b.String()
}
