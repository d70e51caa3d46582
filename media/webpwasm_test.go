package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"runtime"
	"testing"
	_ "unsafe" // go:linkname

	_ "github.com/gen2brain/webp" // referenceWebPGz below
	xwebp "golang.org/x/image/webp"
)

// ourWebP is the module media uses (media/internal/webpwasm).
func ourWebP(tb testing.TB) *webpModule {
	m, err := wasmWebP()
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// referenceWebPGz is the WebAssembly libwebp that github.com/gen2brain/webp
// ships: the same libwebp (1.4.0) built without SIMD, from another
// toolchain, by someone else. Should a new version of that package rename
// the variable, this test fails to link.
//
//go:linkname referenceWebPGz github.com/gen2brain/webp.webpWasm
var referenceWebPGz []byte

// TestWebPWasmSameAsReference checks our SIMD build of libwebp against the
// reference build: libwebp's SIMD code is meant to give exactly the bytes
// of its C code, so both must make the same files, from YUV and from RGBA
// (with alpha), at the methods and qualities media uses and the fastest
// method, at odd sizes.
func TestWebPWasmSameAsReference(t *testing.T) {
	ref, err := compileWebP(referenceWebPGz)
	if err != nil {
		t.Fatal(err)
	}
	ours := ourWebP(t)
	ctx := context.Background()
	opaque := photoScene(803, 611, 4)
	alpha := photoScene(803, 611, 5)
	for y := range 611 {
		for x := range 803 {
			c := alpha.NRGBAAt(x, y)
			c.A = uint8(255 - (x+y)%256)
			alpha.SetNRGBA(x, y, c)
		}
	}
	alpha.SetNRGBA(0, 0, color.NRGBA{})
	for _, c := range []struct {
		name            string
		img             *image.NRGBA
		yuv             bool
		quality, method int
	}{
		{"photo yuv", opaque, true, DefaultWebPQuality, WebPMethod},
		{"photo yuv m0 q60", opaque, true, 60, 0},
		{"photo rgba", opaque, false, DefaultWebPQuality, WebPMethod},
		{"alpha rgba", alpha, false, DefaultWebPQuality, WebPMethod},
		{"small", opaque.SubImage(image.Rect(1, 1, 18, 12)).(*image.NRGBA), true, DefaultWebPQuality, WebPMethod},
	} {
		t.Run(c.name, func(t *testing.T) {
			want, err := ref.encode(ctx, c.img, c.quality, c.method, c.yuv, 256<<20)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ours.encode(ctx, c.img, c.quality, c.method, c.yuv, 256<<20)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("our build made %d bytes, the reference %d: they differ", len(got), len(want))
			}
		})
	}
}

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
			rgba, err := ourWebP(t).encode(ctx, img, DefaultWebPQuality, WebPMethod, false, 64<<20)
			if err != nil {
				t.Fatal(err)
			}
			yuv, err := ourWebP(t).encode(ctx, img, DefaultWebPQuality, WebPMethod, true, 64<<20)
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
	if _, err := ourWebP(t).encode(ctx, img, DefaultWebPQuality, WebPMethod, true, 4<<20); err == nil {
		t.Fatal("an encode capped at 2 MiB of memory succeeded")
	} else {
		t.Log(err)
	}
	if _, err := ourWebP(t).encode(ctx, img, DefaultWebPQuality, WebPMethod, true, 64<<20); err != nil {
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
