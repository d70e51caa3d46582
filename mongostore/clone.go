package mongostore

import (
	"reflect"
	"slices"
	"sync"
)

// copyDoc returns a deep copy of *d, as cloneDoc does, by the type's own
// clone method when it has one. The content documents have one: they are
// copied for every read from memory, and reflection made that a tenth of
// a front page's CPU. TestCloneDocShares fills every field of each of them
// and checks the copy equals the original and shares nothing with it, so a
// field added later and forgotten in its clone method fails there.
func copyDoc[D any](d *D) D {
	if c, ok := any(d).(interface{ clone() D }); ok {
		return c.clone()
	}
	return cloneDoc(d)
}

func (d *assetDoc) clone() assetDoc {
	c := *d
	c.Tags = slices.Clone(d.Tags)
	c.TakenAt = clonePtr(d.TakenAt)
	c.Timecode = clonePtr(d.Timecode)
	c.Camera = clonePtr(d.Camera)
	c.Location = clonePtr(d.Location)
	c.FocalPoint = clonePtr(d.FocalPoint)
	c.Renditions = slices.Clone(d.Renditions)
	c.SearchTokens = slices.Clone(d.SearchTokens)
	return c
}

func (d *galleryDoc) clone() galleryDoc {
	c := *d
	c.Publication = d.Publication.clone()
	c.Items = slices.Clone(d.Items)
	c.SearchTokens = slices.Clone(d.SearchTokens)
	return c
}

func (d *articleDoc) clone() articleDoc {
	c := *d
	c.Tags = slices.Clone(d.Tags)
	c.Publication = d.Publication.clone()
	if d.Blocks != nil {
		c.Blocks = make([]blockDoc, len(d.Blocks))
		for i, b := range d.Blocks {
			b.AssetIDs = slices.Clone(b.AssetIDs)
			b.Items = slices.Clone(b.Items)
			c.Blocks[i] = b
		}
	}
	c.SearchTokens = slices.Clone(d.SearchTokens)
	return c
}

func (d publicationDoc) clone() publicationDoc {
	d.PublishAt = clonePtr(d.PublishAt)
	d.PublishedAt = clonePtr(d.PublishedAt)
	return d
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// cloneDoc returns a deep copy of *d: slices, pointers and maps are new,
// so changing the copy never changes d. Strings and values without
// exported references (such as time.Time) are copied as they are; they
// cannot be changed in place.
func cloneDoc[D any](d *D) D {
	var out D
	deepCopy(reflect.ValueOf(&out).Elem(), reflect.ValueOf(d).Elem())
	return out
}

func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		deepCopy(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		if needsDeepCopy(src.Type().Elem()) {
			for i := range src.Len() {
				deepCopy(s.Index(i), src.Index(i))
			}
		} else {
			reflect.Copy(s, src)
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			v := reflect.New(src.Type().Elem()).Elem()
			deepCopy(v, it.Value())
			m.SetMapIndex(it.Key(), v)
		}
		dst.Set(m)
	case reflect.Struct:
		dst.Set(src)
		if !needsDeepCopy(src.Type()) {
			return
		}
		for i := range src.NumField() {
			if f := dst.Field(i); f.CanSet() && needsDeepCopy(f.Type()) {
				f.SetZero()
				deepCopy(f, src.Field(i))
			}
		}
	case reflect.Array:
		dst.Set(src)
		if needsDeepCopy(src.Type().Elem()) {
			for i := range src.Len() {
				deepCopy(dst.Index(i), src.Index(i))
			}
		}
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		v := reflect.New(src.Elem().Type()).Elem()
		deepCopy(v, src.Elem())
		dst.Set(v)
	default:
		dst.Set(src)
	}
}

var deepTypes sync.Map // reflect.Type → bool

// needsDeepCopy reports whether values of t hold references to memory
// that a plain copy would share: pointers, slices, maps or interfaces,
// themselves or in exported fields.
func needsDeepCopy(t reflect.Type) bool {
	if v, ok := deepTypes.Load(t); ok {
		return v.(bool)
	}
	deep := false
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		deep = true
	case reflect.Array:
		deep = needsDeepCopy(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && needsDeepCopy(f.Type) {
				deep = true
				break
			}
		}
	}
	deepTypes.Store(t, deep)
	return deep
}
