package media

import (
	"bytes"
	"context"
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
