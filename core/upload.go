package core

import "time"

// UploadTicket lets one user send one file straight to the object store
// (or to this server's signed upload URL), then turn it into an asset with
// completeUpload. The file lands under Key, outside the content-addressed
// keys, until it is checked.
type UploadTicket struct {
	ID          string
	Key         string // "incoming/<id>"
	UserID      string
	Filename    string
	ContentType string
	ByteSize    int64 // as declared by the client
	MaxBytes    int64
	ExpiresAt   time.Time
	UsedAt      *time.Time
	CreatedAt   time.Time
}
