package httpapi

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrustedProxies reads STILLROOM_TRUSTED_PROXIES: comma-separated
// addresses or CIDR ranges of the proxies in front of the server.
func ParseTrustedProxies(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for s := range strings.SplitSeq(v, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("STILLROOM_TRUSTED_PROXIES: %q is not an address or a range such as 10.0.0.0/8", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

func trusted(proxies []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddress returns the caller's address: the TCP peer's, unless the
// peer is a trusted proxy; then X-Forwarded-For is read from the right
// (the entries proxies appended), skipping trusted proxies, and the first
// other address is the client. Entries left of it were written by the
// client and are never believed.
func clientAddress(r *http.Request, proxies []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if len(proxies) == 0 {
		return host
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !trusted(proxies, peer) {
		return host
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	client := host
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a garbled entry: believe nothing left of it
		}
		client = a.Unmap().String()
		if !trusted(proxies, a) {
			break
		}
	}
	return client
}
