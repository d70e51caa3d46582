// The one entry point Stillroom calls in libwebp compiled to WebAssembly
// (see webpwasm.go for how the module is built). The module also exports
// malloc and free from wasi-libc: the caller allocates the picture and the
// size word, and frees nothing (each encode has an instance of its own).
#include <stdlib.h>

#include "webp/encode.h"

// The layouts encode takes: RGBA rows, or libwebp's WEBP_YUV420A planes.
#define IN_RGBA 0

// encode compresses the w×h picture at in and returns the WebP file, its
// length stored at *size, or NULL when libwebp fails (a bad size, or no
// memory left). The picture is either RGBA rows of 4*w bytes (colorspace
// IN_RGBA) or, for colorspace WEBP_YUV420A, the planes Y (w×h), U and V
// (each ((w+1)/2)×((h+1)/2)) and A (w×h), one after the other. quality,
// method, lossless and exact are WebPConfig's fields of those names.
uint8_t *encode(uint8_t *in, int w, int h, size_t *size, int colorspace,
                int quality, int method, int lossless, int exact) {
  WebPConfig config;
  WebPPicture pic;
  WebPMemoryWriter out;
  if (!WebPConfigInit(&config) || !WebPPictureInit(&pic)) return NULL;
  config.quality = (float)quality;
  config.method = method;
  config.lossless = lossless;
  config.exact = exact;

  pic.width = w;
  pic.height = h;
  if (colorspace == WEBP_YUV420A) {
    const int luma = w * h;
    const int chroma = ((w + 1) / 2) * ((h + 1) / 2);
    pic.use_argb = 0;
    pic.colorspace = WEBP_YUV420A;
    pic.y = in;
    pic.u = in + luma;
    pic.v = in + luma + chroma;
    pic.a = in + luma + 2 * chroma;
    pic.y_stride = w;
    pic.a_stride = w;
    pic.uv_stride = (w + 1) / 2;
  } else if (colorspace == IN_RGBA) {
    pic.use_argb = 1;
    if (!WebPPictureImportRGBA(&pic, in, 4 * w)) return NULL;
  } else {
    return NULL;
  }

  WebPMemoryWriterInit(&out);
  pic.writer = WebPMemoryWrite;
  pic.custom_ptr = &out;
  const int ok = WebPEncode(&config, &pic);
  WebPPictureFree(&pic);  // frees only what libwebp allocated, never in
  if (!ok) {
    WebPMemoryWriterClear(&out);
    return NULL;
  }
  *size = out.size;
  return out.mem;
}
