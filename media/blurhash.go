package media

import (
	"image"
	"math"
)

// The blurhash of every asset has this many components across and down:
// 4×3 suits the landscape photos of a newsroom and gives 28 characters.
const (
	BlurhashX = 4
	BlurhashY = 3
)

// blurhash encodes img, an upright opaque or translucent image, as a
// BlurHash string (https://blurha.sh, the public algorithm of Wolt's MIT
// reference implementation): the image's colours in linear light projected
// on nx×ny cosine components, quantised and written in base 83.
// Translucent pixels are composited over white, as a page would show
// them.
func blurhash(img *image.NRGBA, nx, ny int) string {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if w == 0 || h == 0 {
		return ""
	}
	cosX := basis(nx, w)
	cosY := basis(ny, h)
	factors := make([][3]float64, nx*ny)
	row := make([][3]float64, w)
	for y := range h {
		p := img.Pix[y*img.Stride : y*img.Stride+w*4]
		for x := range w {
			q := p[x*4 : x*4+4 : x*4+4]
			a := float64(q[3]) / 255
			for c := range 3 {
				row[x][c] = srgbToLinear(uint8(float64(q[c])*a + 255*(1-a) + 0.5))
			}
		}
		for j := range ny {
			cy := cosY[j*h+y]
			for i := range nx {
				f := &factors[j*nx+i]
				cx := cosX[i*w : i*w+w]
				for x, v := range row {
					b := cx[x] * cy
					f[0] += b * v[0]
					f[1] += b * v[1]
					f[2] += b * v[2]
				}
			}
		}
	}
	for k := range factors {
		norm := 2.0 / float64(w*h)
		if k == 0 {
			norm = 1.0 / float64(w*h)
		}
		for c := range 3 {
			factors[k][c] *= norm
		}
	}

	out := make([]byte, 0, 6+2*(nx*ny-1))
	out = base83(out, (nx-1)+(ny-1)*9, 1)
	maxAC := 0.0
	for _, f := range factors[1:] {
		maxAC = max(maxAC, math.Abs(f[0]), math.Abs(f[1]), math.Abs(f[2]))
	}
	quantMax := 0
	if len(factors) > 1 {
		quantMax = int(max(0, min(82, math.Floor(maxAC*166-0.5))))
		maxAC = float64(quantMax+1) / 166
		out = base83(out, quantMax, 1)
	} else {
		maxAC = 1
		out = base83(out, 0, 1)
	}
	dc := factors[0]
	out = base83(out, int(linearToSRGB(dc[0]))<<16|int(linearToSRGB(dc[1]))<<8|int(linearToSRGB(dc[2])), 4)
	for _, f := range factors[1:] {
		q := func(v float64) int {
			return int(max(0, min(18, math.Floor(signPow(v/maxAC, 0.5)*9+9.5))))
		}
		out = base83(out, q(f[0])*19*19+q(f[1])*19+q(f[2]), 2)
	}
	return string(out)
}

// basis returns cos(π·i·x/n) for each component i < k and x < n, rows of
// n.
func basis(k, n int) []float64 {
	b := make([]float64, k*n)
	for i := range k {
		for x := range n {
			b[i*n+x] = math.Cos(math.Pi * float64(i) * float64(x) / float64(n))
		}
	}
	return b
}

func srgbToLinear(v uint8) float64 { return srgbLinear[v] }

// srgbLinear maps an 8-bit sRGB value to linear light, 0..1.
var srgbLinear = func() (t [256]float64) {
	for i := range t {
		v := float64(i) / 255
		if v <= 0.04045 {
			t[i] = v / 12.92
		} else {
			t[i] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
	return t
}()

func linearToSRGB(v float64) uint8 {
	v = max(0, min(1, v))
	if v <= 0.0031308 {
		return uint8(v*12.92*255 + 0.5)
	}
	return uint8((1.055*math.Pow(v, 1/2.4)-0.055)*255 + 0.5)
}

func signPow(v, exp float64) float64 { return math.Copysign(math.Pow(math.Abs(v), exp), v) }

const base83Chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"

// base83 appends v as length base-83 digits, most significant first.
func base83(out []byte, v, length int) []byte {
	for i := length - 1; i >= 0; i-- {
		d := v
		for range i {
			d /= 83
		}
		out = append(out, base83Chars[d%83])
	}
	return out
}
