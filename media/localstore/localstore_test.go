package localstore_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/media"
	"github.com/stillroom/stillroom/media/localstore"
	"github.com/stillroom/stillroom/media/storetest"
)

func newStore(t *testing.T) *localstore.Store {
	t.Helper()
	s, err := localstore.New(t.TempDir())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) media.ObjectStore { return newStore(t) })
}

// A filesystem cannot hold both "a" and "a/b"; S3 can, so this is
// localstore's own rule, not part of the contract.
func TestKeyPathClash(t *testing.T) {
	ctx := t.Context()
	s := newStore(t)
	put := func(key string) error {
		return s.Put(ctx, key, bytes.NewReader([]byte("x")), 1, "text/plain")
	}
	if err := put("a/b"); err != nil {
		t.Fatalf("Put(a/b): %v", err)
	}
	if err := put("a"); !core.IsCode(err, core.CodeConflict) {
		t.Errorf("Put(a) over the prefix a/: %v, want CONFLICT", err)
	}
	if err := put("a/b/c"); !core.IsCode(err, core.CodeConflict) {
		t.Errorf("Put(a/b/c) under the object a/b: %v, want CONFLICT", err)
	}
	if err := s.Delete(ctx, "a"); err != nil {
		t.Errorf("Delete(a), a prefix: %v", err)
	}
	if _, err := s.Stat(ctx, "a/b"); err != nil {
		t.Errorf("Stat(a/b) after Delete(a): %v", err)
	}
}

// Files placed by hand, or left by a crash between the data and sidecar
// renames, are still served, with info derived from the bytes.
func TestMissingSidecar(t *testing.T) {
	dir := t.TempDir()
	s, err := localstore.New(dir)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	p := filepath.Join(dir, "objects", "hand", "placed.png")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("not really a png"), 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := s.Stat(t.Context(), "hand/placed.png")
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if info.ContentType != "image/png" || info.Size != 16 || info.ETag == "" {
		t.Errorf("Stat = %+v, want image/png, 16 bytes, an ETag", info)
	}
}

// Sidecars and uploads in progress live outside objects/ and never show up
// in List.
func TestListSkipsInternalFiles(t *testing.T) {
	dir := t.TempDir()
	s, err := localstore.New(dir)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.Put(t.Context(), "k", bytes.NewReader([]byte("x")), 1, "text/plain"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tmp", "data-123"), []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	var keys []string
	err = s.List(t.Context(), "", func(info media.ObjectInfo) error {
		keys = append(keys, info.Key)
		return nil
	})
	if err != nil || !slices.Equal(keys, []string{"k"}) {
		t.Errorf("List = %q, %v; want [k]", keys, err)
	}
}
