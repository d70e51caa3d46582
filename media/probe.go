package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/gif"
	"image/png"

	"golang.org/x/image/webp"

	"github.com/stillroom/stillroom/core"
	jpegscaled "github.com/stillroom/stillroom/media/internal/jpeg"
)

// The default decoding limits. A 24-megapixel camera image is well inside
// them; Process on an image at the limit holds a few hundred MB (see
// Process).
const (
	DefaultMaxPixels = 60_000_000
	DefaultMaxSide   = 30_000
	// DefaultMaxDecodeBytes bounds DecodeCost, what processing one image
	// may hold: three halves of DefaultBudgetBytes, under the soft memory
	// limit the server sets itself (twice the budget). Every image within
	// the pixel limits is under it but the costliest layouts at sizes no
	// camera writes: a 2000×30000 progressive CMYK JPEG costs 1.1 GB, a
	// 60-megapixel interlaced 16-bit PNG 1.1 GB. A 60-megapixel
	// progressive CMYK JPEG stored upright costs about 580 MB, a
	// 60-megapixel PNG 203 MB (8-bit grey or palette) to 623 MB (16-bit
	// RGBA), a 60-megapixel lossless WebP 718 MB.
	DefaultMaxDecodeBytes = 768 << 20
)

// MaxJPEGScans is the most scans a JPEG may have. image/jpeg walks every
// block of the image once per scan, and a progressive scan that codes
// nothing takes a few bytes, so without a cap a small file could keep a
// core busy for minutes. Encoders write up to about a dozen.
const MaxJPEGScans = 100

// Limits bound the images the pipeline decodes. They are checked against
// the header before any pixel memory is allocated. A zero field means the
// default.
type Limits struct {
	MaxPixels int64 // width × height
	MaxSide   int   // the longer side, in pixels
	// MaxDecodeBytes bounds DecodeCost. An image over it is refused
	// rather than processed: a Budget runs an image that costs more than
	// the whole budget alone, and this keeps "alone" within memory.
	MaxDecodeBytes int64
}

// DefaultLimits are the limits used when none are configured.
var DefaultLimits = Limits{MaxPixels: DefaultMaxPixels, MaxSide: DefaultMaxSide, MaxDecodeBytes: DefaultMaxDecodeBytes}

func (l Limits) withDefaults() Limits {
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.MaxSide <= 0 {
		l.MaxSide = DefaultMaxSide
	}
	if l.MaxDecodeBytes <= 0 {
		l.MaxDecodeBytes = DefaultMaxDecodeBytes
	}
	return l
}

// Probe is what an image's headers say about it.
type Probe struct {
	Format   Format
	MimeType string
	// Width and Height are as stored, before EXIF orientation.
	Width, Height int
	// Orientation is the EXIF orientation, 1..8; 1 when there is none.
	// Only JPEG originals carry one here.
	Orientation int

	// The rest is, for a JPEG, what the memory of its decode depends on
	// (DecodeCost), as its frame header and the segments before its first
	// scan say; zero for other formats. Progressive is true for a
	// progressive file (SOF2), whose coefficients are kept at full size
	// until its last scan. Components is 1 (grey), 3 (colour) or 4 (CMYK).
	// Sampling holds each component's sampling factors as H<<4 | V: 0x11
	// for every component of a 4:4:4 file; 0x22, 0x11, 0x11 for 4:2:0.
	// RGB is true for three components stored as RGB rather than YCbCr,
	// which the decoder converts to 4 bytes a pixel, as it does CMYK.
	Progressive bool
	Components  int
	Sampling    [4]uint8
	RGB         bool

	// Coding is, for a PNG, GIF or WebP, what the memory of its decode
	// depends on, as its chunks or blocks before the pixels say
	// (DecodeCost); zero for a JPEG.
	Coding Coding
}

// Pixels returns Width × Height, the weight to give a decode when sharing
// memory between concurrent ones.
func (p Probe) Pixels() int64 { return int64(p.Width) * int64(p.Height) }

// DisplaySize returns the size of the image after EXIF orientation.
func (p Probe) DisplaySize() (width, height int) {
	if swapsAxes(p.Orientation) {
		return p.Height, p.Width
	}
	return p.Width, p.Height
}

// ProbeImage identifies data with Sniff and reads its size and, for JPEG,
// its EXIF orientation, and the layout (JPEG) or coding (PNG, GIF, WebP)
// its decode's memory depends on, from the headers alone: it allocates no
// pixels.
// Errors: core.CodeUnsupportedMediaType for a format other than JPEG, PNG,
// GIF or WebP, and for an animated WebP (see webpAnimated);
// core.CodeBadUserInput for corrupt headers, an empty image or a JPEG of
// more than MaxJPEGScans scans; core.CodeTooManyPixels when a side exceeds
// lim.MaxSide, the pixel count exceeds lim.MaxPixels, or processing the
// image would hold more than lim.MaxDecodeBytes (DecodeCost).
func ProbeImage(data []byte, lim Limits) (Probe, error) {
	f, mime, err := Sniff(data)
	if err != nil {
		return Probe{}, err
	}
	if f == FormatWebP && webpAnimated(data) {
		return Probe{}, core.Errorf(core.CodeUnsupportedMediaType,
			"animated WebP is not supported; export a still frame (JPEG, PNG or WebP)")
	}
	lim = lim.withDefaults()
	var cfg image.Config
	var layout jpegscaled.Layout
	err = recoverPanic(f, func() error {
		var err error
		r := bytes.NewReader(data)
		switch f {
		case FormatJPEG:
			// The decoder's own reading of the headers, so that the
			// layout DecodeCost charges for is the one it decodes.
			layout, err = jpegscaled.ReadLayout(r)
			cfg.Width, cfg.Height = layout.Width, layout.Height
		case FormatPNG:
			cfg, err = png.DecodeConfig(r)
		case FormatGIF:
			cfg, err = gif.DecodeConfig(r)
		case FormatWebP:
			cfg, err = webp.DecodeConfig(r)
		}
		return err
	})
	if err != nil {
		return Probe{}, corruptError(f, "header", err, false)
	}
	p := Probe{Format: f, MimeType: mime, Width: cfg.Width, Height: cfg.Height, Orientation: 1}
	switch {
	case p.Width <= 0 || p.Height <= 0:
		return Probe{}, core.Errorf(core.CodeBadUserInput,
			"the %s image is empty (%d×%d pixels)", f.label(), p.Width, p.Height)
	case p.Width > lim.MaxSide || p.Height > lim.MaxSide:
		return Probe{}, core.Errorf(core.CodeTooManyPixels,
			"the image is %d×%d pixels; at most %d pixels a side are accepted",
			p.Width, p.Height, lim.MaxSide)
	case p.Pixels() > lim.MaxPixels:
		return Probe{}, core.Errorf(core.CodeTooManyPixels,
			"the image is %d×%d pixels (%s); at most %s are accepted",
			p.Width, p.Height, megapixels(p.Pixels()), megapixels(lim.MaxPixels))
	}
	if f == FormatJPEG {
		if n := jpegScans(data); n > MaxJPEGScans {
			return Probe{}, core.Errorf(core.CodeBadUserInput,
				"the JPEG image has %d scans; at most %d are accepted", n, MaxJPEGScans)
		}
		p.Orientation = readJPEGHeader(data).orientation
		p.Progressive, p.Components, p.RGB = layout.Progressive, layout.Components, layout.RGB
		for c := range layout.Components {
			p.Sampling[c] = uint8(layout.H[c]<<4 | layout.V[c])
		}
	} else {
		p.Coding = readCoding(f, data)
	}
	if cost := DecodeCost(p); cost > lim.MaxDecodeBytes {
		return Probe{}, core.Errorf(core.CodeTooManyPixels,
			"the image is %d×%d pixels (%s) and %s; processing it would take %d MB, and at most %d MB is allowed: "+
				"save it smaller, or as a baseline (not progressive) RGB JPEG",
			p.Width, p.Height, megapixels(p.Pixels()), p.layoutLabel(), cost/1e6, lim.MaxDecodeBytes/1e6)
	}
	return p, nil
}

// jpegLayout returns the layout of a JPEG p describes, for the decoder's
// bound of its memory. A Probe that ProbeImage did not make (no
// Components) is given the costliest layout: progressive CMYK, 4:4:4.
func (p Probe) jpegLayout() jpegscaled.Layout {
	l := jpegscaled.Layout{Width: p.Width, Height: p.Height, Progressive: p.Progressive,
		Components: p.Components, RGB: p.RGB}
	if l.Components == 0 {
		l.Progressive, l.Components = true, 4
		for c := range 4 {
			l.H[c], l.V[c] = 1, 1
		}
		return l
	}
	for c := range l.Components {
		l.H[c], l.V[c] = int(p.Sampling[c]>>4), int(p.Sampling[c]&15)
	}
	return l
}

// webpAnimated reports whether a WebP file is animated: its VP8X chunk
// sets the animation flag, or it has an ANIM or ANMF chunk. Such files
// are refused rather than reduced to their first frame, as animated GIFs
// are: x/image/webp decodes no ANMF frame, and a frame of an animation is
// a rectangle to compose over the previous ones, not a still. The walk
// reads only the chunk headers of the top level.
func webpAnimated(data []byte) bool {
	animated := false
	walkWebP(data, func(id string, n uint64, body []byte) bool {
		animated = id == "VP8X" && n >= 1 && len(body) >= 1 && body[0]&webpAnimationFlag != 0 ||
			id == "ANIM" || id == "ANMF"
		return !animated
	})
	return animated
}

// walkWebP calls visit with the id, length and bytes present (up to that
// length) of each top-level chunk of a WebP file, in order, until visit
// returns false or a chunk runs past the end.
func walkWebP(data []byte, visit func(id string, n uint64, body []byte) bool) {
	for i := 12; i+8 <= len(data); {
		id := string(data[i : i+4])
		n := uint64(binary.LittleEndian.Uint32(data[i+4:]))
		body := data[i+8:]
		if uint64(len(body)) > n {
			body = body[:n]
		}
		if !visit(id, n, body) {
			return
		}
		next := uint64(i) + 8 + n + n%2
		if next > uint64(len(data)) {
			return
		}
		i = int(next)
	}
}

// webpAnimationFlag is the animation bit of the VP8X chunk's flags.
const webpAnimationFlag = 1 << 1

// layoutLabel names what makes an image costly to decode, for messages.
func (p Probe) layoutLabel() string {
	switch {
	case p.Format == FormatPNG && p.Coding.Interlaced && p.Coding.BitDepth == 16:
		return "an interlaced 16-bit PNG"
	case p.Format == FormatPNG && p.Coding.Interlaced:
		return "an interlaced PNG"
	case p.Format == FormatPNG && p.Coding.BitDepth == 16:
		return "a 16-bit PNG"
	case p.Format == FormatWebP && p.Coding.Lossless:
		return "a lossless WebP"
	case p.Format != FormatJPEG:
		return "a " + p.Format.label()
	case p.Progressive && p.Components == 4:
		return "a progressive CMYK JPEG"
	case p.Progressive:
		return "a progressive JPEG"
	case p.Components == 4:
		return "a CMYK JPEG"
	}
	return "a JPEG"
}

func megapixels(n int64) string { return fmt.Sprintf("%.1f megapixels", float64(n)/1e6) }

// label is the format's name for messages.
func (f Format) label() string {
	switch f {
	case FormatJPEG:
		return "JPEG"
	case FormatPNG:
		return "PNG"
	case FormatGIF:
		return "GIF"
	case FormatWebP:
		return "WebP"
	}
	return string(f)
}
