// Package testenv gives tests the real services they talk to. The services
// are started by ./scripts/test.sh, which exports where they are.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/stillroom/stillroom/media/s3store"
)

// The environment variables ./scripts/test.sh sets for the MinIO it starts.
const (
	EnvS3Endpoint  = "STILLROOM_TEST_S3_ENDPOINT"
	EnvS3AccessKey = "STILLROOM_TEST_S3_ACCESS_KEY"
	EnvS3SecretKey = "STILLROOM_TEST_S3_SECRET_KEY"
)

// cleanupTimeout bounds emptying and removing a test bucket.
const cleanupTimeout = time.Minute

// MinIO returns the configuration of the test MinIO server, without a bucket.
// When the environment does not name one it skips the test, or fails it when
// CI=true so that CI never passes by skipping.
func MinIO(tb testing.TB) s3store.Config {
	tb.Helper()
	cfg := s3store.Config{
		Endpoint:  os.Getenv(EnvS3Endpoint),
		AccessKey: os.Getenv(EnvS3AccessKey),
		SecretKey: os.Getenv(EnvS3SecretKey),
	}
	if cfg.Endpoint == "" || cfg.AccessKey == "" || cfg.SecretKey == "" {
		msg := "no test MinIO: " + EnvS3Endpoint + ", " + EnvS3AccessKey + " and " + EnvS3SecretKey +
			" are not all set; run the tests with ./scripts/test.sh (e.g. STILLROOM_TEST_PKGS=./media/... ./scripts/test.sh -run TestX)"
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return cfg
}

// NewBucketConfig returns the test MinIO's configuration with a bucket name
// of the test's own (t-<random hex>). The bucket is not created here
// (s3store.New creates it); a cleanup empties and removes it if it exists.
func NewBucketConfig(tb testing.TB) s3store.Config {
	tb.Helper()
	cfg := MinIO(tb)
	b := make([]byte, 12)
	rand.Read(b)
	cfg.Bucket = "t-" + hex.EncodeToString(b)
	tb.Cleanup(func() {
		// The test's context is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if err := removeBucket(ctx, cfg); err != nil {
			tb.Errorf("testenv: remove bucket %s: %v", cfg.Bucket, err)
		}
	})
	return cfg
}

// removeBucket deletes every object of cfg.Bucket, then the bucket.
func removeBucket(ctx context.Context, cfg s3store.Config) error {
	c, err := s3store.NewClient(cfg)
	if err != nil {
		return err
	}
	ok, err := c.BucketExists(ctx, cfg.Bucket)
	if err != nil || !ok {
		return err
	}
	objects := make(chan minio.ObjectInfo)
	go func() {
		defer close(objects)
		for o := range c.ListObjects(ctx, cfg.Bucket, minio.ListObjectsOptions{Recursive: true}) {
			if o.Err != nil {
				return // RemoveBucket below reports what is left
			}
			select {
			case objects <- o:
			case <-ctx.Done():
				return
			}
		}
	}()
	for e := range c.RemoveObjects(ctx, cfg.Bucket, objects, minio.RemoveObjectsOptions{}) {
		if e.Err != nil {
			return e.Err
		}
	}
	// ForceDelete also drops unfinished multipart uploads on MinIO; other S3
	// servers ignore it.
	return c.RemoveBucketWithOptions(ctx, cfg.Bucket, minio.RemoveBucketOptions{ForceDelete: true})
}
