// Package graphiql serves GraphiQL, the in-browser GraphQL IDE, for
// development servers: its page at / and its files under /graphiql/.
// The page is built from the npm packages pinned in package-lock.json
// (React, GraphiQL, graphql-ws) by Vite into dist/, which is committed and
// embedded, so it works on a machine without internet and loads nothing
// from anywhere else. scripts/test.sh rebuilds it and fails when the
// committed build differs from the sources.
package graphiql

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// Prefix is where the page's files are served; the page itself is at /.
const Prefix = "/graphiql/"

// csp lets the page use only this server: its own scripts and styles
// (GraphiQL sets inline styles), and connections to /graphql over HTTP
// and the websocket ('self' covers ws: and wss: on the same host).
const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
	"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Handler serves the page for "/" (and Prefix) and its content-hashed
// files under Prefix + "assets/".
func Handler() http.Handler {
	files, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embedded folder is part of the binary
	}
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		panic("graphiql: the embedded build has no index.html: run npm ci && npm run build in graphiql/")
	}
	static := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := path.Clean(r.URL.Path)
		if rel, ok := strings.CutPrefix(p, Prefix); ok && strings.HasPrefix(rel, "assets/") {
			if _, err := fs.Stat(files, rel); err != nil {
				http.NotFound(w, r)
				return
			}
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
			r2 := r.Clone(r.Context())
			r2.URL.Path = "/" + rel
			static.ServeHTTP(w, r2)
			return
		}
		if p != "/" && p+"/" != Prefix && p != Prefix {
			http.NotFound(w, r)
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
