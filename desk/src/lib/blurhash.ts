// A blurhash decoder (https://blurha.sh, the algorithm is public domain in
// spirit and MIT in its reference code; this is written from the spec) that
// paints the placeholder straight onto a small canvas, so no image URL is
// made and the page's Content-Security-Policy stays strict.
const chars = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~';

function decode83(s: string): number {
  let v = 0;
  for (const c of s) {
    const d = chars.indexOf(c);
    if (d < 0) throw new Error('blurhash: bad character');
    v = v * 83 + d;
  }
  return v;
}

function toLinear(v: number): number {
  const x = v / 255;
  return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
}

function toSRGB(v: number): number {
  const x = Math.max(0, Math.min(1, v));
  return Math.round(x <= 0.0031308 ? x * 12.92 * 255 : (1.055 * x ** (1 / 2.4) - 0.055) * 255);
}

function signPow(v: number, e: number): number {
  return Math.sign(v) * Math.abs(v) ** e;
}

/** Paints hash onto canvas at the canvas's own size; false when the hash is not valid. */
export function paintBlurhash(canvas: HTMLCanvasElement, hash: string, punch = 1): boolean {
  try {
    if (hash.length < 6) return false;
    const size = decode83(hash[0]);
    const nx = (size % 9) + 1;
    const ny = Math.floor(size / 9) + 1;
    if (hash.length !== 4 + 2 * nx * ny) return false;
    const maxAC = ((decode83(hash[1]) + 1) / 166) * punch;
    const colors: [number, number, number][] = [];
    const dc = decode83(hash.slice(2, 6));
    colors.push([toLinear(dc >> 16), toLinear((dc >> 8) & 255), toLinear(dc & 255)]);
    for (let i = 1; i < nx * ny; i++) {
      const v = decode83(hash.slice(4 + i * 2, 6 + i * 2));
      const q = (x: number) => signPow((x - 9) / 9, 2) * maxAC;
      colors.push([q(Math.floor(v / 361)), q(Math.floor(v / 19) % 19), q(v % 19)]);
    }
    const w = canvas.width;
    const h = canvas.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) return false;
    const img = ctx.createImageData(w, h);
    const px = img.data;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let j = 0; j < ny; j++) {
          const cy = Math.cos((Math.PI * y * j) / h);
          for (let i = 0; i < nx; i++) {
            const basis = Math.cos((Math.PI * x * i) / w) * cy;
            const c = colors[i + j * nx];
            r += c[0] * basis;
            g += c[1] * basis;
            b += c[2] * basis;
          }
        }
        const o = 4 * (x + y * w);
        px[o] = toSRGB(r);
        px[o + 1] = toSRGB(g);
        px[o + 2] = toSRGB(b);
        px[o + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
    return true;
  } catch {
    return false;
  }
}

const urls = new Map<string, string>();

/**
 * The placeholder as a small PNG data URL (for a CSS background behind an
 * image that is still loading), made once per hash; '' when it cannot be.
 */
export function blurhashURL(hash: string | null | undefined): string {
  if (!hash) return '';
  let u = urls.get(hash);
  if (u === undefined) {
    const c = document.createElement('canvas');
    c.width = c.height = 32;
    u = paintBlurhash(c, hash) ? c.toDataURL() : '';
    if (urls.size > 500) urls.clear();
    urls.set(hash, u);
  }
  return u;
}
