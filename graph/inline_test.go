package graph

import (
	"bytes"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

// TestQuotedStringMatchesGQLGen: quotedString writes exactly what
// graphql.MarshalString writes.
func TestQuotedStringMatchesGQLGen(t *testing.T) {
	for _, s := range []string{"", "plain", "Dân vận khéo — toạ đàm", "quote \" and \\ slash", "tab\tnl\nret\r", "\x00\x01\x1f\x7f", "bad utf8 \xff\xfe end", "\u2028 \U0001F600"} {
		var want, got bytes.Buffer
		graphql.MarshalString(s).MarshalGQL(&want)
		marshalString(s).MarshalGQL(&got)
		if got.String() != want.String() {
			t.Errorf("%q: got %s, want %s", s, got.String(), want.String())
		}
	}
}
