package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
)

// TestSignInAddressGroups: the sign-in limits count an IPv6 caller by its
// /64 (one subscriber's block), IPv4 callers (also written as IPv4-mapped
// IPv6) by their address.
func TestSignInAddressGroups(t *testing.T) {
	at := func(a string) string { return clientAddr(WithClientAddr(context.Background(), a)) }
	if a, b := at("2001:db8:1:2::1"), at("2001:db8:1:2:ffff:ee:dd:9"); a != b {
		t.Errorf("one /64 counted as two: %q, %q", a, b)
	}
	if a, b := at("2001:db8:1:2::1"), at("2001:db8:1:3::1"); a == b {
		t.Errorf("two /64s counted as one: %q", a)
	}
	for _, a := range []string{"203.0.113.7", "::ffff:203.0.113.7", ""} {
		if got := at(a); got != a {
			t.Errorf("%q counted as %q", a, got)
		}
	}
}

// TestSignInLongEmailKeepsNothing: a sign-in with an email longer than any
// account's is answered as a wrong email before the limiter keeps anything
// (it would keep the whole address for the failure window).
func TestSignInLongEmailKeepsNothing(t *testing.T) {
	s := &Service{signIns: newSignInLimiter(), now: time.Now}
	ctx := WithClientAddr(context.Background(), "203.0.113.7")
	for range 10 {
		_, _, _, err := s.Login(ctx, strings.Repeat("a", 1<<20)+"@example.com", "whatever-password")
		if !core.IsCode(err, core.CodeUnauthenticated) {
			t.Fatalf("long email: %v, want UNAUTHENTICATED", err)
		}
	}
	if n := len(s.signIns.keys); n != 0 {
		t.Fatalf("the limiter keeps %d entries for refused long emails", n)
	}
}
