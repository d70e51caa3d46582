package s3store

import (
	"bytes"
	"net"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/stillroom/stillroom/core"
)

// An object server that does not answer (here: nothing listens on its
// port) is UNAVAILABLE, something a client can retry, not INTERNAL. The
// quorum-loss case (503) runs against a real distributed MinIO in
// internal/faults.
func TestUnreachableServerIsUnavailable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := minio.New(addr, &minio.Options{Creds: credentials.NewStaticV4("k", "secret", ""), MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{client: c, bucket: "bucket"}
	if err := s.Put(t.Context(), "a/b", bytes.NewReader([]byte("x")), 1, "text/plain"); !core.IsCode(err, core.CodeUnavailable) {
		t.Errorf("Put to a closed port: %v, want UNAVAILABLE", err)
	}
	if _, err := s.Stat(t.Context(), "a/b"); !core.IsCode(err, core.CodeUnavailable) {
		t.Errorf("Stat on a closed port: %v, want UNAVAILABLE", err)
	}
	if _, err := s.Open(t.Context(), "a/b"); !core.IsCode(err, core.CodeUnavailable) {
		t.Errorf("Open on a closed port: %v, want UNAVAILABLE", err)
	}
}
