package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"runtime"

	"github.com/gen2brain/webp"
)

// WebP renditions are encoded by libwebp compiled to WebAssembly with
// SIMD (media/internal/webpwasm, built from libwebp 1.4.0), run by wazero:
// pure Go, no cgo. This package drives that module itself (webpwasm.go)
// rather than through a library, for memory and speed: the encoder is
// given the picture as YUV 4:2:0 written straight into its memory
// (webpyuv.go), that memory lives outside the Go heap and goes back to the
// system as soon as the encode ends (webpmem_unix.go), and libwebp's SSE2
// code runs as WebAssembly SIMD (about 0.6 of the time of the plain C
// build that github.com/gen2brain/webp ships, with the same bytes). Where
// the binary is dynamically linked (cgo on) and the system has an
// unversioned libwebp.so (a libwebp-dev package, which libvips-dev pulls
// in), gen2brain/webp loads that native libwebp through purego instead and
// webp.Encode is used: the same format and settings, faster still, with
// bytes that may differ from the WebAssembly build's. WebPEncoder says
// which; -tags nodynamic forces the WebAssembly build.
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
// but 0.02 below on the small sizes. Methods 0–2 are 2–3 times faster at
// 2048 wide but lose that SSIM (0.0025 below JPEG at quality 89; quality 91
// to make it up costs 72% of the bytes at that size), and method 3 is no
// faster than 4. Alpha is kept (libwebp codes it losslessly next to the
// lossy colour); libwebp's simple encoder writes no EXIF, XMP or ICC
// chunks.
const (
	DefaultWebPQuality = 89
	WebPMethod         = 4
)

// webpSlots bounds the WebP encodes running at once in this process,
// across every Process call: each is single-threaded CPU work holding a
// WebAssembly instance whose memory is a few times its image's size, so
// more than one per core only adds memory.
var webpSlots = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))

// nativeWebP reports whether gen2brain/webp found the system's libwebp.
var nativeWebP = webp.Dynamic() == nil

// WebPEncoder names the encoder in use: "wasm" (libwebp compiled to
// WebAssembly, run by wazero) or "native" (the system's libwebp.so, loaded
// through purego when the binary is dynamically linked and the library
// exists). Build with -tags nodynamic to always use "wasm".
func WebPEncoder() string {
	if nativeWebP {
		return "native"
	}
	return "wasm"
}

// WarmWebP compiles the WebP encoder now (about a second of one core),
// so that the first rendition does not wait for it. Servers call it in the
// background at start; it is safe to call more than once. It panics if the
// WebAssembly module does not compile, which only a broken build can cause.
func WarmWebP() {
	if !nativeWebP {
		if _, err := wasmWebP(); err != nil {
			panic(err)
		}
	}
}

// encodeWebP encodes img as a lossy WebP (with an alpha channel when any
// pixel is not opaque) at quality and WebPMethod. It waits for a slot
// (webpSlots) or for ctx.
func encodeWebP(ctx context.Context, img *image.NRGBA, quality int) ([]byte, error) {
	select {
	case webpSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("media: encode WebP: %w", ctx.Err())
	}
	defer func() { <-webpSlots }()
	if !nativeWebP {
		data, err := encodeWebPWasm(ctx, img, quality, WebPMethod)
		if err != nil {
			return nil, fmt.Errorf("media: encode WebP: %w", err)
		}
		return data, nil
	}
	// The native encoder reads Pix as rows of exactly 4×width bytes from
	// the first pixel.
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
