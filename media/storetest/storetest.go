// Package storetest is the contract every media.ObjectStore meets, as a test
// suite that each implementation's tests run against a real store.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/media"
)

// unknownSizeBytes is larger than the S3 store's part size for unknown sizes
// and S3's 5 MiB minimum part, so an unknown-size Put goes multipart.
const unknownSizeBytes = 9<<20 + 123

// Run runs the contract against stores from newStore, which gives each
// subtest a fresh, empty store and cleans it up with t.Cleanup. Subtests run
// in parallel.
func Run(t *testing.T, newStore func(t *testing.T) media.ObjectStore) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s media.ObjectStore)
	}{
		{"PutOpenRead", testPutOpenRead},
		{"EmptyObject", testEmptyObject},
		{"DefaultContentType", testDefaultContentType},
		{"Overwrite", testOverwrite},
		{"FailedPutKeepsOld", testFailedPutKeepsOld},
		{"Stat", testStat},
		{"Missing", testMissing},
		{"Delete", testDelete},
		{"List", testList},
		{"ListStopsOnError", testListStopsOnError},
		{"UnknownSize", testUnknownSize},
		{"SeekAndRanges", testSeekAndRanges},
		{"InvalidKeys", testInvalidKeys},
		{"ConcurrentPuts", testConcurrentPuts},
		{"CancelledPut", testCancelledPut},
		{"Ping", testPing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

func testPutOpenRead(t *testing.T, s media.ObjectStore) {
	data := randomBytes(1, 100_000)
	before := time.Now().Add(-time.Minute) // servers' clocks and second-granularity times
	put(t, s, "a/b/c.txt", data, "text/plain; charset=utf-8")
	got, info := readAll(t, s, "a/b/c.txt")
	if !bytes.Equal(got, data) {
		t.Fatalf("read back %d bytes, differing from the %d put", len(got), len(data))
	}
	want := media.ObjectInfo{Key: "a/b/c.txt", Size: int64(len(data)), ContentType: "text/plain; charset=utf-8"}
	if info.Key != want.Key || info.Size != want.Size || info.ContentType != want.ContentType {
		t.Errorf("Info() = %+v, want key, size and content type of %+v", info, want)
	}
	if info.ETag == "" {
		t.Error("Info().ETag is empty")
	}
	if info.ModTime.Before(before) || info.ModTime.After(time.Now().Add(time.Minute)) {
		t.Errorf("Info().ModTime = %v, want about now", info.ModTime)
	}
}

func testEmptyObject(t *testing.T, s media.ObjectStore) {
	put(t, s, "empty", nil, "application/x-empty")
	got, info := readAll(t, s, "empty")
	if len(got) != 0 || info.Size != 0 {
		t.Errorf("read %d bytes, Size %d; want an empty object", len(got), info.Size)
	}
}

func testDefaultContentType(t *testing.T, s media.ObjectStore) {
	put(t, s, "no-type", []byte("x"), "")
	if info := stat(t, s, "no-type"); info.ContentType != media.DefaultContentType {
		t.Errorf("ContentType = %q, want %q", info.ContentType, media.DefaultContentType)
	}
}

func testOverwrite(t *testing.T, s media.ObjectStore) {
	put(t, s, "k", []byte("first version"), "text/plain")
	first := stat(t, s, "k")
	v2 := []byte(`{"second":"version, longer"}`)
	put(t, s, "k", v2, "application/json")
	got, info := readAll(t, s, "k")
	if !bytes.Equal(got, v2) || info.ContentType != "application/json" || info.Size != int64(len(v2)) {
		t.Errorf("after overwrite read %q (%+v), want %q as application/json", got, info, v2)
	}
	if info.ETag == first.ETag {
		t.Errorf("ETag %q unchanged by an overwrite with other content", info.ETag)
	}
}

// testFailedPutKeepsOld puts a body that breaks halfway: the old object must
// stay whole, and a new key must not appear.
func testFailedPutKeepsOld(t *testing.T, s media.ObjectStore) {
	ctx := t.Context()
	old := randomBytes(2, 1000)
	put(t, s, "k", old, "text/plain")
	broken := errors.New("connection reset")
	for _, tc := range []struct {
		name string
		body io.Reader
		size int64
	}{
		{"short body", bytes.NewReader(randomBytes(3, 500)), 1000},
		{"read error", io.MultiReader(bytes.NewReader(randomBytes(3, 500)), errReader{broken}), 1000},
		{"read error unknown size", io.MultiReader(bytes.NewReader(randomBytes(3, 500)), errReader{broken}), -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.Put(ctx, "k", tc.body, tc.size, "text/html"); err == nil {
				t.Fatal("Put with a broken body succeeded")
			}
			got, info := readAll(t, s, "k")
			if !bytes.Equal(got, old) || info.ContentType != "text/plain" {
				t.Errorf("after a failed Put read %d bytes as %q, want the old %d as text/plain", len(got), info.ContentType, len(old))
			}
		})
	}
	if err := s.Put(ctx, "new", io.MultiReader(bytes.NewReader([]byte("abc")), errReader{broken}), 10, "text/plain"); err == nil {
		t.Fatal("Put with a broken body succeeded")
	}
	if _, err := s.Stat(ctx, "new"); !core.IsCode(err, core.CodeNotFound) {
		t.Errorf("Stat of a key whose only Put failed: %v, want NOT_FOUND", err)
	}
}

func testStat(t *testing.T, s media.ObjectStore) {
	data := randomBytes(4, 4321)
	put(t, s, "dir/file.bin", data, "application/octet-stream")
	info := stat(t, s, "dir/file.bin")
	_, opened := readAll(t, s, "dir/file.bin")
	if info.Key != "dir/file.bin" || info.Size != 4321 || info.ContentType != "application/octet-stream" || info.ETag == "" {
		t.Errorf("Stat = %+v", info)
	}
	if info.ETag != opened.ETag || info.Size != opened.Size || info.ContentType != opened.ContentType {
		t.Errorf("Stat = %+v, but Open().Info() = %+v", info, opened)
	}
}

func testMissing(t *testing.T, s media.ObjectStore) {
	ctx := t.Context()
	put(t, s, "present/x", []byte("x"), "text/plain")
	for _, key := range []string{"absent", "present", "present/x/y", "presen"} {
		if o, err := s.Open(ctx, key); !core.IsCode(err, core.CodeNotFound) {
			if o != nil {
				o.Close()
			}
			t.Errorf("Open(%q) error = %v, want NOT_FOUND", key, err)
		}
		if _, err := s.Stat(ctx, key); !core.IsCode(err, core.CodeNotFound) {
			t.Errorf("Stat(%q) error = %v, want NOT_FOUND", key, err)
		}
	}
}

func testDelete(t *testing.T, s media.ObjectStore) {
	ctx := t.Context()
	put(t, s, "d/1", []byte("one"), "text/plain")
	put(t, s, "d/2", []byte("two"), "text/plain")
	for range 2 { // the second time the key is missing
		if err := s.Delete(ctx, "d/1"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
	}
	if err := s.Delete(ctx, "never/was"); err != nil {
		t.Errorf("Delete of a key never put: %v", err)
	}
	if _, err := s.Stat(ctx, "d/1"); !core.IsCode(err, core.CodeNotFound) {
		t.Errorf("Stat after Delete: %v, want NOT_FOUND", err)
	}
	if got := listKeys(t, s, ""); !slices.Equal(got, []string{"d/2"}) {
		t.Errorf("List after Delete = %q, want [d/2]", got)
	}
}

func testList(t *testing.T, s media.ObjectStore) {
	keys := []string{"p/1", "p/2.jpg", "p/sub/3", "p/sub/deeper/4", "pq/5", "other/6", "top"}
	for i, k := range keys {
		put(t, s, k, randomBytes(uint64(i), 10+i), "text/plain")
	}
	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"", keys},
		{"p/", []string{"p/1", "p/2.jpg", "p/sub/3", "p/sub/deeper/4"}},
		{"p", []string{"p/1", "p/2.jpg", "p/sub/3", "p/sub/deeper/4", "pq/5"}},
		{"p/sub/", []string{"p/sub/3", "p/sub/deeper/4"}},
		{"p/s", []string{"p/sub/3", "p/sub/deeper/4"}},
		{"p/2", []string{"p/2.jpg"}},
		{"top", []string{"top"}},
		{"nothing/", nil},
		{"top/", nil},
	} {
		t.Run(fmt.Sprintf("prefix=%q", tc.prefix), func(t *testing.T) {
			want := slices.Sorted(slices.Values(tc.want))
			if got := listKeys(t, s, tc.prefix); !slices.Equal(got, want) {
				t.Errorf("List(%q) = %q, want %q", tc.prefix, got, want)
			}
		})
	}
	// Listed infos agree with Stat, except ContentType which may be empty.
	err := s.List(t.Context(), "p/sub/deeper/", func(info media.ObjectInfo) error {
		st := stat(t, s, info.Key)
		if info.Size != st.Size || info.ETag != st.ETag || info.ModTime.IsZero() {
			t.Errorf("List gave %+v, Stat %+v", info, st)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
}

func testListStopsOnError(t *testing.T, s media.ObjectStore) {
	for i := range 5 {
		put(t, s, fmt.Sprintf("s/%d", i), []byte("x"), "text/plain")
	}
	stop := errors.New("stop")
	calls := 0
	err := s.List(t.Context(), "s/", func(media.ObjectInfo) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("List returned %v after %d calls, want fn's error after 1", err, calls)
	}
}

func testUnknownSize(t *testing.T, s media.ObjectStore) {
	data := randomBytes(5, unknownSizeBytes)
	// A reader that is neither a Seeker nor a ReaderAt, like a request body.
	body := io.MultiReader(bytes.NewReader(data))
	if err := s.Put(t.Context(), "big/unknown", body, -1, "image/jpeg"); err != nil {
		t.Fatalf("Put of unknown size: %v", err)
	}
	got, info := readAll(t, s, "big/unknown")
	if !bytes.Equal(got, data) || info.Size != int64(len(data)) || info.ContentType != "image/jpeg" {
		t.Errorf("read back %d bytes (info %+v), want the %d put", len(got), info, len(data))
	}
}

func testSeekAndRanges(t *testing.T, s media.ObjectStore) {
	data := randomBytes(6, 10_000)
	put(t, s, "seek", data, "application/pdf")
	o, err := s.Open(t.Context(), "seek")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer o.Close()
	steps := []struct {
		offset int64
		whence int
		n      int
		wantAt int64
	}{
		{100, io.SeekStart, 10, 100},
		{0, io.SeekCurrent, 5, 110},
		{-4, io.SeekEnd, 4, 9996},
		{1234, io.SeekStart, 1, 1234},
		{-20, io.SeekCurrent, 20, 1215},
		{0, io.SeekStart, 3, 0},
	}
	for _, st := range steps {
		pos, err := o.Seek(st.offset, st.whence)
		if err != nil || pos != st.wantAt {
			t.Fatalf("Seek(%d, %d) = %d, %v; want %d", st.offset, st.whence, pos, err, st.wantAt)
		}
		buf := make([]byte, st.n)
		if _, err := io.ReadFull(o, buf); err != nil {
			t.Fatalf("read %d bytes at %d: %v", st.n, pos, err)
		}
		if want := data[pos : pos+int64(st.n)]; !bytes.Equal(buf, want) {
			t.Errorf("at %d read %x, want %x", pos, buf, want)
		}
	}
	if _, err := o.Seek(0, io.SeekEnd); err != nil {
		t.Fatalf("Seek to end: %v", err)
	}
	if n, err := o.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Errorf("Read at end = %d, %v; want 0, EOF", n, err)
	}

	// What the media handler does: serve a Range request from the object.
	if _, err := o.Seek(0, io.SeekStart); err != nil {
		t.Fatalf("Seek: %v", err)
	}
	req := httptest.NewRequest(http.MethodGet, "/media/seek", nil)
	req.Header.Set("Range", "bytes=500-599")
	rec := httptest.NewRecorder()
	http.ServeContent(rec, req, "seek", o.Info().ModTime, o)
	if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), data[500:600]) {
		t.Errorf("Range 500-599: status %d, %d bytes; want 206 and the 100 bytes", rec.Code, rec.Body.Len())
	}
}

func testInvalidKeys(t *testing.T, s media.ObjectStore) {
	ctx := t.Context()
	for _, key := range []string{"", "/abs", "a/../b", "..", "../up", "a/..", ".", "a/./b", "a\\b", "a\x00b", "a//b", "a/", "\xff", strings.Repeat("k", media.MaxKeyLen+1)} {
		if err := s.Put(ctx, key, bytes.NewReader([]byte("x")), 1, "text/plain"); !core.IsCode(err, core.CodeBadUserInput) {
			t.Errorf("Put(%q) error = %v, want BAD_USER_INPUT", key, err)
		}
		if _, err := s.Open(ctx, key); !core.IsCode(err, core.CodeBadUserInput) {
			t.Errorf("Open(%q) error = %v, want BAD_USER_INPUT", key, err)
		}
		if _, err := s.Stat(ctx, key); !core.IsCode(err, core.CodeBadUserInput) {
			t.Errorf("Stat(%q) error = %v, want BAD_USER_INPUT", key, err)
		}
		if err := s.Delete(ctx, key); !core.IsCode(err, core.CodeBadUserInput) {
			t.Errorf("Delete(%q) error = %v, want BAD_USER_INPUT", key, err)
		}
	}
	for _, prefix := range []string{"/", "../", "a/../", "a\\", "a//"} {
		err := s.List(ctx, prefix, func(media.ObjectInfo) error { return nil })
		if !core.IsCode(err, core.CodeBadUserInput) {
			t.Errorf("List(%q) error = %v, want BAD_USER_INPUT", prefix, err)
		}
	}
	if got := listKeys(t, s, ""); len(got) != 0 {
		t.Errorf("invalid keys left objects behind: %q", got)
	}
}

func testConcurrentPuts(t *testing.T, s media.ObjectStore) {
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			data := randomBytes(uint64(100+i), 1000*(i+1))
			errs[i] = s.Put(t.Context(), fmt.Sprintf("c/%02d", i), bytes.NewReader(data), int64(len(data)), "text/plain")
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Put %d: %v", i, err)
		}
		got, _ := readAll(t, s, fmt.Sprintf("c/%02d", i))
		if !bytes.Equal(got, randomBytes(uint64(100+i), 1000*(i+1))) {
			t.Errorf("c/%02d holds other bytes than were put", i)
		}
	}
}

func testCancelledPut(t *testing.T, s media.ObjectStore) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Put(ctx, "cancelled", bytes.NewReader([]byte("x")), 1, "text/plain"); err == nil {
		t.Fatal("Put with a cancelled context succeeded")
	}
	if _, err := s.Stat(t.Context(), "cancelled"); !core.IsCode(err, core.CodeNotFound) {
		t.Errorf("Stat after a cancelled Put: %v, want NOT_FOUND", err)
	}
}

func testPing(t *testing.T, s media.ObjectStore) {
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func put(t *testing.T, s media.ObjectStore, key string, data []byte, contentType string) {
	t.Helper()
	if err := s.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), contentType); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func stat(t *testing.T, s media.ObjectStore, key string) media.ObjectInfo {
	t.Helper()
	info, err := s.Stat(t.Context(), key)
	if err != nil {
		t.Fatalf("Stat(%q): %v", key, err)
	}
	return info
}

func readAll(t *testing.T, s media.ObjectStore, key string) ([]byte, media.ObjectInfo) {
	t.Helper()
	o, err := s.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer o.Close()
	b, err := io.ReadAll(o)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return b, o.Info()
}

func listKeys(t *testing.T, s media.ObjectStore, prefix string) []string {
	t.Helper()
	var keys []string
	err := s.List(t.Context(), prefix, func(info media.ObjectInfo) error {
		keys = append(keys, info.Key)
		return nil
	})
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	slices.Sort(keys)
	return keys
}

// randomBytes returns n bytes that depend only on seed.
func randomBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)}).Read(b)
	return b
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
