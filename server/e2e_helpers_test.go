package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stillroom/stillroom/internal/gqltest"
	"github.com/stillroom/stillroom/internal/testenv"
)

// testServer is a running server of the test's own.
type testServer struct {
	URL string
}

// startServer runs serve with env (STILLROOM_* names without the prefix)
// on a free port and a fresh data folder, and stops it at cleanup. With
// useMinIO the object store is a fresh bucket on the test MinIO.
func startServer(t testing.TB, env map[string]string, useMinIO bool) *testServer {
	t.Helper()
	// Uploads answer once their renditions are made; on a loaded machine
	// under the race detector that can take longer than the 10 s default,
	// and tests that read an upload's renditions at once would see it
	// PROCESSING. 30 s is also the operation deadline. Tests about waiting
	// set UPLOAD_WAIT themselves.
	full := map[string]string{"ADDR": "127.0.0.1:0", "DATA_DIR": t.TempDir(), "UPLOAD_WAIT": "30s"}
	if useMinIO {
		s3 := testenv.NewBucketConfig(t)
		full["S3_ENDPOINT"], full["S3_ACCESS_KEY"], full["S3_SECRET_KEY"], full["S3_BUCKET"] =
			s3.Endpoint, s3.AccessKey, s3.SecretKey, s3.Bucket
	}
	for k, v := range env {
		full[k] = v
	}
	return startWith(t, full)
}

func startWith(t testing.TB, env map[string]string) *testServer {
	t.Helper()
	return startLogged(t, env, testLog{T: t}).srv
}

// runningServer is a started server and the function that stops it (also
// called at cleanup).
type runningServer struct {
	srv  *testServer
	stop func()
}

// startLogged starts a server with env, logging to logTo; opts may change
// the parsed configuration (e.g. to add a command monitor).
func startLogged(t testing.TB, env map[string]string, logTo io.Writer, opts ...func(*config)) runningServer {
	t.Helper()
	cfg, err := parseConfig(nil, func(k string) string { return env[strings.TrimPrefix(k, "STILLROOM_")] })
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, logTo, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("server did not start: %v", err)
	case <-time.After(2 * time.Minute):
		cancel()
		t.Fatal("server did not start within 2 minutes")
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
	t.Cleanup(stop)
	return runningServer{srv: &testServer{URL: "http://" + addr}, stop: stop}
}

// testLog sends the server's log to the test log.
type testLog = gqltest.Log

// gqlResult is a GraphQL response.
type gqlResult = gqltest.Result

// gql posts a query as JSON and decodes the answer.
func (s *testServer) gql(t testing.TB, token, query string, vars map[string]any) gqlResult {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", s.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return s.do(t, token, req)
}

// mustGQL is gql that fails the test on any error.
func (s *testServer) mustGQL(t testing.TB, token, query string, vars map[string]any) map[string]any {
	t.Helper()
	r := s.gql(t, token, query, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("%s\nerrors: %+v", query, r.Errors)
	}
	return r.Data
}

func (s *testServer) do(t testing.TB, token string, req *http.Request) gqlResult {
	t.Helper()
	_, r := s.send(t, token, req)
	return r
}

// upload sends one file through the GraphQL multipart request spec.
func (s *testServer) upload(t testing.TB, token, filename string, data []byte, fields string) gqlResult {
	t.Helper()
	req := multipartUpload(t, s.URL, filename, data, fields)
	req.Header.Set("GraphQL-Preflight", "1")
	return s.do(t, token, req)
}

func multipartUpload(t testing.TB, base, filename string, data []byte, fields string) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	ops, _ := json.Marshal(map[string]any{
		"query":     "mutation($f: Upload!) { uploadAsset(file: $f) { " + fields + " } }",
		"variables": map[string]any{"f": nil},
	})
	mw.WriteField("operations", string(ops))
	mw.WriteField("map", `{"0": ["variables.f"]}`)
	fw, _ := mw.CreateFormFile("0", filename)
	fw.Write(data)
	mw.Close()
	req, err := http.NewRequest("POST", base+"/graphql", &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

func login(t testing.TB, s *testServer, email, password string) string {
	t.Helper()
	d := s.mustGQL(t, "", `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token user { role } } }`,
		map[string]any{"e": email, "p": password})
	return dig(d, "login", "token").(string)
}

// dig walks nested maps and lists: keys are strings, list indexes ints.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// photoJPEG makes a w×h JPEG with smooth colour, like a photo.
func photoJPEG(t testing.TB, w, h int, seed uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), seed, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// orientedJPEG makes a w×h JPEG whose left half is red and right half blue,
// tagged with the EXIF orientation o.
func orientedJPEG(t testing.TB, w, h int, o uint16) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{255, 0, 0, 255}
			if x >= w/2 {
				c = color.RGBA{0, 0, 255, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	// APP1 "Exif" with a big-endian TIFF header and one IFD entry:
	// Orientation (0x0112), SHORT, count 1.
	tiff := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, byte(o >> 8), byte(o), 0, 0, 0, 0, 0, 0}
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	seg = append(seg, payload...)
	j := buf.Bytes()
	return append(append(append([]byte{}, j[:2]...), seg...), j[2:]...)
}

// fetch GETs a URL (root-relative to the server) and returns the response
// with its body read.
func (s *testServer) fetch(t testing.TB, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	if strings.HasPrefix(url, "/") {
		url = s.URL + url
	}
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}
