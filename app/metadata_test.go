package app_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// withXMP inserts an XMP packet (APP1) after the JPEG's SOI marker.
func withXMP(jpg []byte, xmp string) []byte {
	payload := append([]byte("http://ns.adobe.com/xap/1.0/\x00"), xmp...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// TestMetadataPrefill: what the file says fills the fields a person left
// empty, never the ones they set.
func TestMetadataPrefill(t *testing.T) {
	f := newFixture(t, app.Config{})
	f.runWorkers(t)
	xmp := `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
 photoshop:Credit="Ảnh: Báo Thành phố">
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Toạ đàm Dân vận khéo</rdf:li></rdf:Alt></dc:description>
<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">© 2026 Báo Thành phố</rdf:li></rdf:Alt></dc:rights>
</rdf:Description></rdf:RDF></x:xmpmeta>`
	data := withXMP(testJPEG(t, 320, 200, 4), xmp)
	mine := "Chú thích của biên tập viên"
	a, err := f.svc.UploadAsset(f.ctx, bytes.NewReader(data), "xmp.jpg", &app.AssetPatch{Caption: &mine})
	if err != nil || a.Status != core.AssetReady {
		t.Fatalf("upload: %v %+v", err, a)
	}
	if a.Caption != mine {
		t.Errorf("caption %q: a person's caption was overwritten", a.Caption)
	}
	if a.Credit != "Ảnh: Báo Thành phố" || a.Copyright != "© 2026 Báo Thành phố" {
		t.Errorf("credit %q, copyright %q", a.Credit, a.Copyright)
	}
	if a.Blurhash == "" || len(a.DominantColor) != 7 || a.FocalPoint == nil {
		t.Errorf("blurhash %q, dominant colour %q, focal point %v", a.Blurhash, a.DominantColor, a.FocalPoint)
	}
}
