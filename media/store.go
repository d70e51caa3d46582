// Package media holds the storage side of Stillroom's media: the object store
// interface that the adapters (localstore, s3store) implement, and the rules
// for object keys. It imports no storage client library.
package media

import (
	"context"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stillroom/stillroom/core"
)

// MaxKeyLen is the longest object key accepted, in bytes. It is S3's limit.
const MaxKeyLen = 1024

// DefaultContentType is what stores record when Put is given no content type.
const DefaultContentType = "application/octet-stream"

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key         string
	Size        int64
	ContentType string
	ModTime     time.Time
	// ETag changes when the content changes. Its form depends on the store
	// (hex SHA-256 for localstore, the S3 ETag for s3store): compare ETags
	// from the same store only.
	ETag string
}

// Object is an open stored object: readable, seekable (for HTTP ranges),
// closable. Its Info is the object as it was when opened.
type Object interface {
	io.ReadSeekCloser
	Info() ObjectInfo
}

// ObjectStore stores objects under slash-separated keys (see ValidateKey).
// Every method returns core.CodeBadUserInput for an invalid key or prefix;
// other failures of the store itself are wrapped errors (core.CodeInternal).
type ObjectStore interface {
	// Put stores r (size bytes, or -1 when unknown) under key atomically:
	// readers see the old object or the whole new one, never a partial one.
	// When r ends before size bytes, Put fails and the old object stays. An
	// empty contentType is stored as DefaultContentType.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Open opens the object under key; core.CodeNotFound when missing.
	// The caller closes it. Reads may use ctx, so keep it alive until Close.
	Open(ctx context.Context, key string) (Object, error)
	// Stat describes the object under key; core.CodeNotFound when missing.
	Stat(ctx context.Context, key string) (ObjectInfo, error)
	// Delete removes the object under key. It is idempotent: a missing key
	// is not an error.
	Delete(ctx context.Context, key string) error
	// List calls fn for every key starting with prefix, in no particular
	// order, and stops at the first error fn returns, returning it.
	// ContentType may be empty in the infos: S3 listings do not carry it.
	List(ctx context.Context, prefix string, fn func(ObjectInfo) error) error
	// Ping reports whether the store is reachable (for /readyz).
	Ping(ctx context.Context) error
}

// ValidateKey checks that key can name an object in every store: non-empty,
// at most MaxKeyLen bytes of UTF-8, slash-separated segments that are
// neither empty nor "." nor "..", so no leading, trailing or double slash,
// and no backslash or NUL. It returns a core.CodeBadUserInput error
// otherwise.
func ValidateKey(key string) error {
	if key == "" {
		return core.Errorf(core.CodeBadUserInput, "object key is empty")
	}
	if err := validatePath(key); err != nil {
		return err
	}
	return validateSegments(key, strings.Split(key, "/"))
}

// ValidatePrefix checks a List prefix: empty, or the start of a valid key.
// Its last segment may be partial or empty (a trailing slash). It returns a
// core.CodeBadUserInput error otherwise.
func ValidatePrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if err := validatePath(prefix); err != nil {
		return err
	}
	segs := strings.Split(prefix, "/")
	return validateSegments(prefix, segs[:len(segs)-1])
}

// validatePath holds the whole-string rules keys and prefixes share.
func validatePath(p string) error {
	switch {
	case len(p) > MaxKeyLen:
		return core.Errorf(core.CodeBadUserInput, "object key is longer than %d bytes", MaxKeyLen)
	case !utf8.ValidString(p):
		return core.Errorf(core.CodeBadUserInput, "object key %q is not valid UTF-8", p)
	case strings.HasPrefix(p, "/"):
		return core.Errorf(core.CodeBadUserInput, "object key %q starts with a slash", p)
	case strings.ContainsAny(p, "\\\x00"):
		return core.Errorf(core.CodeBadUserInput, "object key %q contains a backslash or NUL", p)
	}
	return nil
}

// validateSegments rejects empty, "." and ".." segments: path-based stores
// map segments to directories, and these would alias or escape them.
func validateSegments(p string, segs []string) error {
	for _, seg := range segs {
		switch seg {
		case "":
			return core.Errorf(core.CodeBadUserInput, "object key %q has an empty segment", p)
		case ".", "..":
			return core.Errorf(core.CodeBadUserInput, "object key %q has a %q segment", p, seg)
		}
	}
	return nil
}
