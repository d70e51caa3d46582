// Command benchphoto writes a photo-like JPEG for benchmarking the image
// pipeline: smooth gradients under per-pixel noise, which compresses about
// as badly as a photograph, the same pixels as media's BenchmarkProcess24MP.
//
//	go run ./internal/tools/benchphoto -o /tmp/in.jpg [-w 6000 -h 4000 -q 90]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
)

func main() {
	out := flag.String("o", "", "output JPEG path (required)")
	w := flag.Int("w", 6000, "width in pixels")
	h := flag.Int("h", 4000, "height in pixels")
	q := flag.Int("q", 90, "JPEG quality")
	flag.Parse()
	if err := run(*out, *w, *h, *q); err != nil {
		fmt.Fprintln(os.Stderr, "benchphoto:", err)
		os.Exit(1)
	}
}

func run(path string, w, h, quality int) error {
	if path == "" || w < 1 || h < 1 {
		return fmt.Errorf("usage: benchphoto -o out.jpg [-w 6000 -h 4000 -q 90]")
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	if err := jpeg.Encode(bw, photoLike(w, h), &jpeg.Options{Quality: quality}); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// photoLike is media's test image of the same name (imagegen_test.go): a
// gradient in both axes plus uniform noise of ±16, from the same seed.
func photoLike(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := img.PixOffset(x, y)
			img.Pix[i] = uint8(x * 255 / max(1, w-1))
			img.Pix[i+1] = uint8(y * 255 / max(1, h-1))
			img.Pix[i+2] = uint8((x + y) * 255 / max(1, w+h-2))
			img.Pix[i+3] = 0xFF
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < len(img.Pix); i += 4 {
		n := int(rng.Uint32()%33) - 16
		for c := 0; c < 3; c++ {
			img.Pix[i+c] = uint8(max(0, min(255, int(img.Pix[i+c])+n)))
		}
	}
	return img
}
