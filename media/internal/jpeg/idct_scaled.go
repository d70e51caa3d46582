// Copyright 2026 The Stillroom Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

package jpeg

import "math"

// Reduced inverse DCTs. Decoding at 1/2, 1/4 or 1/8 of the size takes, from
// each block, the N×N lowest-frequency coefficients (N = 4, 2, 1) and
// evaluates the 8-point inverse DCT at the centres of the N output pixels,
// each of which covers 8/N input pixels:
//
//	f(x, y) = Σ_u Σ_v C(u)/2 · C(v)/2 · F(v, u) · cos((2x+1)uπ/2N) · cos((2y+1)vπ/2N)
//
// with C(0) = 1/√2 and C(k) = 1 otherwise: the sample at 8/N·x + (8/N-1)/2
// of the full inverse DCT, cos((2(8x/N + (8/N-1)/2)+1)uπ/16) reducing to
// cos((2x+1)uπ/2N). Dropping the higher frequencies is the low-pass filter
// that the subsampling needs. It is the same result as libjpeg's scaled
// decoding, computed separably in 64-bit fixed point.

// scaledBits is the fixed-point precision of the tables.
const scaledBits = 13

// cos4 and cos2 hold, for N = 4 and 2, C(u)/2 · cos((2x+1)uπ/2N) at
// [x][u], scaled by 2^scaledBits.
var cos4, cos2 = func() (t4 [4][4]int64, t2 [2][2]int64) {
	at := func(n, x, u int) int64 {
		c := 0.5
		if u == 0 {
			c = 0.5 / math.Sqrt2
		}
		return int64(math.Round(c * math.Cos(float64((2*x+1)*u)*math.Pi/float64(2*n)) * (1 << scaledBits)))
	}
	for x := range 4 {
		for u := range 4 {
			t4[x][u] = at(4, x, u)
		}
	}
	for x := range 2 {
		for u := range 2 {
			t2[x][u] = at(2, x, u)
		}
	}
	return t4, t2
}()

// lowZig lists, for shift 1..3, the zig-zag indexes of the coefficients
// the reduced transform reads: only those are dequantized.
var lowZig = func() (z [4][]int) {
	for shift := 1; shift <= 3; shift++ {
		n := 8 >> shift
		for zig, u := range unzig {
			if u%8 < n && u/8 < n {
				z[shift] = append(z[shift], zig)
			}
		}
	}
	return z
}()

// idctScaled replaces the dequantized coefficients in b with the
// (8>>shift)² pixels of the reduced inverse DCT, less 128, stored in rows
// of 8 from b[0]. shift is 1, 2 or 3. The arithmetic is 64-bit, so no
// input can overflow it.
func idctScaled(b *block, shift uint) {
	const round = 1 << (2*scaledBits - 1)
	switch shift {
	case 3: // the mean, F(0,0)/8
		b[0] = int32((int64(b[0]) + 4) >> 3)
	case 2:
		f00, f01, f10, f11 := int64(b[0]), int64(b[1]), int64(b[8]), int64(b[9])
		for y := range 2 {
			r0 := f00*cos2[y][0] + f10*cos2[y][1] // Σ_v F(v, 0) T[y][v]
			r1 := f01*cos2[y][0] + f11*cos2[y][1]
			for x := range 2 {
				b[y*8+x] = int32((r0*cos2[x][0] + r1*cos2[x][1] + round) >> (2 * scaledBits))
			}
		}
	default:
		// Columns first: c[y][u] = Σ_v F(v, u) · T[y][v]; then rows:
		// f(x, y) = Σ_u c[y][u] · T[x][u].
		var c [4][4]int64
		for u := range 4 {
			f0, f1, f2, f3 := int64(b[u]), int64(b[8+u]), int64(b[16+u]), int64(b[24+u])
			for y := range 4 {
				t := &cos4[y]
				c[y][u] = f0*t[0] + f1*t[1] + f2*t[2] + f3*t[3]
			}
		}
		for y := range 4 {
			r := &c[y]
			for x := range 4 {
				t := &cos4[x]
				b[y*8+x] = int32((r[0]*t[0] + r[1]*t[1] + r[2]*t[2] + r[3]*t[3] + round) >> (2 * scaledBits))
			}
		}
	}
}
