package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
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

// encodeQueue turns renditions upright and encodes them, each in its own
// goroutine (its WebP twin in another), while the next one is being
// resampled.
type encodeQueue struct {
	ctx         context.Context
	orientation int
	opaque      bool
	opt         Options
	wg          sync.WaitGroup
	byImage     map[*image.NRGBA]*encodeJob
	jobs        []*encodeJob // by rendition index
}

type encodeJob struct {
	img          *image.NRGBA // upright once done
	format       Format
	data, webp   []byte
	err, webpErr error
}

func newEncodeQueue(ctx context.Context, orientation int, opaque bool, opt Options) *encodeQueue {
	return &encodeQueue{
		ctx:         ctx,
		orientation: orientation,
		opaque:      opaque,
		opt:         opt,
		byImage:     map[*image.NRGBA]*encodeJob{},
		jobs:        make([]*encodeJob, len(RenditionSpecs)),
	}
}

// add queues img as rendition i of RenditionSpecs. An image already queued
// for another rendition (a size capped at the original's) is encoded once.
func (q *encodeQueue) add(i int, img *image.NRGBA) {
	spec := RenditionSpecs[i]
	if j := q.byImage[img]; j != nil && !spec.JPEGOnly {
		q.jobs[i] = j
		return
	}
	j := &encodeJob{img: img, format: FormatPNG}
	if q.opaque || spec.JPEGOnly {
		j.format = FormatJPEG
	}
	if !spec.JPEGOnly {
		q.byImage[img] = j
	}
	q.jobs[i] = j
	q.wg.Go(func() {
		j.img = orient(j.img, q.orientation)
		if !spec.JPEGOnly {
			q.wg.Go(func() { j.webp, j.webpErr = encodeWebP(q.ctx, j.img, q.opt.WebPQuality) })
		}
		switch {
		case j.format == FormatPNG:
			j.data, j.err = encodePNG(j.img)
		case q.opaque:
			j.data, j.err = encodeJPEG(j.img, q.opt.JPEGQuality)
		default:
			j.data, j.err = encodeJPEG(flattenOnWhite(j.img), q.opt.JPEGQuality)
		}
	})
}

// wait waits for every encode and fills res.Renditions: the JPEG/PNG set,
// then the WebP twins. Each rendition gets its own copy of shared bytes.
func (q *encodeQueue) wait(res *Result) error {
	q.wg.Wait()
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
