// Package core holds Stillroom's domain: types, the error type with its
// codes, and the interfaces the adapters implement. It imports nothing
// outside the standard library.
package core

import (
	"errors"
	"fmt"
)

// Code classifies an error for clients. The GraphQL layer copies it to
// extensions.code; the HTTP layer maps it to a status in one place.
type Code string

// The codes of the API contract.
const (
	CodeUnauthenticated      Code = "UNAUTHENTICATED"
	CodeForbidden            Code = "FORBIDDEN"
	CodeNotFound             Code = "NOT_FOUND"
	CodeBadUserInput         Code = "BAD_USER_INPUT"
	CodeConflict             Code = "CONFLICT"
	CodePayloadTooLarge      Code = "PAYLOAD_TOO_LARGE"
	CodeUnsupportedMediaType Code = "UNSUPPORTED_MEDIA_TYPE"
	CodeTooManyPixels        Code = "TOO_MANY_PIXELS"
	CodeQueryTooComplex      Code = "QUERY_TOO_COMPLEX"
	CodeNotImplemented       Code = "NOT_IMPLEMENTED"
	CodeRateLimited          Code = "RATE_LIMITED"
	// CodeUnavailable: the server is overloaded (its queue is full), or a
	// service it depends on cannot take the request now (object storage
	// below quorum or unreachable); retry after a moment (HTTP 503 with
	// Retry-After where the HTTP layer answers it).
	CodeUnavailable Code = "UNAVAILABLE"
	CodeInternal    Code = "INTERNAL"
)

// Error is an error a client may see: a code and a message safe to show.
// Err, if set, is the cause, kept for logs and errors.Is, never shown.
type Error struct {
	Code    Code
	Message string
	Err     error
	// Problems, if any, are shown to GraphQL clients as
	// extensions.problems so a UI can mark each place at fault.
	Problems []Problem
}

// Problem is one reason content cannot be published, at one place of it.
// Path names the place from the content's root, positions 0-based like
// GraphQL's own error paths: ["items", 3], ["blocks", 2, "items", 0],
// ["blocks", 5] (a gallery block), ["cover"]. Missing lists the texts the
// image lacks ("altText", "credit"); Status says why an asset or gallery
// cannot be used ("PROCESSING", "FAILED", "DELETED" for an asset, "DRAFT"
// or "SCHEDULED" for a gallery).
type Problem struct {
	Path      []any    `json:"path"`
	AssetID   string   `json:"assetId,omitempty"`
	GalleryID string   `json:"galleryId,omitempty"`
	Missing   []string `json:"missing,omitempty"`
	Status    string   `json:"status,omitempty"`
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError returns an *Error with code and message that keeps err as cause.
func WrapError(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// CodeInternal when there is none. A nil error has no code ("").
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the message safe to show to a client: the message of
// the first *Error in err's chain, or "internal error".
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != CodeInternal {
		return e.Message
	}
	return "internal error"
}

// IsCode reports whether err carries code.
func IsCode(err error, code Code) bool { return ErrorCode(err) == code }
