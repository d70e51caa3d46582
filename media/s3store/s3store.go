// Package s3store is a media.ObjectStore on an S3-compatible server (MinIO in
// development and tests), through minio-go.
package s3store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/media"
)

var _ media.ObjectStore = (*Store)(nil)

// UnknownSizePartSize is the multipart part size used when Put is given
// size -1. minio-go buffers one part in memory per such Put, and its default
// for unknown sizes is about 537 MiB; 8 MiB parts cap an unknown-size object
// at 8 MiB × 10,000 parts ≈ 78 GiB, far above any upload limit.
const UnknownSizePartSize = 8 << 20

// Config says how to reach the bucket.
type Config struct {
	Endpoint  string // host:port, no scheme
	AccessKey string
	SecretKey string
	Bucket    string
	Region    string // optional; "" lets the client discover it
	UseTLS    bool
}

// Store keeps objects in one bucket. It is safe for concurrent use.
type Store struct {
	client *minio.Client
	bucket string
}

// NewClient returns a minio-go client for cfg without touching the network.
func NewClient(cfg Config) (*minio.Client, error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("s3store: endpoint is empty")
	}
	if strings.Contains(cfg.Endpoint, "://") {
		return nil, fmt.Errorf("s3store: endpoint %q must be host:port without a scheme (set UseTLS for https)", cfg.Endpoint)
	}
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.UseTLS,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("s3store: client for %s: %w", cfg.Endpoint, err)
	}
	return c, nil
}

// New returns a Store on cfg.Bucket, creating the bucket if it is missing.
func New(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("s3store: bucket is empty")
	}
	c, err := NewClient(cfg)
	if err != nil {
		return nil, err
	}
	exists, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("s3store: bucket %s: %w", cfg.Bucket, err)
	}
	if !exists {
		err := c.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region})
		// Another instance may have created it since BucketExists.
		if err != nil && minio.ToErrorResponse(err).Code != minio.BucketAlreadyOwnedByYou {
			return nil, fmt.Errorf("s3store: create bucket %s: %w", cfg.Bucket, err)
		}
	}
	return &Store{client: c, bucket: cfg.Bucket}, nil
}

// Client returns the underlying client, for presigned URLs.
func (s *Store) Client() *minio.Client { return s.client }

// Bucket returns the bucket's name.
func (s *Store) Bucket() string { return s.bucket }

// Put uploads r under key; S3 makes the new object visible only once it is
// complete. Errors: core.CodeBadUserInput for an invalid key.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := media.ValidateKey(key); err != nil {
		return err
	}
	if contentType == "" {
		contentType = media.DefaultContentType
	}
	opts := minio.PutObjectOptions{ContentType: contentType}
	if size < 0 {
		size = -1
		opts.PartSize = UnknownSizePartSize
	} else {
		// A reader that ends early must fail the upload at once; minio-go
		// would retry the request with backoff first. The wrapper hides
		// io.ReaderAt, so uploads over one part go sequentially, not in
		// parallel.
		r = &exactReader{r: r, left: size}
	}
	if _, err := s.client.PutObject(ctx, s.bucket, key, r, size, opts); err != nil {
		return translate("put", key, err)
	}
	return nil
}

// Open opens the object under key. It stats the object at once, so a missing
// key fails here, and later reads are pinned to that ETag. Errors:
// core.CodeNotFound when missing, core.CodeBadUserInput for an invalid key.
func (s *Store) Open(ctx context.Context, key string) (media.Object, error) {
	if err := media.ValidateKey(key); err != nil {
		return nil, err
	}
	o, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, translate("open", key, err)
	}
	st, err := o.Stat()
	if err != nil {
		o.Close()
		return nil, translate("open", key, err)
	}
	return &object{Object: o, info: toInfo(st)}, nil
}

// Stat describes the object under key. Errors: core.CodeNotFound when
// missing, core.CodeBadUserInput for an invalid key.
func (s *Store) Stat(ctx context.Context, key string) (media.ObjectInfo, error) {
	if err := media.ValidateKey(key); err != nil {
		return media.ObjectInfo{}, err
	}
	st, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return media.ObjectInfo{}, translate("stat", key, err)
	}
	return toInfo(st), nil
}

// Delete removes the object under key; a missing key is not an error.
// Errors: core.CodeBadUserInput for an invalid key.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := media.ValidateKey(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		if err = translate("delete", key, err); !core.IsCode(err, core.CodeNotFound) {
			return err
		}
	}
	return nil
}

// List calls fn for every object whose key starts with prefix. ContentType
// is empty in the infos: S3 listings do not carry it. Errors:
// core.CodeBadUserInput for an invalid prefix, or fn's error as it is.
func (s *Store) List(ctx context.Context, prefix string, fn func(media.ObjectInfo) error) error {
	if err := media.ValidatePrefix(prefix); err != nil {
		return err
	}
	// Cancelling stops minio-go's listing goroutine when fn fails.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for o := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			return fmt.Errorf("s3store: list %q: %w", prefix, o.Err)
		}
		if err := fn(toInfo(o)); err != nil {
			return err
		}
	}
	return nil
}

// Ping checks that the server answers and the bucket exists.
func (s *Store) Ping(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("s3store: ping: %w", err)
	}
	if !ok {
		return fmt.Errorf("s3store: ping: bucket %s does not exist", s.bucket)
	}
	return nil
}

func toInfo(o minio.ObjectInfo) media.ObjectInfo {
	return media.ObjectInfo{Key: o.Key, Size: o.Size, ContentType: o.ContentType, ModTime: o.LastModified, ETag: o.ETag}
}

// translate turns a missing key into core.CodeNotFound, a server that
// cannot take the request now into core.CodeUnavailable, and wraps the
// rest. A missing bucket stays an internal error: it is a deployment
// problem, not a missing object.
func translate(op, key string, err error) error {
	resp := minio.ToErrorResponse(err)
	if resp.Code == minio.NoSuchKey || (resp.StatusCode == http.StatusNotFound && resp.Code != minio.NoSuchBucket) {
		return core.WrapError(core.CodeNotFound, err, "object %s not found", key)
	}
	if unavailable(resp.StatusCode, err) {
		return core.WrapError(core.CodeUnavailable, fmt.Errorf("s3store: %s %s: %w", op, key, err),
			"object storage is unavailable; retry in a moment")
	}
	return fmt.Errorf("s3store: %s %s: %w", op, key, err)
}

// unavailable reports whether a request failed for a reason that passes:
// the server answered 503 (MinIO below its write or read quorum, a server
// starting, SlowDown) or 429, or did not answer at all (refused, reset,
// timed out: minio-go's *url.Error is a net.Error). minio-go has already
// retried such requests where their body allowed it.
func unavailable(status int, err error) bool {
	if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
		return true
	}
	var ne net.Error
	return status == 0 && errors.As(err, &ne)
}

// object is a minio-go object with the info it was opened with; minio-go's
// own Stat reports the remaining size once reading has started.
type object struct {
	*minio.Object
	info media.ObjectInfo
}

func (o *object) Info() media.ObjectInfo { return o.info }

// exactReader fails with io.ErrUnexpectedEOF when r ends before left bytes.
type exactReader struct {
	r    io.Reader
	left int64
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if err == io.EOF && e.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}
