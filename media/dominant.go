package media

import (
	"fmt"
	"image"
)

// dominantColor returns the colour that covers most of img, as "#rrggbb":
// the mean of the most populated bucket of a coarse histogram (8 levels a
// channel, 512 buckets) of its pixels, each counted by its alpha. A coarse
// mode, unlike the plain mean, is a colour the picture actually has (a
// red car on grey tarmac gives grey, not brown). "" when every pixel is
// transparent.
func dominantColor(img *image.NRGBA) string {
	var count [512]uint64
	var sum [512][3]uint64
	w, h := img.Rect.Dx(), img.Rect.Dy()
	for y := range h {
		p := img.Pix[y*img.Stride : y*img.Stride+w*4]
		for x := 0; x+4 <= len(p); x += 4 {
			q := p[x : x+4 : x+4]
			a := uint64(q[3])
			k := int(q[0]>>5)<<6 | int(q[1]>>5)<<3 | int(q[2]>>5)
			count[k] += a
			sum[k][0] += uint64(q[0]) * a
			sum[k][1] += uint64(q[1]) * a
			sum[k][2] += uint64(q[2]) * a
		}
	}
	best := 0
	for k := range count {
		if count[k] > count[best] {
			best = k
		}
	}
	n := count[best]
	if n == 0 {
		return ""
	}
	s := sum[best]
	return fmt.Sprintf("#%02x%02x%02x", (s[0]+n/2)/n, (s[1]+n/2)/n, (s[2]+n/2)/n)
}
