package media

// heapMemory is a WebAssembly instance's linear memory on Go's heap,
// grown by reallocation up to limit bytes: the fallback where memory
// cannot be mapped (see newWasmMemory).
type heapMemory struct {
	buf   []byte
	limit uint64
}

// Reallocate implements experimental.LinearMemory.
func (m *heapMemory) Reallocate(size uint64) []byte {
	if size > m.limit {
		return nil
	}
	if size > uint64(cap(m.buf)) {
		buf := make([]byte, size, min(m.limit, max(size, 2*uint64(cap(m.buf)))))
		copy(buf, m.buf)
		m.buf = buf
	}
	m.buf = m.buf[:size]
	return m.buf
}

// Free implements experimental.LinearMemory.
func (m *heapMemory) Free() { m.buf = nil }
