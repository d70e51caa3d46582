// Package webapp serves a single-page web app built into an embedded
// folder: its index.html for the app's pages, never cached and under a
// Content-Security-Policy, and its content-hashed files under assets/,
// cached for a year, scripts and styles gzipped once at start. The desk
// and GraphiQL are served by it.
package webapp

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// App is one built web app.
type App struct {
	// Name says which app an error is about.
	Name string
	// Files is the build: index.html and assets/.
	Files fs.FS
	// Prefix is the URL path the build's files are under ("/desk/"):
	// Prefix+"assets/…" serves Files' assets/….
	Prefix string
	// CSP is the pages' Content-Security-Policy.
	CSP string
	// Headers are set on every answer besides the usual ones.
	Headers map[string]string
	// IsPage reports whether a cleaned request path is one of the app's
	// pages, answered with index.html; nil means every path (the app
	// routes in the browser). Other paths are not found.
	IsPage func(p string) bool
}

// Handler serves the app. It panics when Files has no index.html: the
// build is part of the binary, so that is a build mistake.
func (a App) Handler() http.Handler {
	index, err := fs.ReadFile(a.Files, "index.html")
	if err != nil {
		panic(fmt.Sprintf("%s: the embedded build has no index.html: run npm ci && npm run build in its folder", a.Name))
	}
	static := http.FileServerFS(a.Files)
	gz := gzipped(a.Files)
	assets := a.Prefix + "assets/"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		for k, v := range a.Headers {
			h.Set(k, v)
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := path.Clean(r.URL.Path)
		rest, inAssets := strings.CutPrefix(p, assets)
		// A missing name without an extension under assets/ is a page of
		// the app's, not a file: the desk's photos live at
		// /desk/assets/<id>, and a reload or a shared link must open them.
		if inAssets && !strings.Contains(path.Base(rest), ".") {
			if _, err := fs.Stat(a.Files, "assets/"+rest); err != nil {
				inAssets = false
			}
		}
		if inAssets {
			rel := "assets/" + rest
			if _, err := fs.Stat(a.Files, rel); err != nil {
				http.NotFound(w, r)
				return
			}
			// Content-hashed names: a new build has new names.
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
			h.Add("Vary", "Accept-Encoding")
			if z, ok := gz[rel]; ok && AcceptsGzip(r.Header.Get("Accept-Encoding")) {
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
		if a.IsPage != nil && !a.IsPage(p) {
			http.NotFound(w, r)
			return
		}
		h.Set("Content-Security-Policy", a.CSP)
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Type", "text/html; charset=utf-8")
		if r.Method == http.MethodHead {
			return
		}
		w.Write(index)
	})
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

// AcceptsGzip reports whether an Accept-Encoding value allows gzip: it is
// named, without a zero q (q=0, q=0.0, …).
func AcceptsGzip(acceptEncoding string) bool {
	for part := range strings.SplitSeq(acceptEncoding, ",") {
		name, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q, ok := strings.CutPrefix(strings.ReplaceAll(strings.TrimSpace(params), " ", ""), "q=")
		if !ok {
			return true
		}
		f, err := strconv.ParseFloat(q, 64)
		return err == nil && f > 0
	}
	return false
}
