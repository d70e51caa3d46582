//go:build !unix

package media

import "github.com/tetratelabs/wazero/experimental"

// newWasmMemory returns heap memory capped at limit bytes: this system
// has no mmap.
func newWasmMemory(limit uint64) experimental.LinearMemory {
	return &heapMemory{limit: limit}
}
