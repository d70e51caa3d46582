// Package jpeg is a fork of the Go standard library's image/jpeg decoder
// (Go 1.26.8; reader.go, huffman.go, scan.go and the inverse half of
// dct.go, under Go's BSD licence in LICENSE) that the media pipeline
// needs these things from:
//
//   - DecodeScaled decodes at 1/2, 1/4 or 1/8 of the size with reduced
//     inverse DCTs (idct_scaled.go), as libjpeg does: a 24-megapixel
//     photo whose largest rendition is 2048 wide is decoded at 3000×2000,
//     for a quarter of the pixel work and memory.
//   - Sequential scans are reconstructed by worker goroutines while the
//     entropy decoding goes on (reconstruct.go), and progressive images'
//     final reconstruction is split between goroutines, so a decode uses
//     more than one core.
//   - Fast entropy decoding: sequential scans are entropy-decoded by
//     entropy.go, with a 64-bit bit buffer refilled eight bytes at a time
//     and look-up tables that decode most AC coefficients in one step,
//     giving the same coefficients, errors and byte positions as
//     processSOS's loop (which still decodes progressive scans and tiny
//     ones).
//
// Decode at full size gives the same pixels as image/jpeg. The encoder,
// the registration with image.RegisterFormat, and the use of
// image/internal/imageutil (replaced by a plain loop for YCCK) are left
// out. Changes to the upstream files are marked by the names above; keep
// them small, so upstream fixes can be merged.
package jpeg
