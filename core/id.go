package core

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"time"
)

var (
	idMu   sync.Mutex
	idLast [12]byte
)

// NewID returns a new 24-hex-digit ID. The first six bytes are the time in
// milliseconds, so IDs sort by creation time; within one process IDs are
// strictly increasing even within a millisecond.
func NewID() string {
	var b [12]byte
	binary.BigEndian.PutUint64(b[0:8], uint64(time.Now().UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	idMu.Lock()
	if string(b[:]) <= string(idLast[:]) {
		b = idLast
		for i := len(b) - 1; i >= 0; i-- {
			b[i]++
			if b[i] != 0 {
				break
			}
		}
	}
	idLast = b
	idMu.Unlock()
	return hex.EncodeToString(b[:])
}
