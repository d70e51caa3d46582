package media

import (
	"context"
	"time"
)

// Presigner is an ObjectStore that can hand clients URLs to read or write
// one object directly, without the bytes passing through this server. The
// S3 store is one; the local disk store is not, and the server signs its
// own URLs instead.
type Presigner interface {
	// PresignGet returns a URL that reads key until expires passes. A
	// disposition other than "" is the Content-Disposition the store
	// answers that URL with (the file's name, and whether to save it).
	// The answer is for the one person given the link: the store sends it
	// with Cache-Control "private, no-store", so no shared cache keeps it
	// past the link's life.
	PresignGet(ctx context.Context, key string, expires time.Duration, disposition string) (string, error)
	// PresignPost returns a URL and form fields for an HTML-form-style
	// POST that writes exactly key, with exactly contentType, of 1 to
	// maxBytes bytes (enforced by the store), until expires passes.
	PresignPost(ctx context.Context, key, contentType string, maxBytes int64, expires time.Duration) (url string, fields map[string]string, err error)
}
