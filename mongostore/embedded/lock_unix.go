//go:build unix

package embedded

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockFolder takes an exclusive lock on dir's lock file, held until the
// returned function runs or the process ends. A second process (a server,
// or a command such as `stillroom gc`) on the same folder gets ErrInUse at
// once: the embedded database has one user at a time, which is what lets
// the store serialize conditional writes and keep documents in memory.
func lockFolder(dir string) (unlock func(), err error) {
	name := filepath.Join(dir, "stillroom.lock")
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrInUse, dir)
		}
		return nil, fmt.Errorf("embedded: lock %s: %w", name, err)
	}
	return func() { f.Close() }, nil
}
