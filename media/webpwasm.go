package media

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"image"
	"slices"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/stillroom/stillroom/media/internal/webpwasm"
)

// The module's exports (media/internal/webpwasm): malloc(size) and
// free(ptr) from its C library, and
//
//	uint8_t *encode(uint8_t *in, int w, int h, size_t *size, int colorspace,
//	                int quality, int method, int lossless, int exact)
//
// which reads in as w×h RGBA rows (colorspace 0) or as the planes Y (w×h),
// U and V ((w+1)/2 × (h+1)/2 each) and A (w×h), one after the other
// (colorspace webpYUV420A), and returns the WebP file in its own memory,
// its length at size (a 32-bit size_t), or NULL.
const (
	webpRGBA    = 0
	webpYUV420A = 4 // libwebp's WEBP_YUV420A
)

// webpModule is the compiled module, shared by every encode; each encode
// instantiates it with its own memory.
type webpModule struct {
	rt       wazero.Runtime
	compiled wazero.CompiledModule
}

// wasmWebP compiles the module once per process.
var wasmWebP = sync.OnceValues(func() (*webpModule, error) { return compileWebP(webpwasm.Gz) })

// compileWebP compiles a gzipped module with the exports above in a
// runtime of its own.
func compileWebP(gz []byte) (*webpModule, error) {
	ctx := context.Background()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("media: WebP module: %w", err)
	}
	var code bytes.Buffer
	if _, err := code.ReadFrom(zr); err != nil {
		return nil, fmt.Errorf("media: WebP module: %w", err)
	}
	rt := wazero.NewRuntime(ctx)
	// The C library's imports (clock, exit, writes to stderr); the module
	// config below gives it no files, arguments or environment.
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		return nil, fmt.Errorf("media: WebP module: %w", err)
	}
	compiled, err := rt.CompileModule(ctx, code.Bytes())
	if err != nil {
		return nil, fmt.Errorf("media: WebP module: %w", err)
	}
	return &webpModule{rt: rt, compiled: compiled}, nil
}

// webpMemoryPerPixel and webpMemoryBase bound the memory of one encode's
// instance: libwebp needs a few bytes a pixel (the picture, 2.5 bytes a
// pixel as YUV with alpha or 4 as RGBA, plus its own YUV copy of an RGBA
// picture, per-macroblock state and the coded tokens: at 2048×1365, 10 MB
// for a photograph as YUV, 26 MB for pure noise, 45 MB for noise as
// RGBA), so an encode that asks for several times that fails instead of
// growing without bound.
const (
	webpMemoryPerPixel uint64 = 24
	webpMemoryBase     uint64 = 32 << 20
)

// errWebPMemory is what an encode whose instance ran out of its memory
// bound reports (libwebp's allocation failed).
var errWebPMemory = errors.New("the encoder failed (out of its memory bound?)")

// encodeWebPWasm encodes img with the WebAssembly libwebp in an instance
// of its own, which is closed (its memory unmapped) before returning. An
// opaque image is handed over as YUV 4:2:0, converted here the way libwebp
// converts RGB itself (toWebPYUV), so the bytes are the same as for RGBA
// input; an image with transparency goes in as RGBA.
func encodeWebPWasm(ctx context.Context, img *image.NRGBA, quality, method int) ([]byte, error) {
	m, err := wasmWebP()
	if err != nil {
		return nil, err
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	return m.encode(ctx, img, quality, method, isOpaque(img), webpMemoryBase+webpMemoryPerPixel*uint64(w*h))
}

// encode is encodeWebPWasm with module m, handing img over as YUV (which
// drops any alpha) or as RGBA, with at most limit bytes of memory.
func (m *webpModule) encode(ctx context.Context, img *image.NRGBA, quality, method int, yuv bool, limit uint64) ([]byte, error) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if w < 1 || h < 1 || w > 16383 || h > 16383 { // VP8's limit
		return nil, fmt.Errorf("a %d×%d picture is outside WebP's 1..16383 a side", w, h)
	}
	mod, err := m.rt.InstantiateModule(withWasmMemory(ctx, limit), m.compiled,
		wazero.NewModuleConfig().WithName("").WithStartFunctions("_initialize"))
	if err != nil {
		return nil, err
	}
	// Closing the instance frees its memory; use a context that is not
	// cancelled, so that it is closed whatever ctx does.
	defer mod.Close(context.WithoutCancel(ctx))

	colorspace, size := webpRGBA, 4*w*h
	if yuv {
		cw, ch := (w+1)/2, (h+1)/2
		colorspace, size = webpYUV420A, 2*w*h+2*cw*ch
	}
	in, err := call(ctx, mod, "malloc", uint64(size))
	if err != nil {
		return nil, err
	}
	buf, ok := mod.Memory().Read(uint32(in), uint32(size))
	if in == 0 || !ok {
		return nil, errWebPMemory
	}
	if yuv {
		toWebPYUV(buf, img)
	} else {
		for y := range h {
			copy(buf[4*w*y:4*w*(y+1)], img.Pix[img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y):])
		}
	}
	sizePtr, err := call(ctx, mod, "malloc", 4)
	if err != nil {
		return nil, err
	}
	if sizePtr == 0 {
		return nil, errWebPMemory
	}
	out, err := call(ctx, mod, "encode", in, uint64(w), uint64(h), sizePtr,
		uint64(colorspace), uint64(quality), uint64(method), 0, 0)
	if err != nil {
		return nil, err
	}
	n, ok := mod.Memory().ReadUint32Le(uint32(sizePtr))
	if out == 0 || !ok || n == 0 {
		return nil, errWebPMemory
	}
	data, ok := mod.Memory().Read(uint32(out), n)
	if !ok {
		return nil, errors.New("the encoder returned bytes outside its memory")
	}
	return slices.Clone(data), nil // the instance's memory is unmapped on return
}

// call calls the instance's exported function name with args and returns
// its one result.
func call(ctx context.Context, mod api.Module, name string, args ...uint64) (uint64, error) {
	f := mod.ExportedFunction(name)
	if f == nil {
		return 0, fmt.Errorf("the WebP module has no function %q", name)
	}
	res, err := f.Call(ctx, args...)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	if len(res) != 1 {
		return 0, fmt.Errorf("%s returned %d results, want 1", name, len(res))
	}
	return res[0], nil
}

// withWasmMemory returns ctx with the memory allocator that instances
// made with it get (see newWasmMemory), their memory capped at limit
// bytes.
func withWasmMemory(ctx context.Context, limit uint64) context.Context {
	return experimental.WithMemoryAllocator(ctx, experimental.MemoryAllocatorFunc(
		func(capacity, maxBytes uint64) experimental.LinearMemory {
			return newWasmMemory(min(maxBytes, limit))
		}))
}
