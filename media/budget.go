package media

import (
	"context"
	"fmt"
	"image"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/semaphore"
)

// DefaultBudgetBytes is a memory budget for image processing suited to a
// server with GOMEMLIMIT=1GiB or more. Keep a budget at or below about 60%
// of GOMEMLIMIT (or of the memory the process may use): the rest is the
// heap's other tenants — originals read into memory (up to the upload
// limit each), request bodies, encoded renditions on their way to storage
// — and the headroom the garbage collector needs to keep up without
// running constantly near the limit. 512 MiB runs about seven 24-megapixel
// JPEGs at once, or one image at the DefaultMaxPixels limit.
const DefaultBudgetBytes = 512 << 20

// Budget shares a memory budget between concurrent Process calls: a
// semaphore (golang.org/x/sync/semaphore) weighted by each image's
// DecodeCost. Waiters are served in arrival order, so a large image is not
// starved by a stream of small ones. An image whose cost exceeds the whole
// budget is still processed, alone: it waits until nothing else holds any
// of the budget, and nothing else starts until it is done. What one image
// may cost at all is bounded before: ProbeImage refuses an image over
// Limits.MaxDecodeBytes (DefaultMaxDecodeBytes, three halves of the
// default budget) with core.CodeTooManyPixels, before it is stored. The
// zero value is not usable; call NewBudget.
type Budget struct {
	size int64
	sem  *semaphore.Weighted
	used atomic.Int64 // bytes held, for InUse
	// waiting counts the calls that did not get their weight at once:
	// those queued in sem or about to be (tests wait on it).
	waiting atomic.Int64
}

// NewBudget returns a budget of maxBytes; zero or less means
// DefaultBudgetBytes.
func NewBudget(maxBytes int64) *Budget {
	if maxBytes <= 0 {
		maxBytes = DefaultBudgetBytes
	}
	return &Budget{size: maxBytes, sem: semaphore.NewWeighted(maxBytes)}
}

// Size returns the budget in bytes.
func (b *Budget) Size() int64 { return b.size }

// InUse returns the bytes currently held.
func (b *Budget) InUse() int64 { return b.used.Load() }

// Acquire waits until DecodeCost(p) bytes of the budget are free, takes
// them and returns the function that gives them back (safe to call more
// than once). It fails only when ctx ends first, with ctx.Err() wrapped;
// then nothing is held.
func (b *Budget) Acquire(ctx context.Context, p Probe) (release func(), err error) {
	return b.acquire(ctx, DecodeCost(p))
}

func (b *Budget) acquire(ctx context.Context, n int64) (func(), error) {
	n = max(0, min(n, b.size)) // more than the whole budget: wait to be alone
	if !b.sem.TryAcquire(n) {
		b.waiting.Add(1)
		err := b.sem.Acquire(ctx, n)
		b.waiting.Add(-1)
		if err != nil {
			return nil, fmt.Errorf("media: wait for the memory budget: %w", err)
		}
	}
	b.used.Add(n)
	var once sync.Once
	return func() {
		once.Do(func() {
			b.used.Add(-n)
			b.sem.Release(n)
		})
	}, nil
}

// webpBytesPerPixel bounds the memory of one WebP encode a pixel: the
// YUV 4:2:0 planes written into the encoder's memory (1.5) and libwebp's
// working buffers, about 4 bytes a pixel for a photo and up to 9 for
// noise. With the WebAssembly encoder that memory is mapped outside Go's
// heap and returned after each encode (webp.go), but it is resident while
// the encode runs, so it counts here.
const webpBytesPerPixel = 8

// DecodeCost returns an upper bound of the bytes Process holds at its
// peak for an image with headers p: the decoder's allocations (for a
// JPEG, at the reduced scale it is decoded at, as its layout in p
// dictates: its pixel planes, and for a progressive file its coefficients
// at full size, 2 bytes a sample whatever the scale, for CMYK and RGB
// files the copy they are converted into; see
// jpegscaled.Layout.DecodeBytes; for a PNG, GIF or WebP, as its Coding in
// p dictates: from 1 byte a pixel for 8-bit grey, a palette or a GIF to
// 16 for an interlaced 16-bit PNG; see decodeBytes), the 2×2 shrinks
// render makes, if any (a byte a decoded pixel for the first, a quarter
// of that for each next), for each rendition its pixels, its upright copy
// and the resampler's intermediate (12 bytes a rendition pixel; 8 for an
// image stored upright, EXIF orientation 1, which has no copy), for each
// WebP twin the WebAssembly encoder's memory (a copy of the pixels and
// libwebp's planes and buffers: webpBytesPerPixel), plus 4 MiB for the
// decoders' and encoders' buffers. For a 6000×4000 baseline 4:2:0 JPEG
// stored upright it is about 86 MB, for a progressive one 155 MB; for a
// 24-megapixel PNG, 122 MB as 8-bit grey or palette (or a GIF), 194 MB as
// 8-bit RGB or RGBA, 290 MB as 16-bit RGBA, 482 MB as that interlaced;
// for a 24-megapixel WebP 134 MB lossy, 430 MB lossless (170 MB of it the
// bound of its Huffman trees: vp8lTrees).
func DecodeCost(p Probe) int64 {
	heap, webp := decodeCostParts(p)
	return heap + webp
}

// decodeCostParts is DecodeCost in two parts: what Go's heap holds, and
// what the WebP encodes of the twins hold outside it.
func decodeCostParts(p Probe) (heap, webp int64) {
	shift := decodeShift(p)
	if p.Format == FormatJPEG {
		heap = p.jpegLayout().DecodeBytes(shift)
	} else {
		heap = decodeBytes(p)
	}
	heap += 4 << 20
	// The halvings render makes, each an NRGBA of a quarter of the pixels.
	w, h := p.DisplaySize()
	f := 1 << shift
	base, stored := image.Pt((p.Width+f-1)/f, (p.Height+f-1)/f), planSizes(w, h, p.Orientation)
	for atLeastTwice(base, stored) {
		base = base.Div(2)
		heap += int64(base.X) * int64(base.Y) * 4
	}
	perPixel := int64(12) // the rendition, its upright copy, the resampler's intermediate
	if p.Orientation < 2 || p.Orientation > 8 {
		perPixel = 8 // already upright: orient returns the rendition itself
	}
	for i, s := range planSizes(w, h, 1) {
		heap += int64(s.X) * int64(s.Y) * perPixel
		if !RenditionSpecs[i].JPEGOnly {
			webp += int64(s.X) * int64(s.Y) * webpBytesPerPixel
		}
	}
	return heap, webp
}
