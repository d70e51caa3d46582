package mongostore

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
)

// TestCloneDocShares: a copy equals its original and shares no slice,
// pointer or map with it, for each content document type with every field
// set (by reflection, so a field added later is covered), both by the
// types' own clone methods (copyDoc) and by the reflective cloneDoc.
func TestCloneDocShares(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	asset := toAssetDoc(&core.Asset{
		ID: "a", Status: core.AssetReady, Filename: "x.jpg", SHA256: "s", Tags: []string{"t1", "t2"},
		TakenAt: &now, Timecode: &core.Timecode{Seconds: 4, Frames: 21, Still: 120},
		Camera: &core.Camera{Make: "Canon"}, Location: &core.GeoPoint{Lat: 1, Lng: 2},
		FocalPoint: &core.FocalPoint{X: 0.5, Y: 0.5}, Renditions: []core.Rendition{{Name: "w256"}, {Name: "w512"}},
		SearchTokens: []string{"x"}, CreatedAt: now, UpdatedAt: now,
	})
	gallery := toGalleryDoc(&core.Gallery{
		ID: "g", Slug: "g", Publication: core.Publication{Status: core.StatusPublished, PublishAt: &now, PublishedAt: &now},
		Items: []core.GalleryItem{{ID: "i", AssetID: "a", Caption: "c"}}, SearchTokens: []string{"y"}, CreatedAt: now,
	})
	article := toArticleDoc(&core.Article{
		ID: "r", Slug: "r", Tags: []string{"t"}, Publication: core.Publication{Status: core.StatusPublished, PublishAt: &now},
		Blocks: []core.Block{{Kind: core.BlockImage, AssetIDs: []string{"a", "b"}, Overrides: []core.ImageOverride{{Caption: "c"}, {Credit: "d"}}},
			{Kind: core.BlockGallery, GalleryID: "g"}},
		SearchTokens: []string{"z"}, CreatedAt: now,
	})
	var full struct {
		Asset   assetDoc
		Gallery galleryDoc
		Article articleDoc
	}
	n := 0
	fillAll(reflect.ValueOf(&full).Elem(), &n)
	for _, tc := range []struct {
		name      string
		orig, cpy any
	}{
		{"asset", asset, ptrTo(cloneDoc(asset))},
		{"gallery", gallery, ptrTo(cloneDoc(gallery))},
		{"article", article, ptrTo(cloneDoc(article))},
		{"asset, copyDoc", asset, ptrTo(copyDoc(asset))},
		{"gallery, copyDoc", gallery, ptrTo(copyDoc(gallery))},
		{"article, copyDoc", article, ptrTo(copyDoc(article))},
		{"every asset field", &full.Asset, ptrTo(copyDoc(&full.Asset))},
		{"every gallery field", &full.Gallery, ptrTo(copyDoc(&full.Gallery))},
		{"every article field", &full.Article, ptrTo(copyDoc(&full.Article))},
		{"every asset field, cloneDoc", &full.Asset, ptrTo(cloneDoc(&full.Asset))},
		{"every gallery field, cloneDoc", &full.Gallery, ptrTo(cloneDoc(&full.Gallery))},
		{"every article field, cloneDoc", &full.Article, ptrTo(cloneDoc(&full.Article))},
	} {
		if !reflect.DeepEqual(tc.orig, tc.cpy) {
			t.Errorf("%s: clone differs:\n%+v\n%+v", tc.name, tc.orig, tc.cpy)
		}
		n := sharedRefs(reflect.ValueOf(tc.orig).Elem(), reflect.ValueOf(tc.cpy).Elem(), tc.name)
		for _, where := range n {
			t.Errorf("clone shares %s with the original", where)
		}
	}
	for _, d := range []any{&full.Asset, &full.Gallery, &full.Article} {
		if empty := zeroFields(reflect.ValueOf(d).Elem(), reflect.TypeOf(d).Elem().Name()); len(empty) > 0 {
			t.Errorf("fillAll left %v unset", empty)
		}
	}
}

// fillAll sets every exported field of v, at any depth, to a value that
// is not zero, different from the others: pointers point, slices have two
// elements.
func fillAll(v reflect.Value, n *int) {
	*n++
	if v.Type() == reflect.TypeFor[time.Time]() {
		v.Set(reflect.ValueOf(time.Unix(int64(*n), 0).UTC()))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprint("s", *n))
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*n))
	case reflect.Float64:
		v.SetFloat(float64(*n) + 0.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillAll(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fillAll(v.Index(i), n)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillAll(v.Field(i), n)
			}
		}
	default:
		panic("fillAll: no value for " + v.Type().String())
	}
}

// zeroFields lists the exported fields of v left at their zero value.
func zeroFields(v reflect.Value, path string) []string {
	if v.IsZero() {
		return []string{path}
	}
	var out []string
	switch v.Kind() {
	case reflect.Pointer:
		out = zeroFields(v.Elem(), path)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return nil
		}
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				out = append(out, zeroFields(v.Field(i), path+"."+f.Name)...)
			}
		}
	}
	return out
}

func ptrTo[T any](v T) *T { return &v }

// sharedRefs lists the places where a and b point at the same memory.
func sharedRefs(a, b reflect.Value, path string) []string {
	var out []string
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return nil
		}
		if a.Pointer() == b.Pointer() {
			out = append(out, path)
		}
		return append(out, sharedRefs(a.Elem(), b.Elem(), path)...)
	case reflect.Slice:
		if a.Len() == 0 {
			return nil
		}
		if a.Pointer() == b.Pointer() {
			out = append(out, path)
		}
		for i := range a.Len() {
			out = append(out, sharedRefs(a.Index(i), b.Index(i), path+"[]")...)
		}
	case reflect.Struct:
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() {
				out = append(out, sharedRefs(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)...)
			}
		}
	}
	return out
}
