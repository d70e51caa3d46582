package s3store

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/stillroom/stillroom/media"
)

var _ media.Presigner = (*Store)(nil)

// privateNoStore is how a presigned read is answered: for the person given
// the link only, like the server's own /originals links.
const privateNoStore = "private, no-store"

// PresignGet returns a presigned GET URL for key, valid for expires; S3
// answers it with Cache-Control "private, no-store" and, with a
// disposition, that Content-Disposition (the response-cache-control and
// response-content-disposition parameters, covered by the signature).
func (s *Store) PresignGet(ctx context.Context, key string, expires time.Duration, disposition string) (string, error) {
	if err := media.ValidateKey(key); err != nil {
		return "", err
	}
	params := url.Values{"response-cache-control": {privateNoStore}}
	if disposition != "" {
		params.Set("response-content-disposition", disposition)
	}
	u, err := s.client.PresignedGetObject(ctx, s.bucket, key, expires, params)
	if err != nil {
		return "", fmt.Errorf("s3store: presign get %s: %w", key, err)
	}
	return u.String(), nil
}

// PresignPost returns a POST policy pinned to key and contentType, with a
// content-length-range of 1..maxBytes, valid for expires. Unlike a
// presigned PUT, the store itself refuses a larger body.
func (s *Store) PresignPost(ctx context.Context, key, contentType string, maxBytes int64, expires time.Duration) (string, map[string]string, error) {
	if err := media.ValidateKey(key); err != nil {
		return "", nil, err
	}
	p := minio.NewPostPolicy()
	for _, err := range []error{
		p.SetBucket(s.bucket),
		p.SetKey(key),
		p.SetExpires(time.Now().UTC().Add(expires)),
		p.SetContentType(contentType),
		p.SetContentLengthRange(1, maxBytes),
	} {
		if err != nil {
			return "", nil, fmt.Errorf("s3store: post policy for %s: %w", key, err)
		}
	}
	u, fields, err := s.client.PresignedPostPolicy(ctx, p)
	if err != nil {
		return "", nil, fmt.Errorf("s3store: presign post %s: %w", key, err)
	}
	return u.String(), fields, nil
}
