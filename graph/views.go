package graph

import (
	"sync"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/graph/model"
)

// assetView is what the API shows of an asset's renditions: the list with
// URLs, and the srcset. It depends only on the stored asset (its ID and
// version: every change of an asset bumps its version), so it is made once
// and shared by every answer that shows that version: a front page shows
// each photo many times (covers, gallery items) and is read over and over.
// The values are only read (by the executor), never changed.
type assetView struct {
	version    int
	renditions []*model.Rendition
	srcset     string
}

// viewCacheSize bounds the views kept; when full the cache starts over.
const viewCacheSize = 4096

type viewCache struct {
	mu sync.Mutex
	m  map[string]*assetView
}

// view returns the view of a, made by build when it is not cached.
func (c *viewCache) view(a *core.Asset, build func(*core.Asset) *assetView) *assetView {
	c.mu.Lock()
	v, ok := c.m[a.ID]
	c.mu.Unlock()
	if ok && v.version == a.Version {
		return v
	}
	v = build(a)
	v.version = a.Version
	c.mu.Lock()
	if c.m == nil || len(c.m) >= viewCacheSize {
		c.m = map[string]*assetView{}
	}
	c.m[a.ID] = v
	c.mu.Unlock()
	return v
}

// assetView returns the renditions and srcset of obj.
func (r *Resolver) assetView(obj *core.Asset) *assetView {
	return r.views.view(obj, func(a *core.Asset) *assetView {
		out := make([]*model.Rendition, len(a.Renditions))
		for i := range a.Renditions {
			out[i] = &model.Rendition{Rendition: a.Renditions[i], URL: r.App.RenditionURL(a.ID, &a.Renditions[i])}
		}
		return &assetView{renditions: out, srcset: r.App.Srcset(a)}
	})
}
