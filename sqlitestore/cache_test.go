package sqlitestore

import (
	"reflect"
	"testing"
	"time"

	"github.com/stillroom/stillroom/core"
)

// fill sets every field of v, recursively, to a non-zero value: pointers
// point at filled values, slices hold two filled elements.
func fill(t *testing.T, v reflect.Value) {
	if v.Type() == reflect.TypeOf(time.Time{}) {
		v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int64:
		v.SetInt(7)
	case reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(t, v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			fill(t, v.Field(i))
		}
	default:
		t.Fatalf("fill: %s of kind %s is not handled: teach fill and the clones", v.Type(), v.Kind())
	}
}

// shares reports the first place where a and b (equal values) share memory.
func shares(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		return shares(a.Elem(), b.Elem(), path)
	case reflect.Slice:
		if a.Len() == 0 {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		for i := range a.Len() {
			if p := shares(a.Index(i), b.Index(i), path+"[i]"); p != "" {
				return p
			}
		}
	case reflect.Struct:
		for i := range a.NumField() {
			if p := shares(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	case reflect.Map, reflect.Chan, reflect.Func, reflect.Interface:
		return path + " (a " + a.Kind().String() + ": teach the clones)"
	}
	return ""
}

// TestClonesShareNothing: a cached document's copy is equal to it and
// shares no memory with it, for every field of each type (a field added
// to a core type later is filled too).
func TestClonesShareNothing(t *testing.T) {
	check := func(name string, orig any, clone func(any) any) {
		t.Helper()
		fill(t, reflect.ValueOf(orig).Elem())
		got := clone(orig)
		if !reflect.DeepEqual(got, orig) {
			t.Errorf("%s: the copy differs:\n%+v\n%+v", name, got, orig)
		}
		if p := shares(reflect.ValueOf(orig), reflect.ValueOf(got), name); p != "" {
			t.Errorf("%s: the copy shares %s", name, p)
		}
	}
	check("Asset", &core.Asset{}, func(v any) any { return cloneAsset(v.(*core.Asset)) })
	check("Gallery", &core.Gallery{}, func(v any) any { return cloneGallery(v.(*core.Gallery)) })
	check("Article", &core.Article{}, func(v any) any { return cloneArticle(v.(*core.Article)) })
}
