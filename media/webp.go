package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"runtime"
	"sync"

	"github.com/gen2brain/webp"
)

// WebP renditions are encoded by github.com/gen2brain/webp: libwebp
// compiled to WebAssembly and run by wazero (pure Go, no cgo). Where the
// binary is dynamically linked (cgo on) and the system has an unversioned
// libwebp.so (a libwebp-dev package, which libvips-dev pulls in), that
// library loads the native libwebp through purego instead: the same format
// and settings, about 3× faster, with bytes that may differ from the
// WebAssembly build's. WebPEncoder says which; -tags nodynamic forces the
// WebAssembly build.
//
// The settings, chosen by TestWebPSmallerAtEqualSSIM (run it with -v to
// see the figures, STILLROOM_WEBP_SWEEP=85,91 to try other qualities):
// lossy, quality DefaultWebPQuality, method WebPMethod. On two photo-like
// scenes (sky, buildings with windows, 1/f ground texture, shaded figures,
// sensor noise) at every rendition size, against the JPEG set at
// DefaultJPEGQuality: quality 89 gives 69% of the bytes with SSIM within
// 0.001 of JPEG's on every rendition (worst −0.0008, at w2048) and a mean
// SSIM at least JPEG's; strict parity on every rendition needs quality 91,
// at 80% of the bytes; quality 75 (libwebp's default) is 37% of the bytes
// but 0.02 below on the small sizes. Alpha is kept (libwebp codes it
// losslessly next to the lossy colour); libwebp's simple encoder writes no
// EXIF, XMP or ICC chunks.
const (
	DefaultWebPQuality = 89
	WebPMethod         = 4
)

// webpSlots bounds the WebP encodes running at once in this process,
// across every Process call: each is single-threaded CPU work holding a
// WebAssembly instance whose memory is a few times its image's size, so
// more than one per core only adds memory.
var webpSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))

// webpInit compiles the WebAssembly module once per process (shared by
// every encode; each encode instantiates it with its own memory). The
// compile takes about a second of CPU; WarmWebP does it ahead of the first
// upload.
var webpInit = sync.OnceFunc(webp.Init)

// WebPEncoder names the encoder in use: "wasm" (libwebp compiled to
// WebAssembly, run by wazero) or "native" (the system's libwebp.so, loaded
// through purego when the binary is dynamically linked and the library
// exists). Build with -tags nodynamic to always use "wasm".
func WebPEncoder() string {
	if webp.Dynamic() == nil {
		return "native"
	}
	return "wasm"
}

// WarmWebP compiles the WebP encoder now (about a second of one core),
// so that the first rendition does not wait for it. Servers call it in the
// background at start; it is safe to call more than once.
func WarmWebP() { webpInit() }

// encodeWebP encodes img as a lossy WebP (with an alpha channel when any
// pixel is not opaque). It waits for a slot (webpSlots) or for ctx.
func encodeWebP(ctx context.Context, img *image.NRGBA, quality int) ([]byte, error) {
	select {
	case webpSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("media: encode WebP: %w", ctx.Err())
	}
	defer func() { <-webpSlots }()
	webpInit()
	// The encoder reads Pix as rows of exactly 4×width bytes from the
	// first pixel.
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if img.Stride != 4*w || img.Rect.Min != (image.Point{}) {
		c := image.NewNRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			copy(c.Pix[y*c.Stride:y*c.Stride+4*w], img.Pix[img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y):])
		}
		img = c
	}
	var buf bytes.Buffer
	buf.Grow(w * h / 8)
	if err := webp.Encode(&buf, img, webp.Options{Quality: quality, Method: WebPMethod}); err != nil {
		return nil, fmt.Errorf("media: encode WebP: %w", err)
	}
	return buf.Bytes(), nil
}
