package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// uploadMany sends files through uploadAssets in one multipart request.
func (s *testServer) uploadMany(t testing.TB, token string, names []string, datas [][]byte) gqlResult {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	nulls := make([]any, len(names))
	ops, _ := json.Marshal(map[string]any{
		"query":     "mutation($f: [Upload!]!) { uploadAssets(files: $f) { id status filename width } }",
		"variables": map[string]any{"f": nulls},
	})
	mw.WriteField("operations", string(ops))
	m := map[string][]string{}
	for i := range names {
		m[fmt.Sprint(i)] = []string{fmt.Sprintf("variables.f.%d", i)}
	}
	mj, _ := json.Marshal(m)
	mw.WriteField("map", string(mj))
	for i, n := range names {
		fw, _ := mw.CreateFormFile(fmt.Sprint(i), n)
		fw.Write(datas[i])
	}
	mw.Close()
	req, _ := http.NewRequest("POST", s.URL+"/graphql", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("GraphQL-Preflight", "1")
	return s.do(t, token, req)
}

// TestUploadShoot: uploadAssets takes a whole shoot; one refused file
// refuses the request, names the file and stores nothing.
func TestUploadShoot(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, true)
	tok := login(t, s, adminEmail, adminPassword)
	count := func() any {
		return dig(s.mustGQL(t, tok, `{ assets { totalCount } }`, nil), "assets", "totalCount")
	}

	names := []string{"Sequence 01.00_00_01_00.Still001.jpg", "Sequence 01.00_00_02_00.Still002.jpg", "evil.jpg"}
	datas := [][]byte{photoJPEG(t, 320, 180, 1), photoJPEG(t, 320, 180, 2), []byte("<svg onload=alert(1)>")}
	r := s.uploadMany(t, tok, names, datas)
	if r.Code() != "UNSUPPORTED_MEDIA_TYPE" || !strings.Contains(r.Errors[0].Message, "evil.jpg") {
		t.Fatalf("mixed shoot: %+v", r.Errors)
	}
	if n := count(); n != 0.0 {
		t.Fatalf("%v assets stored after a refused shoot, want 0", n)
	}

	r = s.uploadMany(t, tok, names[:2], datas[:2])
	if len(r.Errors) > 0 {
		t.Fatalf("shoot: %+v", r.Errors)
	}
	got := dig(r.Data, "uploadAssets").([]any)
	if len(got) != 2 {
		t.Fatalf("uploadAssets returned %d assets", len(got))
	}
	for i, a := range got {
		if dig(a, "status") != "READY" || dig(a, "filename") != names[i] || dig(a, "width") != 320.0 {
			t.Errorf("asset %d: %v", i, a)
		}
	}
	if n := count(); n != 2.0 {
		t.Errorf("%v assets, want 2", n)
	}
}

// TestUploadOverByteLimit: a file over STILLROOM_MAX_UPLOAD_BYTES inside a
// request the body limit allows is PAYLOAD_TOO_LARGE; hostile bytes get
// their codes; nothing is stored and the server carries on.
func TestUploadOverByteLimit(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword,
		"MAX_UPLOAD_BYTES": "100000", "MAX_BODY_BYTES": "10000000"}, false)
	tok := login(t, s, adminEmail, adminPassword)
	big := photoJPEG(t, 800, 600, 1)
	for len(big) <= 100000 {
		big = append(big[:len(big)-2], append(bytes.Repeat([]byte{0}, 50000), 0xFF, 0xD9)...)
	}
	for _, tc := range []struct {
		name string
		data []byte
		code string
	}{
		{"over the byte limit", big, "PAYLOAD_TOO_LARGE"},
		{"zero bytes", nil, "UNSUPPORTED_MEDIA_TYPE"},
		{"html named .jpg", []byte("<!doctype html><script>alert(1)</script>"), "UNSUPPORTED_MEDIA_TYPE"},
		{"truncated jpeg", photoJPEG(t, 300, 200, 2)[:2000], "BAD_USER_INPUT"},
	} {
		if r := s.upload(t, tok, "x.jpg", tc.data, "id"); r.Code() != tc.code {
			t.Errorf("%s: %+v, want %s", tc.name, r.Errors, tc.code)
		}
	}
	if n := dig(s.mustGQL(t, tok, `{ assets { totalCount } }`, nil), "assets", "totalCount"); n != 0.0 {
		t.Errorf("%v assets stored", n)
	}
	if r := s.upload(t, tok, "ok.jpg", photoJPEG(t, 300, 200, 3), "status"); dig(r.Data, "uploadAsset", "status") != "READY" {
		t.Errorf("a good upload afterwards: %+v", r.Errors)
	}
}
