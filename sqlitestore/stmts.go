package sqlitestore

import (
	"context"
	"database/sql"
	"sync"
)

// maxStmts bounds the prepared statements kept. The store's queries come
// in a few dozen shapes (their text never holds values: those are
// arguments); a search of many words or a batch of terms makes more, which
// run unprepared once the cache is full.
const maxStmts = 256

// stmtCache keeps one prepared statement per query text. The pure-Go
// SQLite parses and plans a statement's text each time it is prepared,
// which was about half of a short read's cost; a *sql.Stmt is prepared
// once per connection of the pool (database/sql does that lazily) and
// then only bound and stepped.
type stmtCache struct {
	mu     sync.RWMutex
	m      map[string]*sql.Stmt
	closed bool
}

// get returns the statement for q, preparing it on first use, or nil when
// it cannot be kept (the cache is full or closed, or preparing failed: the
// caller then runs q unprepared, which reports the error if it is q's).
func (c *stmtCache) get(ctx context.Context, db *sql.DB, q string) *sql.Stmt {
	c.mu.RLock()
	st, ok := c.m[q]
	full := c.closed || len(c.m) >= maxStmts
	c.mu.RUnlock()
	if ok {
		return st
	}
	if full {
		return nil
	}
	st, err := db.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[q]; ok || c.closed || len(c.m) >= maxStmts {
		st.Close()
		return old // nil unless another caller kept one meanwhile
	}
	if c.m == nil {
		c.m = make(map[string]*sql.Stmt)
	}
	c.m[q] = st
	return st
}

// close closes every kept statement; later calls of get return nil.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m, c.closed = nil, true
}
