// Package localstore is a media.ObjectStore on the local filesystem, for
// development and single-node installs.
//
// Layout under the root directory:
//
//	objects/<key>       the object's bytes, browsable as plain files
//	meta/<key>.json     sidecar: content type, ETag (hex SHA-256), size, time
//	tmp/                uploads in progress, renamed into place when complete
//
// Put is atomic for readers of the same Store: the data and sidecar renames
// happen under a per-key lock that Open also takes. Another process sharing
// the directory still never sees partial bytes (rename is atomic), but may
// briefly pair new bytes with the old sidecar (Open recomputes the info from
// the bytes when their sizes differ).
package localstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"mime"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/media"
)

var _ media.ObjectStore = (*Store)(nil)

// lockStripes is how many locks the keys share; more means fewer unrelated
// keys waiting on each other.
const lockStripes = 64

// Store keeps objects as files under a root directory. It is safe for
// concurrent use.
type Store struct {
	objects, meta, tmp string
	locks              [lockStripes]sync.RWMutex
}

// sidecar is the JSON kept next to each object.
type sidecar struct {
	ContentType string    `json:"contentType"`
	ETag        string    `json:"etag"`
	Size        int64     `json:"size"`
	ModTime     time.Time `json:"modTime"`
}

// New returns a Store rooted at dir, creating the directories it needs.
func New(dir string) (*Store, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("localstore: %w", err)
	}
	s := &Store{
		objects: filepath.Join(root, "objects"),
		meta:    filepath.Join(root, "meta"),
		tmp:     filepath.Join(root, "tmp"),
	}
	for _, d := range []string{s.objects, s.meta, s.tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("localstore: %w", err)
		}
	}
	return s, nil
}

// Put stores r under key: it writes and fsyncs temporary files, then renames
// them into place. Errors: core.CodeBadUserInput for an invalid key,
// core.CodeConflict when key is already a prefix of other keys or has an
// object as a prefix ("a" and "a/b" cannot both exist on a filesystem).
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := media.ValidateKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("localstore: put %s: %w", key, err)
	}
	if contentType == "" {
		contentType = media.DefaultContentType
	}
	dataTmp, meta, err := s.writeData(ctx, r, size)
	if err != nil {
		return fmt.Errorf("localstore: put %s: %w", key, err)
	}
	meta.ContentType = contentType
	metaTmp, err := s.writeSidecar(meta)
	if err != nil {
		os.Remove(dataTmp)
		return fmt.Errorf("localstore: put %s: %w", key, err)
	}
	if err := s.install(key, dataTmp, metaTmp); err != nil {
		os.Remove(dataTmp)
		os.Remove(metaTmp)
		return conflictOr(key, fmt.Errorf("localstore: put %s: %w", key, err))
	}
	return nil
}

// install renames the finished temporary files into place under the key's
// lock and fsyncs their directories.
func (s *Store) install(key, dataTmp, metaTmp string) error {
	dataPath, metaPath := s.paths(key)
	for _, p := range []string{dataPath, metaPath} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
	}
	mu := s.lock(key)
	mu.Lock()
	err := os.Rename(dataTmp, dataPath)
	if err == nil {
		err = os.Rename(metaTmp, metaPath)
	}
	mu.Unlock()
	if err != nil {
		return err
	}
	if err := syncDir(filepath.Dir(dataPath)); err != nil {
		return err
	}
	return syncDir(filepath.Dir(metaPath))
}

// writeData copies r (exactly size bytes unless size is negative) to a
// fsynced temporary file, hashing as it goes.
func (s *Store) writeData(ctx context.Context, r io.Reader, size int64) (name string, meta sidecar, err error) {
	f, err := os.CreateTemp(s.tmp, "data-*")
	if err != nil {
		return "", meta, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if size >= 0 {
		r = io.LimitReader(r, size)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), ctxReader{ctx, r})
	if err != nil {
		return "", meta, err
	}
	if size >= 0 && n != size {
		return "", meta, fmt.Errorf("read %d of %d bytes: %w", n, size, io.ErrUnexpectedEOF)
	}
	if err = f.Sync(); err != nil {
		return "", meta, err
	}
	if err = f.Close(); err != nil {
		return "", meta, err
	}
	meta = sidecar{ETag: hex.EncodeToString(h.Sum(nil)), Size: n, ModTime: time.Now().UTC()}
	return f.Name(), meta, nil
}

// writeSidecar writes meta to a fsynced temporary file.
func (s *Store) writeSidecar(meta sidecar) (string, error) {
	b, err := json.Marshal(meta)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(s.tmp, "meta-*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// Open opens the object under key. Errors: core.CodeNotFound when missing,
// core.CodeBadUserInput for an invalid key.
func (s *Store) Open(ctx context.Context, key string) (media.Object, error) {
	if err := media.ValidateKey(key); err != nil {
		return nil, err
	}
	dataPath, metaPath := s.paths(key)
	mu := s.lock(key)
	mu.RLock()
	f, err := os.Open(dataPath)
	var metaBytes []byte
	if err == nil {
		metaBytes, _ = os.ReadFile(metaPath) // a missing sidecar is recovered from below
	}
	mu.RUnlock()
	if err != nil {
		return nil, notFoundOr(key, fmt.Errorf("localstore: open %s: %w", key, err))
	}
	info, err := objectInfo(key, f, metaBytes)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &object{File: f, info: info}, nil
}

// objectInfo describes the open file f from its sidecar, or from the file
// itself when the sidecar is missing or does not match (after a crash
// between the two renames, or files copied in by hand).
func objectInfo(key string, f *os.File, metaBytes []byte) (media.ObjectInfo, error) {
	st, err := f.Stat()
	if err != nil {
		return media.ObjectInfo{}, fmt.Errorf("localstore: open %s: %w", key, err)
	}
	if !st.Mode().IsRegular() {
		// A directory: key is only a prefix of other keys.
		return media.ObjectInfo{}, core.Errorf(core.CodeNotFound, "object %s not found", key)
	}
	var meta sidecar
	if json.Unmarshal(metaBytes, &meta) == nil && meta.Size == st.Size() && meta.ETag != "" {
		return media.ObjectInfo{Key: key, Size: meta.Size, ContentType: meta.ContentType, ModTime: meta.ModTime, ETag: meta.ETag}, nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return media.ObjectInfo{}, fmt.Errorf("localstore: open %s: %w", key, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return media.ObjectInfo{}, fmt.Errorf("localstore: open %s: %w", key, err)
	}
	ctype := mime.TypeByExtension(path.Ext(key))
	if ctype == "" {
		ctype = media.DefaultContentType
	}
	return media.ObjectInfo{Key: key, Size: st.Size(), ContentType: ctype, ModTime: st.ModTime().UTC(), ETag: hex.EncodeToString(h.Sum(nil))}, nil
}

// Stat describes the object under key. Errors: core.CodeNotFound when
// missing, core.CodeBadUserInput for an invalid key.
func (s *Store) Stat(ctx context.Context, key string) (media.ObjectInfo, error) {
	o, err := s.Open(ctx, key)
	if err != nil {
		return media.ObjectInfo{}, err
	}
	defer o.Close()
	return o.Info(), nil
}

// Delete removes the object under key; a missing key is not an error.
// Errors: core.CodeBadUserInput for an invalid key.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := media.ValidateKey(key); err != nil {
		return err
	}
	dataPath, metaPath := s.paths(key)
	mu := s.lock(key)
	mu.Lock()
	defer mu.Unlock()
	// Lstat first: os.Remove would also remove an empty directory, which is
	// a prefix here, not an object.
	if st, err := os.Lstat(dataPath); err == nil && st.Mode().IsRegular() {
		if err := os.Remove(dataPath); err != nil && !missing(err) {
			return fmt.Errorf("localstore: delete %s: %w", key, err)
		}
	}
	if err := os.Remove(metaPath); err != nil && !missing(err) {
		return fmt.Errorf("localstore: delete %s: %w", key, err)
	}
	return nil
}

// List calls fn for every object whose key starts with prefix. Errors:
// core.CodeBadUserInput for an invalid prefix, or fn's error as it is.
func (s *Store) List(ctx context.Context, prefix string, fn func(media.ObjectInfo) error) error {
	if err := media.ValidatePrefix(prefix); err != nil {
		return err
	}
	// Walk only the deepest directory the prefix names in full.
	start := s.objects
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		start = filepath.Join(s.objects, filepath.FromSlash(prefix[:i]))
	}
	var fnErr error
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if missing(err) {
				return nil // removed while walking, or no such prefix
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(s.objects, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if d.IsDir() {
			if p != start && !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := s.Stat(ctx, key)
		if core.IsCode(err, core.CodeNotFound) {
			return nil // deleted while walking
		}
		if err != nil {
			return err
		}
		fnErr = fn(info)
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("localstore: list %q: %w", prefix, err)
	}
	return nil
}

// Ping reports whether the objects directory is there.
func (s *Store) Ping(ctx context.Context) error {
	st, err := os.Stat(s.objects)
	if err != nil {
		return fmt.Errorf("localstore: ping: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("localstore: ping: %s is not a directory", s.objects)
	}
	return nil
}

// paths returns the data and sidecar paths of a valid key.
func (s *Store) paths(key string) (data, meta string) {
	p := filepath.FromSlash(key)
	return filepath.Join(s.objects, p), filepath.Join(s.meta, p+".json")
}

func (s *Store) lock(key string) *sync.RWMutex {
	h := fnv.New32a()
	h.Write([]byte(key))
	return &s.locks[h.Sum32()%lockStripes]
}

// object is an open file with the info it was opened with.
type object struct {
	*os.File
	info media.ObjectInfo
}

func (o *object) Info() media.ObjectInfo { return o.info }

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// missing reports whether err means a path does not exist, including when a
// parent is a file rather than a directory.
func missing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

func notFoundOr(key string, err error) error {
	if missing(err) {
		return core.WrapError(core.CodeNotFound, err, "object %s not found", key)
	}
	return err
}

// conflictOr translates the errors of a key clashing with a directory or of
// a parent clashing with a file.
func conflictOr(key string, err error) error {
	if errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EISDIR) ||
		errors.Is(err, syscall.EEXIST) || errors.Is(err, syscall.ENOTEMPTY) {
		return core.WrapError(core.CodeConflict, err, "object key %s clashes with another key's path", key)
	}
	return err
}
