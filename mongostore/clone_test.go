package mongostore

import (
	"reflect"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
)

// TestCloneDocShares: a clone equals its original and shares no slice,
// pointer or map with it, for each content document type, every field set.
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
		Blocks:       []core.Block{{Kind: core.BlockImage, AssetIDs: []string{"a", "b"}}, {Kind: core.BlockGallery, GalleryID: "g"}},
		SearchTokens: []string{"z"}, CreatedAt: now,
	})
	for _, tc := range []struct {
		name      string
		orig, cpy any
	}{
		{"asset", asset, ptrTo(cloneDoc(asset))},
		{"gallery", gallery, ptrTo(cloneDoc(gallery))},
		{"article", article, ptrTo(cloneDoc(article))},
	} {
		if !reflect.DeepEqual(tc.orig, tc.cpy) {
			t.Errorf("%s: clone differs:\n%+v\n%+v", tc.name, tc.orig, tc.cpy)
		}
		n := sharedRefs(reflect.ValueOf(tc.orig).Elem(), reflect.ValueOf(tc.cpy).Elem(), tc.name)
		for _, where := range n {
			t.Errorf("clone shares %s with the original", where)
		}
	}
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
