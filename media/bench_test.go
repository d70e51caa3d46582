package media

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"sync"
	"testing"
)

// photo24MP is a 6000×4000 photo-like JPEG at quality 90, made once.
var photo24MP = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, photoLike(6000, 4000), &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return buf.Bytes()
})

// BenchmarkProcess24MP measures the whole pipeline on a 24-megapixel JPEG:
// probe, decode, pre-shrink, resample, orient and encode all renditions.
func BenchmarkProcess24MP(b *testing.B) {
	data := photo24MP()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Process(context.Background(), data, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode24MP is image/jpeg's decode of the same file alone, the
// floor under BenchmarkProcess24MP.
func BenchmarkDecode24MP(b *testing.B) {
	data := photo24MP()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResample2048 is the pipeline's largest resize: a 3000×2000
// image, as a 6000×4000 JPEG is decoded at half size, to 2048×1365 with
// Lanczos, and its two passes.
func BenchmarkResample2048(b *testing.B) {
	src := toNRGBA(photoLike(3000, 2000))
	tmp := resampleH(src, 2048, lanczos3)
	b.Run("both", func(b *testing.B) {
		for b.Loop() {
			resample(src, image.Pt(2048, 1365), lanczos3)
		}
	})
	b.Run("horizontal", func(b *testing.B) {
		for b.Loop() {
			resampleH(src, 2048, lanczos3)
		}
	})
	b.Run("vertical", func(b *testing.B) {
		for b.Loop() {
			resampleV(tmp, 1365, lanczos3)
		}
	})
}
