package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
)

// checkPublicURL checks a STILLROOM_PUBLIC_URL or STILLROOM_PUBLIC_MEDIA_URL
// value: an absolute http(s) URL with a host and nothing after its path.
// It returns the value without a trailing slash.
func checkPublicURL(name, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("STILLROOM_%s must be an absolute http or https URL such as https://api.example.com, not %q", name, v)
	}
	return strings.TrimRight(v, "/"), nil
}

// defaultPublicURL is http:// and the address the server listens on; a
// listener on every interface (":8080", "0.0.0.0:8080") is named
// "localhost", which only this machine can follow: set STILLROOM_PUBLIC_URL
// for anything else.
func defaultPublicURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// publicURL is the configured public URL, or the default for addr.
func (c config) publicURL(addr string) string {
	if c.PublicURL != "" {
		return c.PublicURL
	}
	return defaultPublicURL(addr)
}

// logServing says where the server answers: its listen address and its
// public URLs (the GraphiQL page in development).
func logServing(log *slog.Logger, cfg config, addr string, st *stores) {
	args := []any{"listen", addr, "graphql", cfg.PublicURL + "/graphql"}
	if cfg.Env != "production" {
		args = append(args, "graphiql", cfg.PublicURL+"/")
	}
	args = append(args, "media", st.objectsDesc, "database", st.metaDesc)
	log.Info("serving", args...)
}
