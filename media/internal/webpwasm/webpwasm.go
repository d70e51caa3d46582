// Package webpwasm holds libwebp's lossy and lossless encoder compiled to
// WebAssembly, which media runs on wazero to make WebP renditions without
// cgo.
//
// The module is built by build/build.sh from libwebp v1.4.0 and
// build/encode.c with Debian 12's clang 14 and wasi-libc, as a WASI
// reactor with 128-bit SIMD: libwebp's SSE2 code is compiled through
// Emscripten's SSE2-on-WebAssembly-SIMD headers, the way libwebp builds
// for the web, so the encoder's transforms, distortion measures and
// quantization run four to sixteen lanes at a time. libwebp's SSE2 and C
// code give the same bytes, so the files match those of the plain C build
// that github.com/gen2brain/webp ships (media's TestWebPWasmSameAsReference
// checks this); the SIMD build takes about 0.6 of its time.
//
// Exports: malloc(size) and free(ptr) from wasi-libc, and encode (see
// encode.c). Imports: wasi_snapshot_preview1's fd_write, fd_seek and
// fd_close, which only libc's error output can reach. libwebp is BSD
// licensed (COPYING.libwebp, with Google's patent grant in
// PATENTS.libwebp); binaries that embed this module carry those notices.
package webpwasm

import _ "embed"

// Gz is the gzipped module (webp.wasm.gz).
//
//go:embed webp.wasm.gz
var Gz []byte
