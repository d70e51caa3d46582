package desk_test

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"slices"
	"testing"
	"time"

	"github.com/stillroom/stillroom/internal/browsertest"
	"github.com/stillroom/stillroom/internal/servertest"
)

// TestDirectUploadTypeComesFromTheBytes: on a server storing files in S3
// (MinIO) the desk sends files straight to storage, declaring their type
// first. A JPEG, a PNG and a GIF whose names say nothing of their type (the
// browser gives them none) are declared by their first bytes and accepted,
// as a local-disk server accepts them.
func TestDirectUploadTypeComesFromTheBytes(t *testing.T) {
	srv := servertest.Start(t, servertest.Options{MinIO: true, Admin: "admin@example.com"})
	admin := srv.Login(t, "admin@example.com", servertest.Password)
	srv.CreateUser(t, admin, "minh@example.com", "Nguyễn Minh Trí", "PHOTOGRAPHER")

	img := image.NewRGBA(image.Rect(0, 0, 320, 200))
	for y := range 200 {
		for x := range 320 {
			img.Set(x, y, color.RGBA{uint8(x * 255 / 320), uint8(y * 255 / 200), 140, 255})
		}
	}
	var pngData, gifData bytes.Buffer
	if err := png.Encode(&pngData, img); err != nil {
		t.Fatal(err)
	}
	if err := gif.Encode(&gifData, img, &gif.Options{NumColors: 256}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := []string{
		write(t, dir, "DSC_0412", photo(t, 640, 400, 7)),
		write(t, dir, "ban-do-tuyen-duong.bin", pngData.Bytes()),
		write(t, dir, "logo-le-hoi", gifData.Bytes()),
	}

	b := browsertest.Start(t, browsertest.Options{Allow: []string{srv.URL, srv.ObjectsURL}, Width: 1280, Height: 900, Timeout: time.Minute})
	signIn(b, srv, "Email", "Password", "Sign in", "minh@example.com")
	b.SetFiles("Upload", files)
	b.WaitTrue("three thumbnails have loaded", `document.querySelectorAll('.grid img.loaded').length === 3`)
	b.Screenshot("uploaded-by-bytes")

	var d struct {
		Assets struct {
			Edges []struct {
				Node struct{ Filename, MimeType string }
			}
		}
	}
	srv.GraphQL(t, admin, `{ assets(first: 10) { edges { node { filename mimeType } } } }`, nil).Decode(t, &d)
	var got []string
	for _, e := range d.Assets.Edges {
		got = append(got, e.Node.Filename+" "+e.Node.MimeType)
	}
	slices.Sort(got)
	want := []string{"DSC_0412 image/jpeg", "ban-do-tuyen-duong.bin image/png", "logo-le-hoi image/gif"}
	if !slices.Equal(got, want) {
		t.Errorf("assets: %q, want %q", got, want)
	}
}
