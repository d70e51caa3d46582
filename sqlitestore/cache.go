package sqlitestore

import (
	"slices"
	"sync"

	"github.com/stillroom/stillroom/core"
)

// maxCached bounds each collection's cache of decoded documents; a full
// cache drops a quarter of its entries (any) before adding one.
const maxCached = 20_000

// docCache keeps the documents of one collection as decoded from their
// JSON, by ID, with the version of the row they came from. Decoding JSON
// was most of a read's cost (the 20-article front page reads some 50
// documents), so a row whose version matches an entry is answered with a
// deep copy of it instead (callers may change what they get). Every write
// of a document increments its version, in this process or another, so a
// changed row never matches a stale entry (IDs are never reused: an
// insert always has a new one); a deleted row's entry is never asked for
// and is dropped when the cache fills.
type docCache[T any] struct {
	clone func(*T) *T
	mu    sync.Mutex
	m     map[string]cachedDoc[T]
}

type cachedDoc[T any] struct {
	version int
	v       *T
}

func newDocCache[T any](clone func(*T) *T) *docCache[T] {
	return &docCache[T]{clone: clone, m: map[string]cachedDoc[T]{}}
}

// get returns a copy of the cached document id decoded from a row of that
// version, or nil.
func (c *docCache[T]) get(id string, version int) *T {
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if !ok || e.version != version {
		return nil
	}
	return c.clone(e.v)
}

// put keeps a copy of v, decoded from a row of that version.
func (c *docCache[T]) put(id string, version int, v *T) {
	cp := c.clone(v)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCached {
		n := len(c.m) / 4
		for k := range c.m {
			if n == 0 {
				break
			}
			delete(c.m, k)
			n--
		}
	}
	c.m[id] = cachedDoc[T]{version: version, v: cp}
}

// The clones copy everything a caller could change through the value:
// slices, pointers and the slices inside slice elements.
// TestClonesShareNothing fills every field by reflection to check them.

func cloneAsset(a *core.Asset) *core.Asset {
	c := *a
	c.Tags = slices.Clone(a.Tags)
	c.TakenAt = clonePtr(a.TakenAt)
	c.Timecode = clonePtr(a.Timecode)
	c.Camera = clonePtr(a.Camera)
	c.Location = clonePtr(a.Location)
	c.FocalPoint = clonePtr(a.FocalPoint)
	c.Renditions = slices.Clone(a.Renditions)
	c.SearchTokens = slices.Clone(a.SearchTokens)
	return &c
}

func clonePublication(p core.Publication) core.Publication {
	p.PublishAt = clonePtr(p.PublishAt)
	p.PublishedAt = clonePtr(p.PublishedAt)
	return p
}

func cloneGallery(g *core.Gallery) *core.Gallery {
	c := *g
	c.Publication = clonePublication(g.Publication)
	c.Items = slices.Clone(g.Items)
	c.SearchTokens = slices.Clone(g.SearchTokens)
	return &c
}

func cloneArticle(a *core.Article) *core.Article {
	c := *a
	c.Tags = slices.Clone(a.Tags)
	c.Publication = clonePublication(a.Publication)
	if a.Blocks != nil {
		c.Blocks = make([]core.Block, len(a.Blocks))
		for i, b := range a.Blocks {
			b.AssetIDs = slices.Clone(b.AssetIDs)
			b.Overrides = slices.Clone(b.Overrides)
			c.Blocks[i] = b
		}
	}
	c.SearchTokens = slices.Clone(a.SearchTokens)
	return &c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
