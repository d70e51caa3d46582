package httpapi

import (
	"net/netip"
	"time"
)

// Config is what the HTTP edge takes of the server's settings (each a
// STILLROOM_* setting in the README; the server's main fills it in).
type Config struct {
	// Production turns GraphiQL, introspection and "Did you mean"
	// suggestions off, logs JSON and marks the session cookie Secure.
	Production bool
	// PublicURL is this server's public base URL (no trailing slash).
	PublicURL string
	// PublicMediaURL is the base of rendition links when a CDN serves
	// them; empty when this server does.
	PublicMediaURL string
	// ObjectStoreOrigin is the origin of the S3 endpoint
	// ("https://s3.example.com") that takes direct uploads and serves
	// original downloads; empty for objects on local disk.
	ObjectStoreOrigin string
	// CORSOrigins are the other origins whose pages may use the API.
	CORSOrigins []string
	// MaxUploadBytes bounds one uploaded file, MaxBodyBytes one multipart
	// request.
	MaxUploadBytes, MaxBodyBytes int64
	// Admission of GraphQL operations (admission.go): OperationSlots run
	// at once (0: one per core), OperationQueue wait at most
	// OperationQueueWait each.
	OperationSlots, OperationQueue int
	OperationQueueWait             time.Duration
	// Pacing of request bodies (pacing.go).
	BodyIdle    time.Duration
	BodyMinRate int64
	// UploadBytesInFlight bounds the multipart bytes held at once
	// (uploads.go).
	UploadBytesInFlight int64
	// ResponseCacheBytes bounds the public read cache (respcache.go).
	ResponseCacheBytes int64
	// TrustedProxies may set X-Forwarded-For (clientaddr.go).
	TrustedProxies []netip.Prefix
}

// MaxJSONBodyBytes bounds non-multipart GraphQL requests.
const MaxJSONBodyBytes = 1 << 20
