package testenv_test

import (
	"bytes"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/stillroom/stillroom/internal/testenv"
	"github.com/stillroom/stillroom/media/s3store"
)

// The bucket of a test, objects and unfinished uploads included, is gone
// once the test's cleanups have run.
func TestNewBucketConfigCleansUp(t *testing.T) {
	var cfg s3store.Config
	t.Run("user", func(t *testing.T) {
		cfg = testenv.NewBucketConfig(t)
		s, err := s3store.New(t.Context(), cfg)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		for _, key := range []string{"a", "b/c", "b/d/e"} {
			if err := s.Put(t.Context(), key, bytes.NewReader([]byte(key)), int64(len(key)), "text/plain"); err != nil {
				t.Fatalf("Put: %v", err)
			}
		}
		c := minio.Core{Client: s.Client()}
		if _, err := c.NewMultipartUpload(t.Context(), s.Bucket(), "unfinished", minio.PutObjectOptions{}); err != nil {
			t.Fatalf("NewMultipartUpload: %v", err)
		}
	})
	c, err := s3store.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ok, err := c.BucketExists(t.Context(), cfg.Bucket)
	if err != nil || ok {
		t.Errorf("BucketExists(%s) after cleanup = %v, %v; want false", cfg.Bucket, ok, err)
	}
}

func TestNewBucketConfigUnique(t *testing.T) {
	a, b := testenv.NewBucketConfig(t), testenv.NewBucketConfig(t)
	if a.Bucket == b.Bucket {
		t.Errorf("two calls gave the same bucket %q", a.Bucket)
	}
}
