package httpapi

import (
	"net/http/httptest"
	"testing"
)

// TestClientAddress: X-Forwarded-For is believed only from trusted
// proxies, and only as far as the proxies wrote it.
func TestClientAddress(t *testing.T) {
	proxies, err := ParseTrustedProxies("10.0.0.0/8, 192.168.1.5")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ peer, xff, want string }{
		{"203.0.113.9:5555", "198.51.100.1", "203.0.113.9"},                     // not a proxy: XFF ignored
		{"10.1.2.3:5555", "198.51.100.1", "198.51.100.1"},                       // one proxy
		{"10.1.2.3:5555", "6.6.6.6, 198.51.100.1, 192.168.1.5", "198.51.100.1"}, // two proxies; the client's own entry ignored
		{"10.1.2.3:5555", "", "10.1.2.3"},
		{"10.1.2.3:5555", "garbage, 198.51.100.1", "198.51.100.1"},
		{"192.168.1.5:1", "10.0.0.7", "10.0.0.7"}, // all trusted: the leftmost seen
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := clientAddress(r, proxies); got != c.want {
			t.Errorf("peer %s XFF %q: %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
	if _, err := ParseTrustedProxies("10.0.0.0/8, nope"); err == nil {
		t.Error("a bad entry was accepted")
	}
}
