package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/media"
)

// MaxUploadTicketTTL is the longest a direct-upload ticket is valid.
const MaxUploadTicketTTL = 15 * time.Minute

// UploadTicketsPerHour is how many direct-upload tickets one account may
// take in an hour from one server process: a large shoot several times
// over, but not an unbounded number of open doors to the bucket (each
// lets its holder store up to MaxUploadBytes until it expires).
const UploadTicketsPerHour = 3000

// ticketCounter counts each account's tickets in fixed hourly windows.
type ticketCounter struct {
	mu     sync.Mutex
	window time.Time
	n      map[string]int
}

// take counts one ticket for user, or says how long until the next window.
func (c *ticketCounter) take(user string, now time.Time) (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil || now.Sub(c.window) >= time.Hour {
		c.window, c.n = now, map[string]int{}
	}
	if c.n[user] >= UploadTicketsPerHour {
		return c.window.Add(time.Hour).Sub(now), false
	}
	c.n[user]++
	return 0, true
}

// acceptedTypes are the content types a direct upload may declare. The
// bytes are sniffed again at completeUpload; this only pins the policy.
var acceptedTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// UploadPolicy is what an uploading client should know before it sends
// anything: whether direct uploads go straight to object storage, the
// limits, and the accepted types, so it can refuse a file at once.
type UploadPolicy struct {
	// Direct is true when tickets point at S3 (presigned POST); false
	// when they point back at this server (local disk store).
	Direct    bool
	MaxBytes  int64
	MaxPixels int64
	Types     []string
}

// UploadPolicy returns the upload policy. PHOTOGRAPHER and up.
func (s *Service) UploadPolicy(ctx context.Context) (*UploadPolicy, error) {
	if _, err := require(ctx, core.RolePhotographer); err != nil {
		return nil, err
	}
	_, direct := s.objects.(media.Presigner)
	lim := s.cfg.ImageLimits
	if lim.MaxPixels <= 0 {
		lim.MaxPixels = media.DefaultMaxPixels
	}
	return &UploadPolicy{Direct: direct, MaxBytes: s.cfg.MaxUploadBytes, MaxPixels: lim.MaxPixels,
		Types: []string{"image/jpeg", "image/png", "image/gif", "image/webp"}}, nil
}

// Ticket is what a client needs to send one file directly.
type Ticket struct {
	ID        string
	URL       string
	Method    string // "POST" (form policy) or "PUT"
	Fields    map[string]string
	ExpiresAt time.Time
}

// RequestUpload issues a ticket to send one file straight to storage. On
// S3 it is a presigned POST policy pinned to one key, the declared content
// type and 1..MaxUploadBytes bytes; on the local disk store a PUT to this
// server's signed URL with the same limits. PHOTOGRAPHER and up;
// PAYLOAD_TOO_LARGE above the byte limit; UNSUPPORTED_MEDIA_TYPE for a
// type that is not an accepted image type.
func (s *Service) RequestUpload(ctx context.Context, filename, contentType string, byteSize int64) (*Ticket, error) {
	u, err := require(ctx, core.RolePhotographer)
	if err != nil {
		return nil, err
	}
	if byteSize < 1 {
		return nil, core.Errorf(core.CodeBadUserInput, "byteSize must be positive")
	}
	if byteSize > s.cfg.MaxUploadBytes {
		return nil, core.Errorf(core.CodePayloadTooLarge, "file is larger than %d bytes", s.cfg.MaxUploadBytes)
	}
	contentType = strings.ToLower(strings.TrimSpace(contentType))
	if !acceptedTypes[contentType] {
		return nil, core.Errorf(core.CodeUnsupportedMediaType, "content type %q is not accepted (JPEG, PNG, GIF or WebP)", contentType)
	}
	now := s.now()
	if wait, ok := s.tickets.take(u.ID, now); !ok {
		return nil, core.Errorf(core.CodeRateLimited, "more than %d upload tickets in an hour; try again in %d minutes", UploadTicketsPerHour, int(wait.Minutes())+1)
	}
	t := &core.UploadTicket{ID: core.NewID(), UserID: u.ID, Filename: sanitizeFilename(filename),
		ContentType: contentType, ByteSize: byteSize, MaxBytes: s.cfg.MaxUploadBytes,
		ExpiresAt: now.Add(s.cfg.UploadTicketTTL), CreatedAt: now}
	t.Key = "incoming/" + t.ID
	out := &Ticket{ID: t.ID, ExpiresAt: t.ExpiresAt, Fields: map[string]string{}}
	if p, ok := s.objects.(media.Presigner); ok {
		out.Method = "POST"
		out.URL, out.Fields, err = p.PresignPost(ctx, t.Key, contentType, t.MaxBytes, s.cfg.UploadTicketTTL)
	} else {
		out.Method = "PUT"
		out.URL, _, err = s.signedURL(ctx, "upload", "/uploads/"+t.ID, t.ID, s.cfg.UploadTicketTTL)
	}
	if err != nil {
		return nil, err
	}
	if err := s.store.InsertTicket(ctx, t); err != nil {
		return nil, err
	}
	return out, nil
}

// ReceiveUpload stores the body of a PUT to a signed upload URL (the local
// disk store's stand-in for a presigned POST). FORBIDDEN for a bad or
// expired signature; CONFLICT once the ticket was completed;
// PAYLOAD_TOO_LARGE past the ticket's byte limit (nothing is kept).
func (s *Service) ReceiveUpload(ctx context.Context, ticketID, exp, sig string, body io.Reader) error {
	if err := s.checkSignature(ctx, "upload", ticketID, exp, sig); err != nil {
		return err
	}
	t, err := s.store.TicketByID(ctx, ticketID)
	if err != nil {
		return err
	}
	if t.UsedAt != nil {
		return core.Errorf(core.CodeConflict, "upload ticket %s was used already", ticketID)
	}
	// Streamed to the store, never held whole: the store's Put is atomic,
	// so a body cut short or over the limit leaves no object behind.
	cr := &cappedReader{r: body, left: t.MaxBytes}
	if err := s.objects.Put(ctx, t.Key, cr, -1, t.ContentType); err != nil {
		if cr.over {
			return core.Errorf(core.CodePayloadTooLarge, "file is larger than %d bytes", t.MaxBytes)
		}
		return err
	}
	if cr.read == 0 {
		_ = s.objects.Delete(ctx, t.Key)
		return core.Errorf(core.CodeBadUserInput, "the body is empty")
	}
	return nil
}

// cappedReader fails once more than left bytes are read.
type cappedReader struct {
	r    io.Reader
	left int64
	read int64
	over bool
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		c.over = true
		return 0, core.Errorf(core.CodePayloadTooLarge, "body over the limit")
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.read += int64(n)
	c.left -= int64(n)
	if c.left < 0 {
		c.over = true
		return n, core.Errorf(core.CodePayloadTooLarge, "body over the limit")
	}
	return n, err
}

// CompleteUpload turns a directly uploaded file into an asset: the ticket
// must be the caller's, unexpired and unused; the object must exist, be
// within the byte limit and sniff as an accepted image. The ticket is used
// up and the uploaded object removed whatever the outcome; the asset then
// goes through the same processing as UploadAsset. NOT_FOUND for an unknown
// or foreign ticket, CONFLICT for a used one, BAD_USER_INPUT for an expired
// one or a missing file.
func (s *Service) CompleteUpload(ctx context.Context, ticketID string, patch *AssetPatch) (*core.Asset, error) {
	u, err := require(ctx, core.RolePhotographer)
	if err != nil {
		return nil, err
	}
	t, err := s.store.TicketByID(ctx, ticketID)
	if err != nil || t.UserID != u.ID {
		return nil, core.Errorf(core.CodeNotFound, "upload ticket %s not found", ticketID)
	}
	if s.now().After(t.ExpiresAt) {
		return nil, core.Errorf(core.CodeBadUserInput, "upload ticket %s has expired: request a new one", ticketID)
	}
	// Input the client can correct is refused before the ticket and the
	// uploaded file are used up.
	if err := checkAssetPatch(patch); err != nil {
		return nil, err
	}
	if err := s.store.UseTicket(ctx, ticketID, s.now()); err != nil {
		return nil, err
	}
	defer func() {
		if derr := s.objects.Delete(context.WithoutCancel(ctx), t.Key); derr != nil {
			s.log.Warn("remove uploaded object", "key", t.Key, "err", derr)
		}
	}()
	info, err := s.objects.Stat(ctx, t.Key)
	if core.IsCode(err, core.CodeNotFound) {
		return nil, core.Errorf(core.CodeBadUserInput, "nothing was uploaded for ticket %s", ticketID)
	}
	if err != nil {
		return nil, err
	}
	if info.Size > t.MaxBytes {
		return nil, core.Errorf(core.CodePayloadTooLarge, "file is larger than %d bytes", t.MaxBytes)
	}
	obj, err := s.objects.Open(ctx, t.Key)
	if err != nil {
		return nil, err
	}
	data, err := readLimited(obj, t.MaxBytes)
	obj.Close()
	if err != nil {
		return nil, fmt.Errorf("app: read upload %s: %w", ticketID, err)
	}
	a, err := s.storeOriginal(ctx, u, data, t.Filename, patch)
	if err != nil {
		return nil, err
	}
	return s.waitProcessed(ctx, a), nil
}
