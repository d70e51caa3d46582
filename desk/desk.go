// Package desk serves the desk, Stillroom's web app for photographers and
// editors, at /desk/. Its sources are the Svelte project in this folder;
// its build (dist/) is committed and embedded, so the Go binary needs no
// Node. scripts/test.sh rebuilds it and fails when the committed build
// differs from the sources.
//
// The desk talks to the public GraphQL API only, on the same origin, with
// the session in an HttpOnly cookie.
package desk

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/stillroom/stillroom/internal/webapp"
)

//go:embed all:dist
var dist embed.FS

// Prefix is where the desk is served.
const Prefix = "/desk/"

// Options are the origins besides the server's own that the desk's pages
// may use, for its Content-Security-Policy.
type Options struct {
	// ImageOrigins serve renditions when they are not on this server (a
	// CDN in STILLROOM_PUBLIC_MEDIA_URL, S3 for original links).
	ImageOrigins []string
	// ConnectOrigins take direct uploads (the S3 endpoint of presigned POSTs).
	ConnectOrigins []string
}

// Handler serves the desk's files under Prefix. Hashed assets are cached
// for a year; every other path under Prefix answers index.html (the app
// routes in the browser), never cached, with a strict
// Content-Security-Policy: scripts only from the desk itself, no framing.
func Handler(opts Options) http.Handler {
	files, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embedded folder is part of the binary
	}
	return webapp.App{
		Name:    "desk",
		Files:   files,
		Prefix:  Prefix,
		CSP:     policy(opts),
		Headers: map[string]string{"Cross-Origin-Opener-Policy": "same-origin"},
	}.Handler()
}

func policy(opts Options) string {
	img := append([]string{"'self'", "data:", "blob:"}, opts.ImageOrigins...)
	connect := append([]string{"'self'"}, opts.ConnectOrigins...)
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		// Inline style attributes carry per-photo values (placeholder
		// colours, focal points); no inline scripts are allowed.
		"style-src 'self' 'unsafe-inline'",
		"img-src " + strings.Join(img, " "),
		"connect-src " + strings.Join(connect, " "),
		"font-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}
