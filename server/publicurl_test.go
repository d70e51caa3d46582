package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
)

// abs makes a URL the API handed out absolute against the server (URLs
// are absolute now; tests written for root-relative ones keep working).
func (s *testServer) abs(u string) string {
	if strings.HasPrefix(u, "/") {
		return s.URL + u
	}
	return u
}

// TestPublicURLs: every URL the API hands out (renditions, srcset,
// original links, local-disk upload targets) starts with
// STILLROOM_PUBLIC_URL, by default http:// and the listen address;
// STILLROOM_PUBLIC_MEDIA_URL still overrides renditions; a request's Host
// header changes none of them, even in the public read cache.
func TestPublicURLs(t *testing.T) {
	urls := func(t *testing.T, s *testServer) (rendition, srcset, original, upload string) {
		tok := login(t, s, adminEmail, adminPassword)
		r := s.upload(t, tok, "a.jpg", photoJPEG(t, 300, 200, 1), "id renditions { url } srcset originalUrl")
		if len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		d := s.mustGQL(t, tok, `mutation { requestUpload(input: {filename: "b.jpg", contentType: "image/jpeg", byteSize: 1000}) { url method } }`, nil)
		return dig(r.Data, "uploadAsset", "renditions", 0, "url").(string), dig(r.Data, "uploadAsset", "srcset").(string),
			dig(r.Data, "uploadAsset", "originalUrl").(string), dig(d, "requestUpload", "url").(string)
	}
	env := map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}
	t.Run("default", func(t *testing.T) {
		s := startServer(t, env, false)
		ren, srcset, orig, up := urls(t, s)
		for name, u := range map[string]string{"rendition": ren, "srcset": srcset, "original": orig, "upload": up} {
			if !strings.HasPrefix(u, s.URL+"/") {
				t.Errorf("%s URL %q does not start with %s", name, u, s.URL)
			}
		}
		// Each one works as given (a rendition of an unpublished asset
		// for signed-in users only).
		auth := map[string]string{"Authorization": "Bearer " + login(t, s, adminEmail, adminPassword)}
		for _, u := range []string{ren, orig} {
			if resp, _ := s.fetch(t, u, auth); resp.StatusCode != 200 {
				t.Errorf("GET %s: %d", u, resp.StatusCode)
			}
		}
	})
	t.Run("configured", func(t *testing.T) {
		e := map[string]string{"PUBLIC_URL": "https://api.example.com/"}
		for k, v := range env {
			e[k] = v
		}
		s := startServer(t, e, false)
		ren, srcset, orig, up := urls(t, s)
		if !strings.HasPrefix(ren, "https://api.example.com/media/") || !strings.HasPrefix(srcset, "https://api.example.com/media/") ||
			!strings.HasPrefix(orig, "https://api.example.com/originals/") || !strings.HasPrefix(up, "https://api.example.com/uploads/") {
			t.Errorf("URLs %q %q %q %q", ren, srcset, orig, up)
		}
		// Anonymous reads through the public cache with a forged Host.
		tok := login(t, s, adminEmail, adminPassword)
		id := strings.Split(strings.TrimPrefix(ren, "https://api.example.com/media/"), "/")[0]
		s.mustGQL(t, tok, `mutation($id: ID!) { updateAsset(id: $id, input: {altText: "a", credit: "b"}) { id } }`, map[string]any{"id": id})
		g := s.mustGQL(t, tok, `mutation { createGallery(input: {title: "G"}) { id } }`, nil)
		gid := dig(g, "createGallery", "id").(string)
		s.mustGQL(t, tok, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { id } }`, map[string]any{"g": gid, "a": []any{id}})
		s.mustGQL(t, tok, `mutation($g: ID!) { publishGallery(id: $g) { id } }`, map[string]any{"g": gid})
		for _, host := range []string{"evil.example", "api.example.com"} {
			req, _ := http.NewRequest("GET", s.URL+"/graphql?query="+strings.ReplaceAll(`{galleries{edges{node{cover{srcset}}}}}`, " ", "%20"), nil)
			req.Host = host
			req.Header.Set("X-Forwarded-Host", "evil.example")
			req.Header.Set("X-Forwarded-Proto", "http")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if bytes.Contains(body, []byte("evil")) || !bytes.Contains(body, []byte("https://api.example.com/media/"+id)) {
				t.Errorf("Host %s: %s", host, body)
			}
		}
	})
	t.Run("media override", func(t *testing.T) {
		e := map[string]string{"PUBLIC_URL": "https://api.example.com", "PUBLIC_MEDIA_URL": "https://cdn.example.com/m"}
		for k, v := range env {
			e[k] = v
		}
		s := startServer(t, e, false)
		ren, _, orig, _ := urls(t, s)
		if !strings.HasPrefix(ren, "https://cdn.example.com/m/") || !strings.HasPrefix(orig, "https://api.example.com/originals/") {
			t.Errorf("URLs %q %q", ren, orig)
		}
	})
	for _, bad := range []string{"api.example.com", "/media", "ftp://x", "https://x/?a=1"} {
		if _, err := parseConfig(nil, func(k string) string {
			if k == "STILLROOM_PUBLIC_URL" {
				return bad
			}
			return ""
		}); err == nil || !strings.Contains(err.Error(), "STILLROOM_PUBLIC_URL") {
			t.Errorf("PUBLIC_URL %q: %v", bad, err)
		}
	}
	for addr, want := range map[string]string{"127.0.0.1:8080": "http://127.0.0.1:8080", ":8080": "http://localhost:8080",
		"0.0.0.0:9": "http://localhost:9", "[::]:9": "http://localhost:9", "[::1]:9": "http://[::1]:9"} {
		if got := defaultPublicURL(addr); got != want {
			t.Errorf("defaultPublicURL(%q) = %q, want %q", addr, got, want)
		}
	}
}

// TestBindFailsFirst: a listen address in use fails the start before
// anything is created: no database, no admin (whose one-time password
// would otherwise be logged and lost).
func TestBindFailsFirst(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	cfg, err := parseConfig(nil, func(k string) string {
		return map[string]string{"STILLROOM_ADDR": ln.Addr().String(), "STILLROOM_DATA_DIR": dir}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	if err := serve(context.Background(), cfg, &log, nil); err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("serve on a used port: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("the data folder has %v after a failed bind", entries)
	}
	if strings.Contains(log.String(), "password") {
		t.Errorf("log: %s", log.String())
	}
}
