package media

import (
	"context"
	"fmt"
	"image"
	"math"
	"slices"

	"github.com/stillroom/stillroom/core"
)

// Spec describes one rendition. A width rendition (Height 0) is Width
// pixels wide, or as wide as the original when that is narrower, keeping
// the aspect ratio; it is also at most MaxHeightRatio×Width high, so very
// tall images are fitted into that box instead. A crop (Height > 0) is the
// largest Width:Height rectangle of the original centred as near the focal
// point as the edges allow (so the focal point is always inside it),
// scaled down to Width×Height, or kept at its own size when smaller:
// never upscaled.
type Spec struct {
	Name   string
	Width  int
	Height int
	// JPEGOnly renditions are always JPEG, transparent pixels laid over
	// white, and have no WebP twin: link previews (Open Graph, Twitter
	// cards) are read by crawlers that may not take PNG or WebP.
	JPEGOnly bool
}

// Crop reports whether s is a crop rather than a width rendition.
func (s Spec) Crop() bool { return s.Height > 0 }

// MaxHeightRatio bounds the height of a width rendition to this multiple of
// its spec width. Without it a 1×60000 image fitted to a width of 2048
// would ask for 2048×122,880,000 pixels.
const MaxHeightRatio = 4

// RenditionSpecs are the renditions every image asset has, named as in the
// API. The sizes never upscale, so every asset has all of them. Every one
// but the JPEGOnly ones also has a WebP twin of the same name and size.
var RenditionSpecs = []Spec{
	{Name: "w2048", Width: 2048},
	{Name: "w1024", Width: 1024},
	{Name: "w512", Width: 512},
	{Name: "w256", Width: 256},
	{Name: "square512", Width: 512, Height: 512},
	// The link-preview card: 1.91:1, the size Facebook, LinkedIn and X
	// recommend.
	{Name: "social", Width: 1200, Height: 630, JPEGOnly: true},
}

// Rendition is one encoded rendition: re-encoded pixels with no metadata,
// already turned upright.
type Rendition struct {
	Name          string
	Width, Height int
	Format        Format // FormatJPEG, FormatPNG or FormatWebP
	MimeType      string
	Data          []byte
}

// Result is the outcome of Process.
type Result struct {
	Probe Probe
	// Width and Height are the original's size after EXIF orientation.
	Width, Height int
	// Renditions are the JPEG/PNG set in the order of RenditionSpecs, then
	// the WebP twins of those that are not JPEGOnly, in the same order.
	Renditions []Rendition
	// Blurhash is a 28-character BlurHash of the image (BlurhashX ×
	// BlurhashY components), a placeholder to show while it loads.
	Blurhash string
	// DominantColor is the colour covering most of the image, "#rrggbb"
	// ("" for a wholly transparent one); see dominantColor.
	DominantColor string
	// FocalX and FocalY are a content-aware default focal point, each 0..1
	// from the top-left of the upright image (see defaultFocalPoint),
	// computed whatever Options say. The square rendition is centred on it
	// unless Options give a focal point.
	FocalX, FocalY float64
	// Metadata is what the file's EXIF, XMP and IPTC say (ReadMetadata).
	Metadata Metadata
}

// Options tune Process. The zero value is the defaults.
type Options struct {
	// Limits are checked before decoding; zero fields take DefaultLimits.
	Limits Limits
	// FocalX and FocalY are the point the square crop centres on, each
	// 0..1 from the top-left of the upright image: a person's choice. Both
	// zero means none, unless FocalSet: the content-aware default
	// (Result.FocalX, FocalY) is used.
	FocalX, FocalY float64
	// FocalSet says FocalX and FocalY are given even when both are zero
	// (the top-left corner is a choice a person can make).
	FocalSet bool
	// JPEGQuality is 1..100; 0 means DefaultJPEGQuality.
	JPEGQuality int
	// WebPQuality is 1..99; 0 means DefaultWebPQuality.
	WebPQuality int
	// Budget, when not nil, bounds the memory of concurrent Process calls
	// that share it: Process takes DecodeCost of the image from it after
	// probing the headers and gives it back on return.
	Budget *Budget
}

// Process decodes an image once and makes every rendition of
// RenditionSpecs. Opaque images give JPEG renditions; images where any
// pixel has alpha below 255 give PNG renditions (JPEGOnly ones are JPEG
// whatever the image); every rendition but the JPEGOnly ones also gets a
// lossy WebP twin (with alpha when the image has it) encoded from the same
// pixels. Every rendition is upright
// (EXIF orientation applied) and carries no metadata. The same input and
// options give the same bytes. The Result also carries the file's
// metadata (ReadMetadata), a blurhash, the dominant colour and a
// content-aware default focal point.
//
// The pipeline: ProbeImage checks the headers against the limits;
// Options.Budget, if any, is acquired; the image is decoded — a JPEG at
// the smallest of 1/1, 1/2, 1/4 or 1/8 of its size that is still at least
// twice every rendition, by reduced inverse DCTs, with the entropy decoding
// and the reconstruction on different goroutines (media/internal/jpeg);
// while it is still at least twice every rendition on both axes it is
// halved by a 2×2 box filter; the largest width rendition is resampled
// from that with Lanczos and each smaller one from the one before with
// Catmull-Rom; the placeholder, colour and focal point are computed on the
// smallest; each crop (the square, the social card) is cut from the
// smallest rendition that still holds it at full size; each is turned
// upright as soon as it is made and its encodes, the WebP twin first, are
// queued to GOMAXPROCS workers, so the largest WebP (the longest encode)
// starts first and keeps a core (see encodeQueue; at most GOMAXPROCS WebP
// encodes run at once in the process, see encodeWebP). No resize
// allocates more than its output plus an intermediate of output width ×
// input height.
//
// Memory: the decoded image (1.5 bytes a pixel for a colour JPEG, after
// the reduced decode: a 6000×4000 photo is decoded at 3000×2000; 1 to 4
// for an 8-bit PNG, 2 to 8 for a 16-bit one, twice that while an
// interlaced one is decoded; see decodeBytes), one more byte a pixel for a first
// halving, the renditions, and for each WebP encode in flight the
// encoder's memory (with the WebAssembly encoder, outside Go's heap and
// given back when the encode ends: about 4 bytes a pixel of its rendition
// for a photograph, up to 9 for pure noise, whose coded tokens are many:
// 10 and 26 MB at 2048×1365). Callers running several at once should share a
// Budget (Options.Budget), which weighs each image by DecodeCost.
//
// Errors: those of ProbeImage (core.CodeUnsupportedMediaType,
// core.CodeBadUserInput, core.CodeTooManyPixels); core.CodeBadUserInput for
// truncated or corrupt pixel data (decoder panics included) and for a focal
// point outside 0..1; ctx.Err(), wrapped, when ctx ends between steps or
// while waiting for Options.Budget or a WebP slot; a plain error for a
// JPEGQuality outside 1..100 or a WebPQuality outside 1..99.
func Process(ctx context.Context, data []byte, opt Options) (*Result, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	p, err := ProbeImage(data, opt.Limits)
	if err != nil {
		return nil, err
	}
	if opt.Budget != nil {
		release, err := opt.Budget.Acquire(ctx, p)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("media: process: %w", err)
	}
	img, err := decode(data, p, decodeShift(p))
	if err != nil {
		return nil, err
	}
	res, err := render(ctx, img, image.Pt(p.Width, p.Height), p.Orientation, opt)
	if err != nil {
		return nil, err
	}
	res.Probe = p
	res.Metadata = ReadMetadata(data)
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
	if o.WebPQuality == 0 {
		o.WebPQuality = DefaultWebPQuality
	}
	if o.WebPQuality < 1 || o.WebPQuality > 99 { // libwebp takes 100 as lossless
		return o, fmt.Errorf("media: WebP quality %d is outside 1..99", o.WebPQuality)
	}
	if !(o.FocalX >= 0 && o.FocalX <= 1 && o.FocalY >= 0 && o.FocalY <= 1) { // NaN fails too
		return o, core.Errorf(core.CodeBadUserInput,
			"the focal point (%g, %g) is outside the image: each coordinate must be between 0 and 1",
			o.FocalX, o.FocalY)
	}
	return o, nil
}

// decodeShift returns how many times a JPEG can be halved while it is
// decoded (up to 3, an eighth) and still be at least twice every
// rendition: the halvings render would otherwise do with a box filter
// after decoding at full size. Other formats are decoded at full size.
func decodeShift(p Probe) uint {
	if p.Format != FormatJPEG {
		return 0
	}
	w, h := p.DisplaySize()
	sizes := planSizes(w, h, p.Orientation)
	shift := uint(0)
	for shift < 3 && atLeastTwice(image.Pt(p.Width>>shift, p.Height>>shift), sizes) {
		shift++
	}
	return shift
}

// render makes the renditions of a decoded image whose EXIF orientation is
// orientation and whose original, as stored, is full (src may be smaller:
// decoded at a reduced scale). Geometry is planned in display orientation
// and carried out in stored orientation; each rendition is encoded in the
// background as soon as it is made.
func render(ctx context.Context, src image.Image, full image.Point, orientation int, opt Options) (*Result, error) {
	res := &Result{Width: full.X, Height: full.Y}
	if swapsAxes(orientation) {
		res.Width, res.Height = full.Y, full.X
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
	enc := newEncodeQueue(ctx, orientation, opaque, opt)
	defer enc.close() // no goroutine outlives Process, even on error

	// Width renditions, largest first, each from the one before.
	var widths []int
	for i, s := range RenditionSpecs {
		if !s.Crop() {
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

	// The placeholder, the dominant colour and the default focal point
	// come from the smallest width rendition, upright.
	res.FocalX, res.FocalY = 0.5, 0.5
	if len(widths) > 0 {
		small := orient(made[widths[len(widths)-1]], orientation)
		res.FocalX, res.FocalY = defaultFocalPoint(small)
		res.Blurhash = blurhash(small, BlurhashX, BlurhashY)
		res.DominantColor = dominantColor(small)
	}

	// Crops, cut from the smallest image that still holds one at full
	// size, around the caller's focal point or else the default.
	focalX, focalY := opt.FocalX, opt.FocalY
	if !opt.FocalSet && focalX == 0 && focalY == 0 {
		focalX, focalY = res.FocalX, res.FocalY
	}
	fx, fy := storedPoint(orientation, focalX, focalY)
	for i, s := range RenditionSpecs {
		if !s.Crop() {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("media: process: %w", err)
		}
		aw, ah := s.Width, s.Height
		if swapsAxes(orientation) {
			aw, ah = ah, aw
		}
		from, filter := base, lanczos3
		for _, k := range slices.Backward(widths) {
			r := made[k].Rect
			if cw, ch := cropSize(r.Dx(), r.Dy(), aw, ah); cw >= sizes[i].X && ch >= sizes[i].Y {
				from, filter = made[k], catmullRom
				break
			}
		}
		enc.add(i, resize(cropAspect(from, fx, fy, aw, ah), sizes[i], filter, opaque))
	}

	if err := enc.wait(res); err != nil {
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
		var rw, rh int
		if s.Crop() {
			cw, ch := cropSize(w, h, s.Width, s.Height)
			rw, rh = cw, ch
			if cw >= s.Width && ch >= s.Height {
				rw, rh = s.Width, s.Height
			}
		} else {
			rw, rh = fitBox(w, h, s.Width, MaxHeightRatio*s.Width)
		}
		if swapsAxes(orientation) {
			rw, rh = rh, rw
		}
		sizes[i] = image.Pt(rw, rh)
	}
	return sizes
}

// cropSize returns the size of the largest aw:ah rectangle inside w×h
// (at least 1×1).
func cropSize(w, h, aw, ah int) (int, int) {
	W, H, AW, AH := int64(w), int64(h), int64(aw), int64(ah)
	if W*AH >= H*AW { // wider than the aspect: full height
		return int(max(1, min(W, (2*H*AW+AH)/(2*AH)))), h
	}
	return w, int(max(1, min(H, (2*W*AH+AW)/(2*AW))))
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

// cropAspect returns the largest aw:ah rectangle of img centred as near
// the point (fx, fy), each 0..1, as the image's edges allow; the point is
// always inside it. It shares img's pixels.
func cropAspect(img image.Image, fx, fy float64, aw, ah int) image.Image {
	b := img.Bounds()
	cw, ch := cropSize(b.Dx(), b.Dy(), aw, ah)
	x := clamp(int(math.Round(fx*float64(b.Dx())-float64(cw)/2)), 0, b.Dx()-cw)
	y := clamp(int(math.Round(fy*float64(b.Dy())-float64(ch)/2)), 0, b.Dy()-ch)
	r := image.Rect(x, y, x+cw, y+ch).Add(b.Min)
	// Every type the decoders and resizers return has SubImage.
	return img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(r)
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }
