package model

import "github.com/stillroom/stillroom/core"

// The views below are what the API shows of the stored types: the stored
// object (embedded, so its fields are the GraphQL fields of the same name)
// with the optional texts and numbers that are empty or zero shown as null,
// and lists that are never null. gqlgen binds the schema's fields to these
// fields (gqlgen.yml), so no resolver is written for them; fields that
// load or compute something keep their resolvers (graph/schema.resolvers.go).
// A view is made where a resolver hands a stored object to the executor
// (NewAsset, Assets, ...), pointing into the object, not copying it.

// Asset is the API's view of a core.Asset.
type Asset struct {
	*core.Asset
	Error, Caption, AltText, Credit, Copyright, Blurhash, DominantColor *string
	Width, Height                                                       *int
	Tags                                                                []string
	Camera                                                              *Camera
	Timecode                                                            *Timecode

	camera   Camera // what Camera points to, made with the view
	timecode Timecode
}

// Camera is the API's view of a core.Camera.
type Camera struct {
	Make, Model, Lens, ExposureTime *string
	FocalLength, Aperture           *float64
	ISO                             *int
}

// Timecode is the API's view of a core.Timecode.
type Timecode struct {
	*core.Timecode
	Still *int
}

// Article is the API's view of a core.Article.
type Article struct {
	*core.Article
	Summary, Section *string
	Tags             []string
}

// Gallery is the API's view of a core.Gallery.
type Gallery struct {
	*core.Gallery
	Description *string
}

// NewAsset returns the view of a; nil for nil.
func NewAsset(a *core.Asset) *Asset {
	if a == nil {
		return nil
	}
	v := new(Asset)
	v.Set(a)
	return v
}

// Assets returns the views of list, made in one allocation.
func Assets(list []*core.Asset) []*Asset {
	return views(list, (*Asset).Set)
}

// Set makes v the view of a (for views made inside other structures).
func (v *Asset) Set(a *core.Asset) {
	*v = Asset{Asset: a,
		Error: orNull(&a.Error), Caption: orNull(&a.Caption), AltText: orNull(&a.AltText), Credit: orNull(&a.Credit),
		Copyright: orNull(&a.Copyright), Blurhash: orNull(&a.Blurhash), DominantColor: orNull(&a.DominantColor),
		Width: orNull(&a.Width), Height: orNull(&a.Height), Tags: nonNil(a.Tags),
	}
	if c := a.Camera; c != nil {
		v.camera = Camera{Make: orNull(&c.Make), Model: orNull(&c.Model), Lens: orNull(&c.Lens), ExposureTime: orNull(&c.ExposureTime),
			FocalLength: orNull(&c.FocalLength), Aperture: orNull(&c.Aperture), ISO: orNull(&c.ISO)}
		v.Camera = &v.camera
	}
	if t := a.Timecode; t != nil {
		v.timecode = Timecode{Timecode: t, Still: orNull(&t.Still)}
		v.Timecode = &v.timecode
	}
}

// NewArticle returns the view of a; nil for nil.
func NewArticle(a *core.Article) *Article {
	if a == nil {
		return nil
	}
	v := new(Article)
	v.set(a)
	return v
}

// Articles returns the views of list, made in one allocation.
func Articles(list []*core.Article) []*Article {
	return views(list, (*Article).set)
}

func (v *Article) set(a *core.Article) {
	*v = Article{Article: a, Summary: orNull(&a.Summary), Section: orNull(&a.Section), Tags: nonNil(a.Tags)}
}

// NewGallery returns the view of g; nil for nil.
func NewGallery(g *core.Gallery) *Gallery {
	if g == nil {
		return nil
	}
	return &Gallery{Gallery: g, Description: orNull(&g.Description)}
}

// Galleries returns the views of list, made in one allocation.
func Galleries(list []*core.Gallery) []*Gallery {
	return views(list, func(v *Gallery, g *core.Gallery) { *v = Gallery{Gallery: g, Description: orNull(&g.Description)} })
}

// views makes the views of list (nil elements stay nil) in one allocation,
// and the list of pointers to them in another.
func views[T, V any](list []*T, set func(*V, *T)) []*V {
	if list == nil {
		return nil
	}
	vs := make([]V, len(list))
	out := make([]*V, len(list))
	for i, x := range list {
		if x != nil {
			set(&vs[i], x)
			out[i] = &vs[i]
		}
	}
	return out
}

// orNull returns p, or nil when *p is the zero value ("" or 0): null in
// the API.
func orNull[T comparable](p *T) *T {
	var zero T
	if *p == zero {
		return nil
	}
	return p
}

// nonNil returns s, or an empty list for nil (the API's lists are never
// null).
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
