package httpapi

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// TestResponseCacheBoundedByBytes: the kept answers never weigh more than
// the bound, and expired ones are dropped without further traffic.
func TestResponseCacheBoundedByBytes(t *testing.T) {
	c := newResponseCacheTTL(nil, 4<<20, 300*time.Millisecond)
	body := bytes.Repeat([]byte("x"), 900<<10)
	for i := range 100 {
		key := fmt.Sprintf("q%d", i)
		c.put(&cachedResponse{key: key, body: body, expires: time.Now().Add(time.Minute)})
		c.entries.CleanUp()
		if w := c.entries.WeightedSize(); w > 4<<20 {
			t.Fatalf("after %d answers the cache weighs %d bytes (bound %d)", i+1, w, 4<<20)
		}
	}
	if c.entries.EstimatedSize() == 0 {
		t.Error("nothing was kept")
	}
	deadline := time.Now().Add(10 * time.Second)
	for c.entries.EstimatedSize() > 0 || c.entries.WeightedSize() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("10 s after expiry the cache still holds %d entries, %d bytes", c.entries.EstimatedSize(), c.entries.WeightedSize())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
