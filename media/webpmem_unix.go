//go:build unix

package media

import (
	"syscall"

	"github.com/tetratelabs/wazero/experimental"
)

// mmapMemory is a WebAssembly instance's linear memory in an anonymous
// private mapping of its greatest size, reserved but not committed: the
// system supplies zeroed pages as they are first touched, growing never
// copies, and Free gives every page back at once. Go's heap never holds
// it, so it costs no garbage collection and no heap headroom.
type mmapMemory struct {
	mem []byte // the whole mapping; nil once freed or if mmap failed
}

// newWasmMemory reserves limit bytes (rounded up to a 64 KiB WebAssembly
// page). When the reservation fails (a 32-bit address space, a strict
// overcommit policy), it falls back to memory from Go's heap.
func newWasmMemory(limit uint64) experimental.LinearMemory {
	limit = (limit + 0xFFFF) &^ 0xFFFF
	mem, err := syscall.Mmap(-1, 0, int(limit), syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON|mapNoReserve)
	if err != nil {
		return &heapMemory{limit: limit}
	}
	return &mmapMemory{mem: mem}
}

// Reallocate implements experimental.LinearMemory: the memory's first
// size bytes, or nil (the module's memory.grow fails) beyond the limit.
func (m *mmapMemory) Reallocate(size uint64) []byte {
	if m.mem == nil || size > uint64(len(m.mem)) {
		return nil
	}
	return m.mem[:size:size]
}

// Free implements experimental.LinearMemory.
func (m *mmapMemory) Free() {
	if m.mem != nil {
		_ = syscall.Munmap(m.mem)
		m.mem = nil
	}
}
