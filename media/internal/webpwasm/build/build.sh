#!/usr/bin/env bash
# Rebuilds ../webp.wasm.gz: libwebp's encoder compiled to WebAssembly with
# 128-bit SIMD, plus encode.c. Nothing at build or test time runs this; the
# output is committed. Run it after changing encode.c or moving to another
# libwebp, then run `go test ./media` (TestWebPWasmSameAsReference).
#
# Usage: media/internal/webpwasm/build/build.sh /path/to/libwebp
#   where /path/to/libwebp is a git checkout of libwebp at the tag below
#   (https://chromium.googlesource.com/webm/libwebp or its GitHub mirror).
#
# The toolchain is Debian 12's: clang and lld 14, wasi-libc and the wasm32
# compiler runtime, installed with apt-get when missing (as root). libwebp's
# SSE2 code is used through Emscripten's SSE2-on-WebAssembly-SIMD headers
# (emmintrin.h and xmmintrin.h, MIT; taken from Debian's emscripten package,
# which is downloaded and unpacked, not installed), the way libwebp builds
# for Emscripten (its src/dsp/cpu.c): the encoder's transforms, distortion
# and quantization then run as SIMD. Its SSE4.1 code is left out: it was no
# faster here. With these inputs the build is reproducible byte for byte;
# the script prints the module's sha256.
set -euo pipefail

want_tag=v1.4.0
here=$(cd "$(dirname "$0")/.." && pwd)
src=${1:?usage: $0 /path/to/libwebp}
src=$(cd "$src" && pwd)
if [ "$(git -C "$src" describe --tags --exact-match 2>/dev/null)" != "$want_tag" ]; then
	echo "build.sh: $src is not a libwebp checkout at $want_tag" >&2
	exit 1
fi

missing=()
command -v clang >/dev/null || missing+=(clang)
command -v wasm-ld >/dev/null || missing+=(lld)
[ -e /usr/lib/wasm32-wasi/libc.a ] || missing+=(wasi-libc)
ls /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1 || missing+=(libclang-rt-dev-wasm32)
if ((${#missing[@]})); then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q emscripten >/dev/null 2>&1 && dpkg -x emscripten_*.deb em)
mkdir "$work/include"
cp "$work"/em/usr/share/emscripten/system/include/compat/{xmmintrin,emmintrin}.h "$work/include/"

# The encoder, the DSP code it uses (C and SSE2) and sharpyuv; no decoder.
files=()
for f in "$src"/src/{dsp,enc,utils}/*.c "$src"/sharpyuv/*.c; do
	case $f in
	*_neon.c | *_msa.c | *_mips32.c | *_mips_dsp_r2.c | *_sse41.c | *_avx2.c) ;;
	*) files+=("$f") ;;
	esac
done

clang --target=wasm32-wasi -O3 -msimd128 -mnontrapping-fptoint -mbulk-memory \
	-mexec-model=reactor -D__SSE__ -D__SSE2__ -DEMSCRIPTEN -DNDEBUG \
	-ffile-prefix-map="$src"=libwebp -ffile-prefix-map="$here"=webpwasm \
	-Wno-deprecated-declarations -Wno-absolute-value \
	-I"$work/include" -I"$src" -I"$src/src" \
	-Wl,--no-entry -Wl,--gc-sections \
	-Wl,--export=malloc -Wl,--export=free -Wl,--export=encode \
	-o "$work/webp.wasm" "$here/build/encode.c" "${files[@]}"

gzip -9 -n -c "$work/webp.wasm" >"$here/webp.wasm.gz"
cp "$src/COPYING" "$here/COPYING.libwebp"
cp "$src/PATENTS" "$here/PATENTS.libwebp"
echo "webp.wasm: $(wc -c <"$work/webp.wasm") bytes, sha256 $(sha256sum "$work/webp.wasm" | cut -d' ' -f1)"
