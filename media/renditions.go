package media

import (
	"context"
	"fmt"
	"image"
	"math"
	"slices"

	"github.com/stillroom/stillroom/core"
)

// Spec describes one rendition. A width rendition (Square false) is Width
// pixels wide, or as wide as the original when that is narrower, keeping
// the aspect ratio; it is also at most MaxHeightRatio×Width high, so very
// tall images are fitted into that box instead. A square rendition is
// min(Width, shorter side of the original) on each side, cropped around the
// focal point.
type Spec struct {
	Name   string
	Width  int
	Square bool
}

// MaxHeightRatio bounds the height of a width rendition to this multiple of
// its spec width. Without it a 1×60000 image fitted to a width of 2048
// would ask for 2048×122,880,000 pixels.
const MaxHeightRatio = 4

// RenditionSpecs are the renditions every image asset has, named as in the
// API. The sizes never upscale, so every asset has all of them.
var RenditionSpecs = []Spec{
	{Name: "w2048", Width: 2048},
	{Name: "w1024", Width: 1024},
	{Name: "w512", Width: 512},
	{Name: "w256", Width: 256},
	{Name: "square512", Width: 512, Square: true},
}

// Rendition is one encoded rendition: re-encoded pixels with no metadata,
// already turned upright.
type Rendition struct {
	Name          string
	Width, Height int
	Format        Format // FormatJPEG or FormatPNG
	MimeType      string
	Data          []byte
}

// Result is the outcome of Process.
type Result struct {
	Probe Probe
	// Width and Height are the original's size after EXIF orientation.
	Width, Height int
	// Renditions follow the order of RenditionSpecs.
	Renditions []Rendition
}

// Options tune Process. The zero value is the defaults.
type Options struct {
	// Limits are checked before decoding; zero fields take DefaultLimits.
	Limits Limits
	// FocalX and FocalY are the point the square crop centres on, each
	// 0..1 from the top-left of the upright image. Both zero means the
	// centre (0.5, 0.5).
	FocalX, FocalY float64
	// JPEGQuality is 1..100; 0 means DefaultJPEGQuality.
	JPEGQuality int
}

// Process decodes an image once and makes every rendition of
// RenditionSpecs. Opaque images give JPEG renditions; images where any
// pixel has alpha below 255 give PNG renditions. Every rendition is upright
// (EXIF orientation applied) and carries no metadata. The same input and
// options give the same bytes.
//
// The pipeline: ProbeImage checks the headers against the limits; the
// image is decoded; while it is at least twice every rendition on both
// axes it is halved by a 2×2 box filter; the largest width rendition is
// resampled from that with Lanczos and each smaller one from the one before
// with Catmull-Rom; the square is cut from the smallest of those that
// still holds it at full size; each is turned upright and encoded in its
// own goroutine as soon as it is made. No resize allocates more than its
// output plus an intermediate of output width × input height.
//
// Memory: the decoded image (1.5 bytes a pixel for a colour JPEG, 4 for an
// 8-bit PNG, 8 for a 16-bit one), one more byte a pixel for the first
// halving, and the renditions: about 100 MB peak for a 24-megapixel JPEG.
// Callers running several at once should bound them, e.g. with a semaphore
// weighted by Probe.Pixels.
//
// Errors: those of ProbeImage (core.CodeUnsupportedMediaType,
// core.CodeBadUserInput, core.CodeTooManyPixels); core.CodeBadUserInput for
// truncated or corrupt pixel data (decoder panics included) and for a focal
// point outside 0..1; ctx.Err(), wrapped, when ctx ends between steps; a
// plain error for a JPEGQuality outside 1..100.
func Process(ctx context.Context, data []byte, opt Options) (*Result, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	p, err := ProbeImage(data, opt.Limits)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("media: process: %w", err)
	}
	img, err := decode(data, p)
	if err != nil {
		return nil, err
	}
	res, err := render(ctx, img, p.Orientation, opt)
	if err != nil {
		return nil, err
	}
	res.Probe = p
	return res, nil
}

func (o Options) withDefaults() (Options, error) {
	o.Limits = o.Limits.withDefaults()
	if o.JPEGQuality == 0 {
		o.JPEGQuality = DefaultJPEGQuality
	}
	if o.JPEGQuality < 1 || o.JPEGQuality > 100 {
		return o, fmt.Errorf("media: JPEG quality %d is outside 1..100", o.JPEGQuality)
	}
	if !(o.FocalX >= 0 && o.FocalX <= 1 && o.FocalY >= 0 && o.FocalY <= 1) { // NaN fails too
		return o, core.Errorf(core.CodeBadUserInput,
			"the focal point (%g, %g) is outside the image: each coordinate must be between 0 and 1",
			o.FocalX, o.FocalY)
	}
	if o.FocalX == 0 && o.FocalY == 0 {
		o.FocalX, o.FocalY = 0.5, 0.5
	}
	return o, nil
}

// render makes the renditions of a decoded image whose EXIF orientation is
// orientation. Geometry is planned in display orientation and carried out
// in stored orientation; each rendition is encoded in the background as
// soon as it is made.
func render(ctx context.Context, src image.Image, orientation int, opt Options) (*Result, error) {
	sb := src.Bounds()
	res := &Result{Width: sb.Dx(), Height: sb.Dy(), Renditions: make([]Rendition, len(RenditionSpecs))}
	if swapsAxes(orientation) {
		res.Width, res.Height = sb.Dy(), sb.Dx()
	}
	sizes := planSizes(res.Width, res.Height, orientation)

	// Halve while the image is at least twice every rendition; halving
	// is what keeps the resamplers' work proportional to the output.
	base := src
	for atLeastTwice(base.Bounds().Size(), sizes) {
		base = halve(base)
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("media: process: %w", err)
		}
	}

	opaque := isOpaque(src)
	enc := newEncodeQueue(len(RenditionSpecs), orientation, opaque, opt.JPEGQuality)
	defer enc.wg.Wait() // no goroutine outlives Process, even on error

	// Width renditions, largest first, each from the one before.
	var widths []int
	for i, s := range RenditionSpecs {
		if !s.Square {
			widths = append(widths, i)
		}
	}
	slices.SortStableFunc(widths, func(a, b int) int { return sizes[b].X*sizes[b].Y - sizes[a].X*sizes[a].Y })
	made := make([]*image.NRGBA, len(RenditionSpecs))
	prev, filter := base, lanczos3
	for _, i := range widths {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("media: process: %w", err)
		}
		made[i] = resize(prev, sizes[i], filter, opaque)
		enc.add(i, made[i])
		prev, filter = made[i], catmullRom
	}

	// Squares, cut from the smallest image that still holds one at full
	// size.
	fx, fy := storedPoint(orientation, opt.FocalX, opt.FocalY)
	for i, s := range RenditionSpecs {
		if !s.Square {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("media: process: %w", err)
		}
		from, filter := base, lanczos3
		for _, k := range slices.Backward(widths) {
			if r := made[k].Rect; min(r.Dx(), r.Dy()) >= sizes[i].X {
				from, filter = made[k], catmullRom
				break
			}
		}
		enc.add(i, resize(cropSquare(from, fx, fy), sizes[i], filter, opaque))
	}

	if err := enc.wait(res.Renditions); err != nil {
		return nil, err
	}
	return res, nil
}

// atLeastTwice reports whether have is at least twice every one of sizes
// on both axes.
func atLeastTwice(have image.Point, sizes []image.Point) bool {
	for _, s := range sizes {
		if have.X < 2*s.X || have.Y < 2*s.Y {
			return false
		}
	}
	return true
}

// planSizes returns the size of each rendition of RenditionSpecs, in
// stored orientation, for an image w×h when upright.
func planSizes(w, h, orientation int) []image.Point {
	sizes := make([]image.Point, len(RenditionSpecs))
	for i, s := range RenditionSpecs {
		if s.Square {
			side := min(s.Width, w, h)
			sizes[i] = image.Pt(side, side)
			continue
		}
		rw, rh := fitBox(w, h, s.Width, MaxHeightRatio*s.Width)
		if swapsAxes(orientation) {
			rw, rh = rh, rw
		}
		sizes[i] = image.Pt(rw, rh)
	}
	return sizes
}

// fitBox returns the size of a w×h image scaled down, aspect kept, to fit
// in boxW×boxH; never scaled up, never below 1×1. Integer arithmetic keeps
// the result exact (1920×1080 into 1024 wide is 1024×576, not 1023).
func fitBox(w, h, boxW, boxH int) (int, int) {
	if w <= boxW && h <= boxH {
		return w, h
	}
	W, H, BW, BH := int64(w), int64(h), int64(boxW), int64(boxH)
	if W*BH >= H*BW { // width is the binding side
		return boxW, int(max(1, (2*H*BW+W)/(2*W)))
	}
	return int(max(1, (2*W*BH+H)/(2*H))), boxH
}

// cropSquare returns the largest square of img centred as near the point
// (fx, fy), each 0..1, as the image's edges allow. It shares img's pixels.
func cropSquare(img image.Image, fx, fy float64) image.Image {
	b := img.Bounds()
	side := min(b.Dx(), b.Dy())
	x := clamp(int(math.Round(fx*float64(b.Dx())-float64(side)/2)), 0, b.Dx()-side)
	y := clamp(int(math.Round(fy*float64(b.Dy())-float64(side)/2)), 0, b.Dy()-side)
	r := image.Rect(x, y, x+side, y+side).Add(b.Min)
	// Every type the decoders and resizers return has SubImage.
	return img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(r)
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }
