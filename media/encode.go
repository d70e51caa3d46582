package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"runtime"
	"slices"
	"sync"
)

// DefaultJPEGQuality is the quality of JPEG renditions unless Options says
// otherwise.
const DefaultJPEGQuality = 82

// encodeJPEG encodes an opaque image as a baseline JPEG with no metadata
// segments. image/jpeg writes no APP segments, so no EXIF, XMP or ICC
// profile from the original can reach a rendition.
func encodeJPEG(img *image.NRGBA, quality int) ([]byte, error) {
	// With every alpha at 0xFF, NRGBA and RGBA bytes are identical, and
	// jpeg.Encode has a fast path for *image.RGBA but reads *image.NRGBA
	// through At (FACTS.md: about 1.6× slower). The caller only sends
	// opaque images here.
	rgba := &image.RGBA{Pix: img.Pix, Stride: img.Stride, Rect: img.Rect}
	var buf bytes.Buffer
	buf.Grow(img.Rect.Dx() * img.Rect.Dy() / 4)
	if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: quality}); err != nil {
		return nil, fmt.Errorf("media: encode JPEG: %w", err)
	}
	return buf.Bytes(), nil
}

// encodePNG encodes an image with transparency as a PNG. image/png writes
// only the chunks the pixels need (IHDR, PLTE/tRNS, IDAT, IEND).
func encodePNG(img *image.NRGBA) ([]byte, error) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.DefaultCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("media: encode PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// flattenOnWhite returns img laid over white: opaque pixels for a JPEG.
func flattenOnWhite(img *image.NRGBA) *image.NRGBA {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		s := img.Pix[img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y):][:4*w]
		d := dst.Pix[y*dst.Stride:][:4*w]
		for x := 0; x < 4*w; x += 4 {
			a := uint32(s[x+3])
			for c := range 3 {
				d[x+c] = uint8((uint32(s[x+c])*a + 255*(255-a) + 127) / 255)
			}
			d[x+3] = 0xFF
		}
	}
	return dst
}

// encodeQueue turns renditions upright and encodes them on a few worker
// goroutines (GOMAXPROCS of them) while the next rendition is being
// resampled. Work is taken in the order it is added, and each rendition's
// WebP twin is added before its JPEG/PNG: the largest rendition comes
// first, and its WebP encode, the longest piece of work in Process (about
// 1.4 s of one core for a noisy 2048-wide photo with the WebAssembly
// encoder, against 0.2 s for its JPEG), starts as soon as that rendition
// exists and has a core to itself while the other workers go through
// everything else. A goroutine per encode instead let every encode share
// the cores evenly, and the largest WebP, started as early, finished last
// and late.
type encodeQueue struct {
	ctx         context.Context
	orientation int
	opaque      bool
	opt         Options
	wg          sync.WaitGroup
	tasks       chan func()
	closed      bool
	byImage     map[*image.NRGBA]*encodeJob
	jobs        []*encodeJob // by rendition index
}

type encodeJob struct {
	img          *image.NRGBA // upright
	format       Format
	data, webp   []byte
	err, webpErr error
}

func newEncodeQueue(ctx context.Context, orientation int, opaque bool, opt Options) *encodeQueue {
	q := &encodeQueue{
		ctx:         ctx,
		orientation: orientation,
		opaque:      opaque,
		opt:         opt,
		tasks:       make(chan func(), 2*len(RenditionSpecs)), // add never blocks
		byImage:     map[*image.NRGBA]*encodeJob{},
		jobs:        make([]*encodeJob, len(RenditionSpecs)),
	}
	tasks := q.tasks
	for range max(1, runtime.GOMAXPROCS(0)) {
		q.wg.Go(func() {
			for task := range tasks {
				task()
			}
		})
	}
	return q
}

// add queues img as rendition i of RenditionSpecs. An image already queued
// for another rendition (a size capped at the original's) is encoded once.
func (q *encodeQueue) add(i int, img *image.NRGBA) {
	spec := RenditionSpecs[i]
	if j := q.byImage[img]; j != nil && !spec.JPEGOnly {
		q.jobs[i] = j
		return
	}
	j := &encodeJob{format: FormatPNG}
	if q.opaque || spec.JPEGOnly {
		j.format = FormatJPEG
	}
	if !spec.JPEGOnly {
		q.byImage[img] = j
	}
	q.jobs[i] = j
	// Turning upright is a copy (none for most photos): done here, so
	// both encodes can start from it.
	j.img = orient(img, q.orientation)
	if !spec.JPEGOnly {
		q.tasks <- func() { j.webp, j.webpErr = encodeWebP(q.ctx, j.img, q.opt.WebPQuality) }
	}
	q.tasks <- func() {
		switch {
		case j.format == FormatPNG:
			j.data, j.err = encodePNG(j.img)
		case q.opaque:
			j.data, j.err = encodeJPEG(j.img, q.opt.JPEGQuality)
		default:
			j.data, j.err = encodeJPEG(flattenOnWhite(j.img), q.opt.JPEGQuality)
		}
	}
}

// close ends the queue: the workers finish what was added and exit.
// Process closes it on every return, error or not.
func (q *encodeQueue) close() {
	if !q.closed {
		close(q.tasks)
		q.closed = true
	}
	q.wg.Wait()
}

// wait waits for every encode and fills res.Renditions: the JPEG/PNG set,
// then the WebP twins. Each rendition gets its own copy of shared bytes.
func (q *encodeQueue) wait(res *Result) error {
	q.close()
	seen := map[*byte]bool{}
	own := func(b []byte) []byte {
		if len(b) > 0 && seen[&b[0]] {
			return slices.Clone(b)
		}
		if len(b) > 0 {
			seen[&b[0]] = true
		}
		return b
	}
	for i, j := range q.jobs {
		if j.err != nil {
			return j.err
		}
		res.Renditions = append(res.Renditions, Rendition{
			Name:     RenditionSpecs[i].Name,
			Width:    j.img.Rect.Dx(),
			Height:   j.img.Rect.Dy(),
			Format:   j.format,
			MimeType: j.format.MimeType(),
			Data:     own(j.data),
		})
	}
	for i, j := range q.jobs {
		if RenditionSpecs[i].JPEGOnly {
			continue
		}
		if j.webpErr != nil {
			return j.webpErr
		}
		res.Renditions = append(res.Renditions, Rendition{
			Name:     RenditionSpecs[i].Name,
			Width:    j.img.Rect.Dx(),
			Height:   j.img.Rect.Dy(),
			Format:   FormatWebP,
			MimeType: FormatWebP.MimeType(),
			Data:     own(j.webp),
		})
	}
	return nil
}
