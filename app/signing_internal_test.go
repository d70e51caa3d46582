package app

import (
	"strconv"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
)

// TestSignedLinkLifetime: a link signed with the right key is refused
// when its exp lies further ahead than links of its kind are made for.
func TestSignedLinkLifetime(t *testing.T) {
	s := &Service{cfg: Config{OriginalURLTTL: 10 * time.Minute, UploadTicketTTL: 15 * time.Minute}, now: time.Now}
	s.signer.key = []byte("test key")
	check := func(purpose string, ahead time.Duration) core.Code {
		exp := time.Now().Add(ahead).Unix()
		return core.ErrorCode(s.checkSignature(t.Context(), purpose, "id1", strconv.FormatInt(exp, 10), mac(s.signer.key, purpose, "id1", exp)))
	}
	for _, c := range []struct {
		purpose string
		ahead   time.Duration
		want    core.Code
	}{
		{"original", 10 * time.Minute, ""},
		{"original", -time.Minute, core.CodeForbidden},
		{"original", 10 * 365 * 24 * time.Hour, core.CodeForbidden},
		{"original", 15 * time.Minute, core.CodeForbidden},
		{"upload", 15 * time.Minute, ""},
		{"upload", 24 * time.Hour, core.CodeForbidden},
	} {
		if got := check(c.purpose, c.ahead); got != c.want {
			t.Errorf("%s link %s ahead: %q, want %q", c.purpose, c.ahead, got, c.want)
		}
	}
}
