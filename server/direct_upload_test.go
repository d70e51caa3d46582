package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

const requestUploadQ = `mutation($in: RequestUploadInput!) { requestUpload(input: $in) { id url method fields { name value } expiresAt } }`
const completeUploadQ = `mutation($t: ID!) { completeUpload(ticketId: $t) { id status sha256 width filename } }`

// sendDirect sends data as a ticket says: a form POST with its fields
// (S3 policy; they pin the content type) or a PUT (the server's signed
// URL). It returns the status.
func sendDirect(t *testing.T, s *testServer, ticket any, contentType string, data []byte) int {
	t.Helper()
	url := dig(ticket, "url").(string)
	if strings.HasPrefix(url, "/") {
		url = s.URL + url
	}
	var req *http.Request
	switch dig(ticket, "method") {
	case "POST":
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, f := range dig(ticket, "fields").([]any) {
			mw.WriteField(dig(f, "name").(string), dig(f, "value").(string))
		}
		fw, _ := mw.CreateFormFile("file", "upload")
		fw.Write(data)
		mw.Close()
		req, _ = http.NewRequest("POST", url, &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
	case "PUT":
		req, _ = http.NewRequest("PUT", url, bytes.NewReader(data))
		req.Header.Set("Content-Type", contentType)
	default:
		t.Fatalf("ticket method %v", dig(ticket, "method"))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestDirectUpload drives requestUpload → send the bytes with plain HTTP →
// completeUpload, against real MinIO (presigned POST policy) and the local
// disk store (the server's signed PUT).
func TestDirectUpload(t *testing.T) {
	for _, store := range []struct {
		name  string
		minio bool
	}{{"minio", true}, {"local disk", false}} {
		t.Run(store.name, func(t *testing.T) {
			s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword,
				"MAX_UPLOAD_BYTES": "200000"}, store.minio)
			admin := login(t, s, adminEmail, adminPassword)
			s.mustGQL(t, admin, `mutation { createUser(input: {email: "ph@example.com", name: "P", password: "photographer-pw", role: PHOTOGRAPHER}) { id } }`, nil)
			ph := login(t, s, "ph@example.com", "photographer-pw")
			ticket := func(token string, size int) any {
				t.Helper()
				d := s.mustGQL(t, token, requestUploadQ, map[string]any{"in": map[string]any{
					"filename": "Sequence 01.00_00_04_21.Still120.jpg", "contentType": "image/jpeg", "byteSize": size}})
				return dig(d, "requestUpload")
			}

			img := photoJPEG(t, 400, 300, 9)
			sum := sha256.Sum256(img)
			tk := ticket(ph, len(img))
			if code := sendDirect(t, s, tk, "image/jpeg", img); code/100 != 2 {
				t.Fatalf("sending the bytes: HTTP %d", code)
			}
			if r := s.gql(t, admin, completeUploadQ, map[string]any{"t": dig(tk, "id")}); r.Code() != "NOT_FOUND" {
				t.Errorf("someone else's ticket: %+v", r.Errors)
			}
			d := s.mustGQL(t, ph, completeUploadQ, map[string]any{"t": dig(tk, "id")})
			a := dig(d, "completeUpload")
			if dig(a, "status") != "READY" || dig(a, "sha256") != hex.EncodeToString(sum[:]) || dig(a, "width") != 400.0 ||
				dig(a, "filename") != "Sequence 01.00_00_04_21.Still120.jpg" {
				t.Errorf("completed asset: %v", a)
			}
			if r := s.gql(t, ph, completeUploadQ, map[string]any{"t": dig(tk, "id")}); r.Code() != "CONFLICT" {
				t.Errorf("reused ticket: %+v", r.Errors)
			}

			t.Run("refusals", func(t *testing.T) {
				for _, tc := range []struct {
					name string
					in   map[string]any
					code string
				}{
					{"too large", map[string]any{"filename": "a.jpg", "contentType": "image/jpeg", "byteSize": 300000}, "PAYLOAD_TOO_LARGE"},
					{"not an image", map[string]any{"filename": "a.svg", "contentType": "image/svg+xml", "byteSize": 10}, "UNSUPPORTED_MEDIA_TYPE"},
				} {
					if r := s.gql(t, ph, requestUploadQ, map[string]any{"in": tc.in}); r.Code() != tc.code {
						t.Errorf("%s: %+v, want %s", tc.name, r.Errors, tc.code)
					}
				}
				if r := s.gql(t, "", requestUploadQ, map[string]any{"in": map[string]any{"filename": "a.jpg", "contentType": "image/jpeg", "byteSize": 10}}); r.Code() != "UNAUTHENTICATED" {
					t.Errorf("anonymous: %+v", r.Errors)
				}
				// Declared small, sent large: the store itself (MinIO's
				// policy) or the server refuses the bytes.
				big := bytes.Repeat([]byte{0xFF}, 250000)
				tk := ticket(ph, 1000)
				if code := sendDirect(t, s, tk, "image/jpeg", big); code/100 == 2 {
					t.Errorf("oversized body accepted: HTTP %d", code)
				}
				if r := s.gql(t, ph, completeUploadQ, map[string]any{"t": dig(tk, "id")}); r.Code() != "BAD_USER_INPUT" {
					t.Errorf("completing a refused upload: %+v", r.Errors)
				}
				// Bytes that are not an image are caught at completion.
				tk = ticket(ph, 20)
				if code := sendDirect(t, s, tk, "image/jpeg", []byte("<html>not a photo</html>")); code/100 != 2 {
					t.Fatalf("sending: HTTP %d", code)
				}
				if r := s.gql(t, ph, completeUploadQ, map[string]any{"t": dig(tk, "id")}); r.Code() != "UNSUPPORTED_MEDIA_TYPE" {
					t.Errorf("completing HTML: %+v", r.Errors)
				}
				if n := dig(s.mustGQL(t, ph, `{ assets { totalCount } }`, nil), "assets", "totalCount"); n != 1.0 {
					t.Errorf("%v assets after refusals, want 1", n)
				}
			})
			t.Run("originalUrl", func(t *testing.T) {
				d := s.mustGQL(t, ph, `query($id: ID!) { asset(id: $id) { originalUrl } }`, map[string]any{"id": dig(a, "id")})
				url := dig(d, "asset", "originalUrl").(string)
				resp, body := s.fetch(t, url, nil)
				got := sha256.Sum256(body)
				if resp.StatusCode != 200 || got != sum {
					t.Errorf("original through %s: HTTP %d, sha matches %v", url, resp.StatusCode, got == sum)
				}
				// For the person given the link only: no shared cache keeps it.
				if cc := resp.Header.Get("Cache-Control"); cc != "private, no-store" {
					t.Errorf("original through %s: Cache-Control %q, want private, no-store", url, cc)
				}
				if resp, _ := s.fetch(t, url+"x", nil); resp.StatusCode == 200 {
					t.Errorf("tampered link answered 200")
				}
				// Both links name the file; the download link says save it.
				for _, download := range []bool{false, true} {
					d := s.mustGQL(t, ph, `query($id: ID!, $dl: Boolean) { asset(id: $id) { originalUrl(download: $dl) } }`,
						map[string]any{"id": dig(a, "id"), "dl": download})
					resp, body := s.fetch(t, dig(d, "asset", "originalUrl").(string), nil)
					kind, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
					want := map[bool]string{false: "inline", true: "attachment"}[download]
					if err != nil || kind != want || params["filename"] != "Sequence 01.00_00_04_21.Still120.jpg" || sha256.Sum256(body) != sum {
						t.Errorf("originalUrl(download: %v): HTTP %d, Content-Disposition %q (%v); want %s with the file's name",
							download, resp.StatusCode, resp.Header.Get("Content-Disposition"), err, want)
					}
				}
			})
		})
	}
}
