package mongostore_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/core/storetest"
	"github.com/stillroom/stillroom/mongostore"
	"github.com/stillroom/stillroom/mongostore/mongotest"
)

func TestMain(m *testing.M) { mongotest.Main(m) }

// newDB returns a store on a database of the test's own.
func newDB(tb testing.TB) *mongostore.DB {
	tb.Helper()
	return mongotest.Open(tb, mongostore.Config{})
}

// mustNil fails the test on err.
func mustNil(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// wantEqual fails the test unless got and want are deeply equal, showing
// both as JSON.
func wantEqual(tb testing.TB, got, want any) {
	tb.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		tb.Fatalf("got:\n%s\nwant:\n%s", g, w)
	}
}

// ids returns the IDs of items, in order.
func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

// The contract every core.Store meets.
func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) core.Store { return newDB(t) })
}

// Fixtures shared with the contract suite.
var (
	fullAsset   = storetest.FullAsset
	fullGallery = storetest.FullGallery
	fullArticle = storetest.FullArticle
)
