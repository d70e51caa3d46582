package media

import (
	"bytes"
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

// encodeQueue turns renditions upright and encodes them, each in its own
// goroutine, while the next one is being resampled.
type encodeQueue struct {
	orientation int
	opaque      bool
	quality     int
	wg          sync.WaitGroup
	byImage     map[*image.NRGBA]*encodeJob
	jobs        []*encodeJob // by rendition index
}

type encodeJob struct {
	img  *image.NRGBA // upright once done
	data []byte
	err  error
}

func newEncodeQueue(n, orientation int, opaque bool, quality int) *encodeQueue {
	return &encodeQueue{
		orientation: orientation,
		opaque:      opaque,
		quality:     quality,
		byImage:     map[*image.NRGBA]*encodeJob{},
		jobs:        make([]*encodeJob, n),
	}
}

// add queues img as rendition i. An image already queued for another
// rendition (a size capped at the original's) is encoded once.
func (q *encodeQueue) add(i int, img *image.NRGBA) {
	if j := q.byImage[img]; j != nil {
		q.jobs[i] = j
		return
	}
	j := &encodeJob{img: img}
	q.byImage[img], q.jobs[i] = j, j
	q.wg.Go(func() {
		j.img = orient(j.img, q.orientation)
		if q.opaque {
			j.data, j.err = encodeJPEG(j.img, q.quality)
		} else {
			j.data, j.err = encodePNG(j.img)
		}
	})
}

// wait waits for every encode and fills rs, one per queued rendition. Each
// rendition gets its own copy of shared bytes.
func (q *encodeQueue) wait(rs []Rendition) error {
	q.wg.Wait()
	f := FormatPNG
	if q.opaque {
		f = FormatJPEG
	}
	seen := map[*encodeJob]bool{}
	for i, j := range q.jobs {
		if j.err != nil {
			return j.err
		}
		data := j.data
		if seen[j] {
			data = slices.Clone(data)
		}
		seen[j] = true
		rs[i] = Rendition{
			Name:     RenditionSpecs[i].Name,
			Width:    j.img.Rect.Dx(),
			Height:   j.img.Rect.Dy(),
			Format:   f,
			MimeType: f.MimeType(),
			Data:     data,
		}
	}
	return nil
}
