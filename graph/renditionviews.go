package graph

import (
	"sync"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/graph/model"
)

// assetView is what the API shows of an asset's renditions: the lists by
// format with URLs, the srcsets, the <picture> sources and the social
// image. It depends only on the stored asset (its ID and version: every
// change of an asset bumps its version), so it is made once and shared by
// every answer that shows that version: a front page shows each photo many
// times (covers, gallery items) and is read over and over. The values are
// only read (by the executor), never changed.
type assetView struct {
	version int
	// By format: "" (the JPEG/PNG set), "jpeg", "png", "webp".
	renditions map[string][]*model.Rendition
	srcset     map[string]string
	sources    []*model.ImageSource
	social     *model.Rendition
}

// viewFormats are the keys of an assetView's maps.
var viewFormats = []string{"", "jpeg", "png", core.FormatWebP}

// formatKey is the assetView key of a GraphQL format argument.
func formatKey(f *model.ImageFormat) string {
	if f == nil {
		return ""
	}
	switch *f {
	case model.ImageFormatJpeg:
		return "jpeg"
	case model.ImageFormatPng:
		return "png"
	case model.ImageFormatWebp:
		return core.FormatWebP
	}
	return ""
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

// assetView returns the view of obj's renditions.
func (r *Resolver) assetView(obj *core.Asset) *assetView {
	return r.views.view(obj, func(a *core.Asset) *assetView {
		v := &assetView{renditions: map[string][]*model.Rendition{}, srcset: map[string]string{}}
		all := make([]model.Rendition, len(a.Renditions))
		byRendition := map[*core.Rendition]*model.Rendition{}
		for i := range a.Renditions {
			all[i] = model.Rendition{Rendition: a.Renditions[i], URL: r.App.RenditionURL(a.ID, &a.Renditions[i])}
			byRendition[&a.Renditions[i]] = &all[i]
		}
		for _, f := range viewFormats {
			list := []*model.Rendition{}
			for _, cr := range app.RenditionsIn(a, f) {
				list = append(list, byRendition[cr])
			}
			v.renditions[f] = list
			v.srcset[f] = r.App.Srcset(a, f)
		}
		for _, s := range r.App.Sources(a) {
			v.sources = append(v.sources, &model.ImageSource{Type: s.Type, Srcset: s.Srcset})
		}
		if v.sources == nil {
			v.sources = []*model.ImageSource{}
		}
		v.social = byRendition[app.SocialRendition(a)]
		return v
	})
}
