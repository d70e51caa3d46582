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

	"github.com/stillroom/stillroom/internal/webapp"
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
	return webapp.App{
		Name:   "graphiql",
		Files:  files,
		Prefix: Prefix,
		CSP:    csp,
		IsPage: func(p string) bool { return p == "/" || p+"/" == Prefix || p == Prefix },
	}.Handler()
}
