package desk_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stillroom/stillroom/internal/browsertest"
	"github.com/stillroom/stillroom/internal/servertest"
)

// BenchmarkDesk measures what a photographer waits for, on the embedded
// default (local disk), in one run:
//
//   - first-load-KB / first-load-ms: the signed-out desk's bytes over the
//     wire and its load time;
//
//   - first-thumbs-ms: from opening the library of STILLROOM_BENCH_LIBRARY
//     (5,000) assets to the first screen of thumbnails loaded, and how many
//     cells the page rendered (virtualised: a screenful, not 5,000);
//
//   - browser-upload-s vs cli-import-s: STILLROOM_BENCH_PHOTOS (50) photos
//     of about 10 MB uploaded from the desk until every one is READY,
//     against `stillroom import` of the same files on a fresh server in the
//     same run; upload-ratio is browser/CLI.
//
//     go test ./desk -run '^$' -bench BenchmarkDesk -benchtime 1x -timeout 60m
func BenchmarkDesk(b *testing.B) {
	library := envInt("STILLROOM_BENCH_LIBRARY", 5000)
	photos := envInt("STILLROOM_BENCH_PHOTOS", 50)
	for range b.N {
		srv := servertest.Start(b, servertest.Options{Admin: "admin@example.com",
			Env: map[string]string{"MAX_UPLOAD_BYTES": strconv.Itoa(64 << 20), "MAX_BODY_BYTES": strconv.Itoa(80 << 20)}})
		admin := srv.Login(b, "admin@example.com", servertest.Password)

		br := browsertest.Start(b, browsertest.Options{Allow: []string{srv.URL}, Width: 1280, Height: 900, Timeout: 10 * time.Minute})
		br.Navigate(srv.URL + "/desk/")
		br.WaitFor("button", "Sign in")
		load := browsertest.Eval[[]float64](br, `(() => {
			const nav = performance.getEntriesByType('navigation')[0];
			const bytes = performance.getEntriesByType('resource').reduce((s, r) => s + r.transferSize, nav.transferSize);
			return [bytes, nav.loadEventEnd - nav.startTime];
		})()`)
		b.ReportMetric(load[0]/1000, "first-load-KB")
		b.ReportMetric(load[1], "first-load-ms")

		seed(b, srv, admin, library)
		br.Fill("Email", "admin@example.com")
		br.Fill("Password", servertest.Password)
		br.Click("button", "Sign in")
		br.WaitFor("link", "Library")
		start := time.Now()
		br.Navigate(srv.URL + "/desk/")
		br.WaitTrue("a screenful of thumbnails", `document.querySelectorAll('.grid img.loaded').length >= 12`)
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "first-thumbs-ms")
		b.ReportMetric(browsertest.Eval[float64](br, `document.querySelectorAll('.grid li').length`), "cells-rendered")

		dir := b.TempDir()
		files := bigPhotos(b, dir, photos)
		before := readyCount(b, srv, admin)
		start = time.Now()
		br.SetFiles("Upload", files)
		for readyCount(b, srv, admin) < before+photos {
			time.Sleep(200 * time.Millisecond)
		}
		browser := time.Since(start)
		b.ReportMetric(browser.Seconds(), "browser-upload-s")

		fresh := servertest.Start(b, servertest.Options{Admin: "admin@example.com",
			Env: map[string]string{"MAX_UPLOAD_BYTES": strconv.Itoa(64 << 20), "MAX_BODY_BYTES": strconv.Itoa(80 << 20)}})
		token := fresh.Login(b, "admin@example.com", servertest.Password)
		start = time.Now()
		cmd := exec.Command(servertest.Binary(b), "import", "--server", fresh.URL, "--token", token, dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("stillroom import: %v\n%s", err, out)
		}
		for readyCount(b, fresh, token) < photos {
			time.Sleep(200 * time.Millisecond)
		}
		cli := time.Since(start)
		b.ReportMetric(cli.Seconds(), "cli-import-s")
		b.ReportMetric(browser.Seconds()/cli.Seconds(), "upload-ratio")
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func readyCount(b *testing.B, srv *servertest.Server, token string) int {
	var d struct{ Assets struct{ TotalCount int } }
	srv.GraphQL(b, token, `{ assets(filter: {status: READY}) { totalCount } }`, nil).Decode(b, &d)
	return d.Assets.TotalCount
}

// seed uploads n small distinct photos through the API, 8 at a time.
func seed(b *testing.B, srv *servertest.Server, token string, n int) {
	var wg sync.WaitGroup
	jobs := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range jobs {
				upload(b, srv, token, fmt.Sprintf("seed-%05d.jpg", i), smallPhoto(b, uint64(i)))
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	for readyCount(b, srv, token) < n {
		time.Sleep(200 * time.Millisecond)
	}
}

// upload sends one file through the GraphQL multipart request spec and
// returns the asset's id.
func upload(b testing.TB, srv *servertest.Server, token, name string, data []byte) string {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("operations", `{"query":"mutation($f: Upload!) { uploadAsset(file: $f) { id } }","variables":{"f":null}}`)
	mw.WriteField("map", `{"0":["variables.f"]}`)
	fw, _ := mw.CreateFormFile("0", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/graphql", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("GraphQL-Preflight", "1")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Error(err)
		return ""
	}
	defer res.Body.Close()
	var out struct {
		Data   struct{ UploadAsset struct{ ID string } }
		Errors []struct{ Message string }
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 200 || len(out.Errors) > 0 {
		b.Errorf("upload %s: HTTP %d %v %+v", name, res.StatusCode, err, out.Errors)
	}
	return out.Data.UploadAsset.ID
}

func smallPhoto(b *testing.B, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	base := color.RGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255}
	for y := range 240 {
		for x := range 320 {
			img.SetRGBA(x, y, color.RGBA{base.R + uint8(x/8), base.G + uint8(y/8), base.B + uint8(r.IntN(8)), 255})
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
	return buf.Bytes()
}

// bigPhotos writes n distinct noisy 4000×3000 JPEGs of about 10 MB: one
// picture, one pixel changed per file so every file is new to the library.
func bigPhotos(b *testing.B, dir string, n int) []string {
	r := rand.New(rand.NewPCG(42, 42))
	img := image.NewRGBA(image.Rect(0, 0, 4000, 3000))
	for i := range img.Pix {
		if i%4 == 3 {
			img.Pix[i] = 255
		} else {
			img.Pix[i] = uint8(96 + r.IntN(64) + (i/4%4000)/64)
		}
	}
	var files []string
	for i := range n {
		img.SetRGBA(i, 0, color.RGBA{0, 0, 0, 255})
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 92}); err != nil {
			b.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("Sequence 02.00_%02d_%02d_00.Still%03d.jpg", i/60, i%60, i))
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
		files = append(files, p)
	}
	return files
}

// BenchmarkGalleryReorder measures how long a move in a gallery of
// STILLROOM_BENCH_GALLERY (200) items takes to show: from the keyboard
// move (Alt+ArrowUp on the 100th item's handle) to the next painted frame
// with the item in its new place, the median of 20 moves
// (reorder-feedback-ms; the target is under 100 ms). Saving happens after
// that, in the background.
//
//	go test ./desk -run '^$' -bench BenchmarkGalleryReorder -benchtime 1x
func BenchmarkGalleryReorder(b *testing.B) {
	n := envInt("STILLROOM_BENCH_GALLERY", 200)
	for range b.N {
		srv := servertest.Start(b, servertest.Options{Admin: "admin@example.com"})
		admin := srv.Login(b, "admin@example.com", servertest.Password)
		var ids []string
		for i := range n {
			ids = append(ids, upload(b, srv, admin, fmt.Sprintf("still-%03d.jpg", i), smallPhoto(b, uint64(i))))
		}
		var g struct{ CreateGallery struct{ ID string } }
		srv.GraphQL(b, admin, `mutation { createGallery(input: {title: "Bench"}) { id } }`, nil).Decode(b, &g)
		srv.GraphQL(b, admin, `mutation($g: ID!, $a: [ID!]!) { addGalleryItems(galleryId: $g, assetIds: $a) { id } }`,
			map[string]any{"g": g.CreateGallery.ID, "a": ids}).Decode(b, &struct{}{})

		br := browsertest.Start(b, browsertest.Options{Allow: []string{srv.URL}, Width: 1280, Height: 900})
		signIn(br, srv, "Email", "Password", "Sign in", "admin@example.com")
		br.Navigate(srv.URL + "/desk/galleries/" + g.CreateGallery.ID)
		br.WaitTrue("all items shown", fmt.Sprintf(`document.querySelectorAll('.items li').length === %d`, n))
		times := browsertest.Eval[[]float64](br, `(async () => {
			const out = [];
			for (let k = 0; k < 20; k++) {
				const li = document.querySelectorAll('.items li')[100];
				const h = li.querySelector('.handle');
				const id = h.id;
				h.focus();
				const t0 = performance.now();
				h.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', altKey: true, bubbles: true }));
				for (;;) {
					await new Promise((r) => requestAnimationFrame(() => r()));
					if (document.querySelectorAll('.items li')[99].querySelector('.handle').id === id) break;
				}
				out.push(performance.now() - t0);
				await new Promise((r) => setTimeout(r, 300));
			}
			return out.sort((a, b) => a - b);
		})()`)
		b.ReportMetric(times[len(times)/2], "reorder-feedback-ms")
		b.ReportMetric(times[len(times)-1], "reorder-worst-ms")
	}
}
