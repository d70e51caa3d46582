package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"runtime"
	"testing"

	xwebp "golang.org/x/image/webp"
)

// TestWebPYUVSameBytes checks toWebPYUV against libwebp's own conversion:
// an opaque picture handed to the WebAssembly encoder as YUV must give
// exactly the bytes it gives as RGBA, at odd and even sizes (the last row
// and column of a chroma block counted twice) down to 1×1.
func TestWebPYUVSameBytes(t *testing.T) {
	ctx := context.Background()
	scene := photoScene(620, 420, 3)
	for _, sz := range []image.Point{{600, 400}, {333, 211}, {257, 2}, {2, 257}, {1, 1}, {3, 3}} {
		t.Run(fmt.Sprintf("%dx%d", sz.X, sz.Y), func(t *testing.T) {
			// A sub-image, so rows have a stride and an offset.
			img := scene.SubImage(image.Rect(7, 5, 7+sz.X, 5+sz.Y)).(*image.NRGBA)
			rgba, err := webpWasmEncode(ctx, img, DefaultWebPQuality, WebPMethod, false, 64<<20)
			if err != nil {
				t.Fatal(err)
			}
			yuv, err := webpWasmEncode(ctx, img, DefaultWebPQuality, WebPMethod, true, 64<<20)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(rgba, yuv) {
				t.Errorf("from YUV %d bytes, from RGBA %d bytes: they differ", len(yuv), len(rgba))
			}
			cfg, err := xwebp.DecodeConfig(bytes.NewReader(yuv))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Width != sz.X || cfg.Height != sz.Y {
				t.Errorf("decodes as %dx%d", cfg.Width, cfg.Height)
			}
		})
	}
}

// TestWebPWasmMemoryBound checks that an encode's memory is bounded: with
// a bound below what the picture needs, the encode fails cleanly (libwebp's
// allocation fails) and the next one, with room, succeeds.
func TestWebPWasmMemoryBound(t *testing.T) {
	ctx := context.Background()
	img := photoScene(1024, 1024, 1)
	if _, err := webpWasmEncode(ctx, img, DefaultWebPQuality, WebPMethod, true, 4<<20); err == nil {
		t.Fatal("an encode capped at 2 MiB of memory succeeded")
	} else {
		t.Log(err)
	}
	if _, err := webpWasmEncode(ctx, img, DefaultWebPQuality, WebPMethod, true, 64<<20); err != nil {
		t.Fatal(err)
	}
}

// TestWebPWasmMemoryReturned checks that an encode's memory leaves
// neither Go's heap nor the process: after 20 encodes of a 2048-wide
// picture, the heap has not grown by their memory.
func TestWebPWasmMemoryReturned(t *testing.T) {
	if raceDetector {
		t.Skip("slow under -race")
	}
	ctx := context.Background()
	img := photoScene(2048, 1365, 2)
	if _, err := encodeWebPWasm(ctx, img, DefaultWebPQuality, 0); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 5 {
		if _, err := encodeWebPWasm(ctx, img, DefaultWebPQuality, 0); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	// Each encode's instance touches about 3 bytes a pixel (8 MB here);
	// on the heap only the result (about 200 KB) and wazero's bookkeeping
	// remain.
	if n := after.TotalAlloc - before.TotalAlloc; n > 5<<20 {
		t.Errorf("5 encodes allocated %d MiB on Go's heap", n>>20)
	}
}

// TestProcessWebPWasm repeats the WebP checks of Process (alpha kept for
// transparent sources, orientation applied, no metadata) with the
// WebAssembly encoder where the tests otherwise use the system's libwebp
// (a dynamically linked test binary on a machine with libwebp-dev).
func TestProcessWebPWasm(t *testing.T) {
	if !nativeWebP {
		t.Skip("the WebAssembly encoder is the one in use: the other tests ran with it")
	}
	nativeWebP = false
	t.Cleanup(func() { nativeWebP = true })
	t.Run("transparency", TestProcessTransparency)
	t.Run("orientation", TestProcessOrientation)
	t.Run("no metadata", TestRenditionsHaveNoMetadata)
}
