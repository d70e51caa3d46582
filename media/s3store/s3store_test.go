package s3store_test

import (
	"testing"

	"github.com/stillroom/stillroom/internal/testenv"
	"github.com/stillroom/stillroom/media"
	"github.com/stillroom/stillroom/media/s3store"
	"github.com/stillroom/stillroom/media/storetest"
)

// newStore returns a store on a bucket of the test's own, removed when the
// test ends.
func newStore(t *testing.T) *s3store.Store {
	t.Helper()
	s, err := s3store.New(t.Context(), testenv.NewBucketConfig(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func TestContract(t *testing.T) {
	testenv.MinIO(t) // skip once, not in every subtest
	storetest.Run(t, func(t *testing.T) media.ObjectStore { return newStore(t) })
}

// Two instances starting at once both try to create the bucket.
func TestNewRacesOnBucket(t *testing.T) {
	cfg := testenv.NewBucketConfig(t)
	errs := make(chan error, 4)
	for range cap(errs) {
		go func() {
			_, err := s3store.New(t.Context(), cfg)
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Errorf("New: %v", err)
		}
	}
}

func TestPingMissingBucket(t *testing.T) {
	cfg := testenv.NewBucketConfig(t)
	s, err := s3store.New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.Client().RemoveBucket(t.Context(), s.Bucket()); err != nil {
		t.Fatalf("RemoveBucket: %v", err)
	}
	if err := s.Ping(t.Context()); err == nil {
		t.Error("Ping succeeded on a removed bucket")
	}
}

func TestBadConfig(t *testing.T) {
	for _, cfg := range []s3store.Config{
		{Endpoint: "", Bucket: "b"},
		{Endpoint: "http://localhost:9000", Bucket: "b"},
		{Endpoint: "localhost:9000", Bucket: ""},
	} {
		if _, err := s3store.New(t.Context(), cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}
