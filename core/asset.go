package core

import "time"

// AssetStatus is where an asset is in processing.
type AssetStatus string

// Asset statuses.
const (
	AssetProcessing AssetStatus = "PROCESSING"
	AssetReady      AssetStatus = "READY"
	AssetFailed     AssetStatus = "FAILED"
)

// Camera is what EXIF says about the camera.
type Camera struct {
	Make         string
	Model        string
	Lens         string
	FocalLength  float64
	Aperture     float64
	ExposureTime string
	ISO          int
}

// GeoPoint is a position in degrees.
type GeoPoint struct{ Lat, Lng float64 }

// FocalPoint is a point of interest, 0..1 from the top-left.
type FocalPoint struct{ X, Y float64 }

// Timecode is parsed from a still's file name such as
// "Sequence 01.00_00_04_21.Still120.jpg": hh_mm_ss_ff and the still number.
type Timecode struct {
	Hours, Minutes, Seconds, Frames int
	Still                           int
}

// Rendition is one stored derivative of an asset's original.
type Rendition struct {
	Name     string // "w2048", "w1024", "w512", "w256", "square512", "social"
	Width    int
	Height   int
	Format   string // "jpeg" or "png"; "webp" for the WebP twin of a rendition of the same name
	ByteSize int64
	Key      string // object store key
	ETag     string // strong validator: hex SHA-256 of the bytes
}

// Asset is a photo in the media library. Its original is kept privately
// under a key derived from SHA256; renditions are public once the asset is
// used in published content.
type Asset struct {
	ID            string
	Status        AssetStatus
	Error         string
	Filename      string
	MimeType      string
	ByteSize      int64
	SHA256        string
	OriginalKey   string
	Width         int
	Height        int
	Caption       string
	AltText       string
	Credit        string
	Copyright     string
	Tags          []string
	TakenAt       *time.Time
	Timecode      *Timecode
	Camera        *Camera
	Location      *GeoPoint
	Blurhash      string
	DominantColor string
	FocalPoint    *FocalPoint
	Renditions    []Rendition
	// PipelineVersion is the rendition-set version the renditions were made
	// with; see media.PipelineVersion.
	PipelineVersion int
	UploadedBy      string
	SearchTokens    []string
	Version         int
	// EditVersion counts people's edits (metadata, focal point), not
	// processing: it is what an editor passes back to updateAsset, so a
	// thumbnail finishing never makes their save a CONFLICT.
	EditVersion int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// FormatWebP is the Format of WebP renditions: the twins of the JPEG/PNG
// set, which every browser reads.
const FormatWebP = "webp"

// Rendition returns the JPEG or PNG rendition called name, or nil.
func (a *Asset) Rendition(name string) *Rendition {
	for i := range a.Renditions {
		if r := &a.Renditions[i]; r.Name == name && r.Format != FormatWebP {
			return r
		}
	}
	return nil
}

// RenditionIn returns the rendition called name in format ("jpeg", "png",
// "webp"), or nil.
func (a *Asset) RenditionIn(name, format string) *Rendition {
	for i := range a.Renditions {
		if r := &a.Renditions[i]; r.Name == name && r.Format == format {
			return r
		}
	}
	return nil
}
