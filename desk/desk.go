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
	"bytes"
	"compress/gzip"
	"embed"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
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
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		panic("desk: the embedded build has no index.html: run npm ci && npm run build in desk/")
	}
	csp := policy(opts)
	static := http.FileServerFS(files)
	gz := gzipped(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		rel := strings.TrimPrefix(path.Clean(r.URL.Path), strings.TrimSuffix(Prefix, "/"))
		rel = strings.TrimPrefix(rel, "/")
		if strings.HasPrefix(rel, "assets/") {
			if _, err := fs.Stat(files, rel); err != nil {
				http.NotFound(w, r)
				return
			}
			// Content-hashed names: a new build has new names.
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
			h.Add("Vary", "Accept-Encoding")
			if z, ok := gz[rel]; ok && acceptsGzip(r) {
				if ct := mime.TypeByExtension(path.Ext(rel)); ct != "" {
					h.Set("Content-Type", ct)
				}
				h.Set("Content-Encoding", "gzip")
				h.Set("Content-Length", strconv.Itoa(len(z)))
				if r.Method == http.MethodGet {
					w.Write(z)
				}
				return
			}
			r2 := r.Clone(r.Context())
			r2.URL.Path = "/" + rel
			static.ServeHTTP(w, r2)
			return
		}
		h.Set("Content-Security-Policy", csp)
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Type", "text/html; charset=utf-8")
		if r.Method == http.MethodHead {
			return
		}
		w.Write(index)
	})
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

// gzipped compresses the build's scripts and styles once, at start: they
// are what a first visit waits for (about a third of their size over the
// wire). Images and fonts are already compressed.
func gzipped(files fs.FS) map[string][]byte {
	out := map[string][]byte{}
	fs.WalkDir(files, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch path.Ext(p) {
		case ".js", ".css", ".svg", ".json":
		default:
			return nil
		}
		raw, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(raw)
		zw.Close()
		if buf.Len() < len(raw) {
			out[p] = buf.Bytes()
		}
		return nil
	})
	return out
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.ReplaceAll(strings.TrimSpace(q), " ", "") != "q=0" {
			return true
		}
	}
	return false
}
