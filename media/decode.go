package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"image/png"
	"io"

	"golang.org/x/image/webp"

	"github.com/stillroom/stillroom/core"
	jpegscaled "github.com/stillroom/stillroom/media/internal/jpeg"
)

// decode decodes the pixels of data, whose headers p describes and which
// ProbeImage has already checked against the limits. The format-specific
// decoders are called directly, so formats that other packages register
// with image.RegisterFormat (BMP, TIFF) are never decoded. A GIF gives its
// first frame, placed on its logical screen. A JPEG is decoded at
// 1/2^shift of its size, each side rounded up (see media/internal/jpeg);
// other formats ignore shift.
//
// Errors have code core.CodeBadUserInput: truncated or corrupt data, a
// decoder panic, or pixels that disagree with the header.
func decode(data []byte, p Probe, shift uint) (image.Image, error) {
	if p.Format != FormatJPEG {
		shift = 0
	}
	var img image.Image
	err := recoverPanic(p.Format, func() error {
		var err error
		r := bytes.NewReader(data)
		switch p.Format {
		case FormatJPEG:
			img, err = jpegscaled.DecodeScaled(r, shift)
		case FormatPNG:
			img, err = png.Decode(r)
		case FormatGIF:
			img, err = gif.Decode(r) // reads up to the first frame only
		case FormatWebP:
			img, err = webp.Decode(r)
		default:
			err = fmt.Errorf("no decoder for format %q", p.Format)
		}
		return err
	})
	if err != nil {
		return nil, corruptError(p.Format, "data", err, looksTruncated(p.Format, data))
	}
	screen := image.Rect(0, 0, p.Width, p.Height)
	if p.Format == FormatGIF && img.Bounds() != screen {
		// The first frame may cover part of the screen only; the rest is
		// transparent. The gif decoder has checked the frame lies inside.
		canvas := image.NewNRGBA(screen)
		draw.Draw(canvas, img.Bounds(), img, img.Bounds().Min, draw.Src)
		img = canvas
	}
	f := 1 << shift
	if b := img.Bounds(); b.Dx() != (p.Width+f-1)/f || b.Dy() != (p.Height+f-1)/f {
		return nil, core.Errorf(core.CodeBadUserInput,
			"the %s image is corrupt: its pixels are %d×%d but its header says %d×%d",
			p.Format.label(), b.Dx()*f, b.Dy()*f, p.Width, p.Height)
	}
	return img, nil
}

// errDecoderPanic marks an error recovered from a decoder's panic.
var errDecoderPanic = errors.New("decoder panic")

// recoverPanic runs fn and turns a panic in it into an error. Go's image
// decoders are meant not to panic on any input, but a panic from a crafted
// file must not take the server down.
func recoverPanic(f Format, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s %w: %v", f.label(), errDecoderPanic, r)
		}
	}()
	return fn()
}

// corruptError describes a decoder error as a core.CodeBadUserInput error.
// part is "header" or "data"; truncated is a hint that the file ends early,
// which decoders often report as some other format error.
func corruptError(f Format, part string, err error, truncated bool) error {
	switch {
	case truncated || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return core.WrapError(core.CodeBadUserInput, err,
			"the %s image is truncated: its %s ends early", f.label(), part)
	case errors.Is(err, errDecoderPanic): // the panic value is for logs only
		return core.WrapError(core.CodeBadUserInput, err, "the %s image is corrupt", f.label())
	}
	return core.WrapError(core.CodeBadUserInput, err,
		"the %s image is corrupt: %v", f.label(), err)
}

// pngEnd is the IEND chunk that ends every complete PNG.
var pngEnd = []byte("\x00\x00\x00\x00IEND\xAE\x42\x60\x82")

// looksTruncated reports whether data lacks the end its format requires.
// It is only a hint for error messages: some writers append trailing bytes.
func looksTruncated(f Format, data []byte) bool {
	switch f {
	case FormatJPEG:
		return !bytes.HasSuffix(data, []byte{0xFF, 0xD9})
	case FormatPNG:
		return !bytes.HasSuffix(data, pngEnd)
	case FormatGIF:
		return !bytes.HasSuffix(data, []byte{0x3B})
	case FormatWebP:
		return len(data) < 8 || uint64(len(data)) < 8+uint64(binary.LittleEndian.Uint32(data[4:]))
	}
	return false
}
