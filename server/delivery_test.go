package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestDelivery checks /media as the contract's Delivery section says.
func TestDelivery(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword, "PUBLISH_GATE": "off"}, true)
	tok := login(t, s, adminEmail, adminPassword)
	a := dig(s.upload(t, tok, "a.jpg", photoJPEG(t, 600, 400, 5), assetFields).Data, "uploadAsset").(map[string]any)
	url := renditionURL(a, "w512")
	id := a["id"].(string)

	// Unpublished: only signed-in readers, never cached by shared caches.
	if resp, _ := s.fetch(t, url, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("anonymous, unpublished: HTTP %d, want 404", resp.StatusCode)
	}
	resp, _ := s.fetch(t, url, map[string]string{"Authorization": "Bearer " + tok})
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Cache-Control"), "private") {
		t.Errorf("signed in, unpublished: HTTP %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}

	gid := dig(s.mustGQL(t, tok, `mutation { createGallery(input: {title: "G"}) { id } }`, nil), "createGallery", "id")
	s.mustGQL(t, tok, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { id } }`, map[string]any{"g": gid, "a": []any{id}})
	s.mustGQL(t, tok, `mutation($g: ID!) { publishGallery(id: $g) { id } }`, map[string]any{"g": gid})

	resp, body := s.fetch(t, url, nil)
	h := resp.Header
	etag := h.Get("ETag")
	if resp.StatusCode != 200 || h.Get("Content-Type") != "image/jpeg" || h.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
		h.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(etag, `"`) || len(body) == 0 {
		t.Fatalf("public rendition: HTTP %d, headers %v", resp.StatusCode, h)
	}
	if !strings.Contains(url, "?v="+strings.Trim(etag, `"`)[:16]) {
		t.Errorf("URL %s does not carry the bytes' hash %s", url, etag)
	}
	for _, tc := range []struct {
		name   string
		header map[string]string
		status int
		size   int
	}{
		{"If-None-Match", map[string]string{"If-None-Match": etag}, http.StatusNotModified, 0},
		{"Range", map[string]string{"Range": "bytes=0-99"}, http.StatusPartialContent, 100},
		{"stale If-None-Match", map[string]string{"If-None-Match": `"other"`}, 200, len(body)},
	} {
		resp, got := s.fetch(t, url, tc.header)
		if resp.StatusCode != tc.status || len(got) != tc.size {
			t.Errorf("%s: HTTP %d with %d bytes, want %d with %d", tc.name, resp.StatusCode, len(got), tc.status, tc.size)
		}
	}
	req, _ := http.NewRequest("HEAD", s.abs(url), nil)
	hr, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	hr.Body.Close()
	if hr.StatusCode != 200 || hr.ContentLength != int64(len(body)) {
		t.Errorf("HEAD: HTTP %d, length %d", hr.StatusCode, hr.ContentLength)
	}
	for _, u := range []string{"/media/" + id + "/w9999", "/media/nope/w512", "/media/" + id + "/"} {
		if resp, _ := s.fetch(t, u, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: HTTP %d, want 404", u, resp.StatusCode)
		}
	}
}

// TestPublicMediaURL: STILLROOM_PUBLIC_MEDIA_URL moves rendition URLs to a
// CDN.
func TestPublicMediaURL(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword,
		"PUBLIC_MEDIA_URL": "https://cdn.example.com/media/"}, false)
	tok := login(t, s, adminEmail, adminPassword)
	a := dig(s.upload(t, tok, "a.jpg", photoJPEG(t, 300, 200, 5), assetFields).Data, "uploadAsset").(map[string]any)
	if u := renditionURL(a, "w256"); !strings.HasPrefix(u, "https://cdn.example.com/media/"+a["id"].(string)+"/w256?v=") {
		t.Errorf("rendition URL %s", u)
	}
	if srcset := a["srcset"].(string); !strings.Contains(srcset, "https://cdn.example.com/media/") || !strings.Contains(srcset, " 256w") {
		t.Errorf("srcset %s", srcset)
	}
}
