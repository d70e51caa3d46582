package main

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// uploadStills uploads n small distinct stills named by timecode and
// returns their ids in upload order.
func uploadStills(t *testing.T, s *testServer, token string, names []string) []any {
	t.Helper()
	ids := make([]any, len(names))
	for i, n := range names {
		ids[i] = dig(s.upload(t, token, n, photoJPEG(t, 160, 90, uint8(i*17+3)), "id").Data, "uploadAsset", "id")
		if ids[i] == nil {
			t.Fatalf("upload %s failed", n)
		}
	}
	return ids
}

func galleryAssetIDs(t *testing.T, s *testServer, token string, gid any) ([]any, float64) {
	t.Helper()
	d := s.mustGQL(t, token, `query($g: ID!) { gallery(id: $g) { version items { position asset { id } } } }`, map[string]any{"g": gid})
	var ids []any
	for i, it := range dig(d, "gallery", "items").([]any) {
		if dig(it, "position") != float64(i) {
			t.Errorf("item %d has position %v", i, dig(it, "position"))
		}
		ids = append(ids, dig(it, "asset", "id"))
	}
	return ids, dig(d, "gallery", "version").(float64)
}

// TestGalleryConcurrentCuration: 20 concurrent moves and adds on one
// gallery lose and duplicate nothing, and positions stay dense; with a
// version, exactly one of several concurrent changes wins.
func TestGalleryConcurrentCuration(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, true)
	tok := login(t, s, adminEmail, adminPassword)
	var names []string
	for i := 0; i < 15; i++ {
		names = append(names, fmt.Sprintf("still-%02d.jpg", i))
	}
	assets := uploadStills(t, s, tok, names)
	gid := dig(s.mustGQL(t, tok, `mutation { createGallery(input: {title: "Concurrent"}) { id } }`, nil), "createGallery", "id")
	d := s.mustGQL(t, tok, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { items { id } } }`,
		map[string]any{"g": gid, "a": assets[:5]})
	var itemIDs []any
	for _, it := range dig(d, "addGalleryItems", "items").([]any) {
		itemIDs = append(itemIDs, dig(it, "id"))
	}

	var wg sync.WaitGroup
	errs := make(chan string, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r gqlResult
			if i%2 == 0 { // 10 adds: assets 5..14, one each
				r = s.gql(t, tok, `mutation($g: ID!, $a: [ID!]!, $p: Int) { addGalleryItems(galleryId: $g, assetIds: $a, position: $p) { version } }`,
					map[string]any{"g": gid, "a": []any{assets[5+i/2]}, "p": 0})
			} else { // 10 moves of the first five items
				r = s.gql(t, tok, `mutation($g: ID!, $i: ID!, $p: Int!) { moveGalleryItem(galleryId: $g, itemId: $i, position: $p) { version } }`,
					map[string]any{"g": gid, "i": itemIDs[i%5], "p": rand.IntN(5)})
			}
			if len(r.Errors) > 0 {
				errs <- fmt.Sprintf("call %d: %+v", i, r.Errors)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	ids, version := galleryAssetIDs(t, s, tok, gid)
	if len(ids) != 15 {
		t.Fatalf("%d items after 10 adds to 5, want 15: %v", len(ids), ids)
	}
	seen := map[any]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("asset %v appears twice", id)
		}
		seen[id] = true
	}
	if version != 22 { // created at 1, first add 2, then 20 changes
		t.Errorf("version %v, want 22", version)
	}

	// With the version the client saw, one change wins, the rest CONFLICT.
	results := make(chan string, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := s.gql(t, tok, `mutation($g: ID!, $i: ID!, $p: Int!, $v: Int) { moveGalleryItem(galleryId: $g, itemId: $i, position: $p, version: $v) { version } }`,
				map[string]any{"g": gid, "i": itemIDs[0], "p": i, "v": version})
			results <- r.Code()
		}()
	}
	wg.Wait()
	close(results)
	won := 0
	for c := range results {
		switch c {
		case "":
			won++
		case "CONFLICT":
		default:
			t.Errorf("versioned move: code %q", c)
		}
	}
	if won != 1 {
		t.Errorf("%d versioned moves succeeded, want exactly 1", won)
	}
}

// TestGallerySort: TIMECODE orders stills by the timecode in their names,
// FILENAME by name, with a stable tie-break.
func TestGallerySort(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	tok := login(t, s, adminEmail, adminPassword)
	names := []string{
		"Sequence 01.00_01_00_02.Still005.jpg",
		"Sequence 01.00_00_04_21.Still120.jpg",
		"b-no-timecode.jpg",
		"Sequence 01.00_00_04_03.Still090.jpg",
		"a-no-timecode.jpg",
		"Sequence 01.00_00_10_00.Still002.jpg",
	}
	assets := uploadStills(t, s, tok, names)
	gid := dig(s.mustGQL(t, tok, `mutation { createGallery(input: {title: "Sort"}) { id } }`, nil), "createGallery", "id")
	s.mustGQL(t, tok, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { id } }`, map[string]any{"g": gid, "a": assets})
	for _, tc := range []struct {
		by      string
		reverse bool
		want    []int // indexes into names
	}{
		{"TIMECODE", false, []int{3, 1, 5, 0, 2, 4}}, // stills without a timecode last, in their current order
		{"FILENAME", false, []int{4, 2, 3, 1, 5, 0}},
		{"TIMECODE", false, []int{3, 1, 5, 0, 4, 2}}, // ties keep the FILENAME order
		{"TAKEN_AT", false, []int{3, 1, 5, 0, 4, 2}}, // no EXIF dates: order unchanged
		{"FILENAME", true, []int{0, 5, 1, 3, 2, 4}},  // last first
	} {
		s.mustGQL(t, tok, `mutation($g: ID!, $by: GallerySort!, $r: Boolean) { sortGalleryItems(galleryId: $g, by: $by, reverse: $r) { id } }`,
			map[string]any{"g": gid, "by": tc.by, "r": tc.reverse})
		got, _ := galleryAssetIDs(t, s, tok, gid)
		for i, w := range tc.want {
			if got[i] != assets[w] {
				t.Errorf("by %s: position %d holds %v, want %s", tc.by, i, got[i], names[w])
			}
		}
	}
}
