package demo

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
)

// Size and quality of the generated stills: wide enough for the w1024
// rendition, small enough to seed in a moment.
const (
	stillWidth   = 1024
	stillHeight  = 576
	stillQuality = 85
)

// scene is the look of one generated still: a sky gradient, a sun, a row of
// buildings and a street with riders.
type scene struct {
	skyTop, skyBottom color.RGBA
	sun               color.RGBA
	sunX, sunY, sunR  int // in 1/100 of the width and height
	building          color.RGBA
	street            color.RGBA
	rider             color.RGBA
	seed              int // varies the skyline and the riders
}

// render draws the scene as a JPEG.
func (s scene) render() ([]byte, error) {
	w, h := stillWidth, stillHeight
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		c := lerp(s.skyTop, s.skyBottom, y, h)
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, c)
		}
	}
	fillCircle(img, s.sunX*w/100, s.sunY*h/100, s.sunR*h/100, s.sun)

	horizon := h * 62 / 100
	rnd := s.seed*7919 + 17
	for x := 0; x < w; {
		rnd = (rnd*1103515245 + 12345) & 0x7fffffff
		bw := w/24 + rnd%(w/16)
		bh := h/8 + (rnd/7)%(h/3)
		d := rnd % 24
		shade := color.RGBA{darken(s.building.R, d), darken(s.building.G, d), darken(s.building.B, d), 255}
		fill(img, image.Rect(x, horizon-bh, x+bw-4, horizon), shade)
		x += bw
	}
	fill(img, image.Rect(0, horizon, w, h), s.street)
	for i := 0; i < 8; i++ {
		fill(img, image.Rect(i*w/8+w/40, h*80/100, i*w/8+w/12, h*81/100), color.RGBA{240, 240, 230, 255})
	}
	for i := 0; i < 3+s.seed%4; i++ {
		rnd = (rnd*1103515245 + 12345) & 0x7fffffff
		x := w/10 + rnd%(w*8/10)
		y := h*68/100 + (rnd/11)%(h/5)
		r := h / 30
		fillCircle(img, x-2*r, y+r, r, s.rider)
		fillCircle(img, x+2*r, y+r, r, s.rider)
		fill(img, image.Rect(x-r/2, y-3*r, x+r/2, y), s.rider)
		fillCircle(img, x, y-4*r, r*2/3, s.rider)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: stillQuality}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func fill(img draw.Image, r image.Rectangle, c color.RGBA) {
	draw.Draw(img, r, &image.Uniform{C: c}, image.Point{}, draw.Src)
}

func fillCircle(img *image.RGBA, cx, cy, r int, c color.RGBA) {
	for y := cy - r; y <= cy+r; y++ {
		for x := cx - r; x <= cx+r; x++ {
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r && image.Pt(x, y).In(img.Rect) {
				img.SetRGBA(x, y, c)
			}
		}
	}
}

func darken(v uint8, d int) uint8 { return uint8(max(0, int(v)-d)) }

// lerp blends from a to b as i goes from 0 to n.
func lerp(a, b color.RGBA, i, n int) color.RGBA {
	mix := func(x, y uint8) uint8 { return uint8((int(x)*(n-i) + int(y)*i) / n) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 255}
}
