package media

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"time"
)

// EXIF tags read from IFD0, the EXIF IFD and the GPS IFD (EXIF 2.32).
const (
	tagImageDescription   = 0x010E
	tagMake               = 0x010F
	tagModel              = 0x0110
	tagArtist             = 0x013B
	tagCopyright          = 0x8298
	tagExifIFD            = 0x8769
	tagGPSIFD             = 0x8825
	tagExposureTime       = 0x829A
	tagFNumber            = 0x829D
	tagISO                = 0x8827 // ISOSpeedRatings, PhotographicSensitivity since 2.3
	tagDateTimeOriginal   = 0x9003
	tagOffsetTimeOriginal = 0x9011
	tagFocalLength        = 0x920A
	tagSubSecTimeOriginal = 0x9291
	tagLensModel          = 0xA434
	tagGPSLatitudeRef     = 0x0001
	tagGPSLatitude        = 0x0002
	tagGPSLongitudeRef    = 0x0003
	tagGPSLongitude       = 0x0004
)

// readEXIF returns what an EXIF TIFF structure says, each field cleaned
// and range-checked. It follows IFD0's pointers to the EXIF and GPS IFDs
// once each and reads nothing else, so its work is bounded by three IFDs.
func readEXIF(b []byte) Metadata {
	var m Metadata
	t, ifd0, ok := parseTIFF(b)
	if !ok {
		return m
	}
	var exifIFD, gpsIFD uint32
	for e := range t.entries(ifd0) {
		switch e.tag {
		case tagImageDescription:
			if s := cleanText(t.text(e), MaxCaptionText, true); !isCameraDefaultDescription(s) {
				m.Caption = s
			}
		case tagMake:
			m.Make = cleanText(t.text(e), MaxMetadataText, false)
		case tagModel:
			m.Model = cleanText(t.text(e), MaxMetadataText, false)
		case tagArtist:
			m.Creator = cleanText(t.text(e), MaxMetadataText, false)
		case tagCopyright:
			m.Copyright = exifCopyright(e.val)
		case tagExifIFD:
			exifIFD, _ = t.uint(e)
		case tagGPSIFD:
			gpsIFD, _ = t.uint(e)
		}
	}
	if exifIFD != 0 {
		var date, subsec, offset []byte
		for e := range t.entries(exifIFD) {
			switch e.tag {
			case tagDateTimeOriginal:
				date = t.text(e)
			case tagSubSecTimeOriginal:
				subsec = t.text(e)
			case tagOffsetTimeOriginal:
				offset = t.text(e)
			case tagExposureTime:
				if n, d, ok := t.rational(e, 0); ok {
					m.ExposureTime = exposureTime(n, d)
				}
			case tagFNumber:
				if v, ok := t.float(e, 0); ok && v > 0 && v <= 1000 {
					m.Aperture = roundTo(v, 2)
				}
			case tagFocalLength:
				if v, ok := t.float(e, 0); ok && v > 0 && v <= 100_000 {
					m.FocalLength = roundTo(v, 2)
				}
			case tagISO:
				if v, ok := t.uint(e); ok && v > 0 && v <= 10_000_000 {
					m.ISO = int(v)
				}
			case tagLensModel:
				m.Lens = cleanText(t.text(e), MaxMetadataText, false)
			}
		}
		m.TakenAt = exifTime(date, subsec, offset)
	}
	if gpsIFD != 0 {
		var latRef, lngRef []byte
		lat, lng := math.NaN(), math.NaN()
		for e := range t.entries(gpsIFD) {
			switch e.tag {
			case tagGPSLatitudeRef:
				latRef = t.text(e)
			case tagGPSLongitudeRef:
				lngRef = t.text(e)
			case tagGPSLatitude:
				lat = degrees(t, e)
			case tagGPSLongitude:
				lng = degrees(t, e)
			}
		}
		if bytes.HasPrefix(bytes.TrimSpace(latRef), []byte("S")) {
			lat = -lat
		}
		if bytes.HasPrefix(bytes.TrimSpace(lngRef), []byte("W")) {
			lng = -lng
		}
		m.Lat, m.Lng = geoPoint(lat, lng)
	}
	return m
}

// degrees reads a GPS coordinate written as degrees, minutes and seconds
// (three rationals; writers that leave out the seconds or minutes are
// read too). It returns NaN when there is none.
func degrees(t tiffData, e tiffEntry) float64 {
	v := math.NaN()
	for i, unit := range []float64{1, 60, 3600} {
		part, ok := t.float(e, i)
		if !ok {
			break
		}
		if i == 0 {
			v = 0
		}
		v += part / unit
	}
	return v
}

// geoPoint returns a position when lat and lng are both valid. (0, 0) is
// refused: it is what receivers without a fix write far more often than
// anyone photographs that spot of the Gulf of Guinea.
func geoPoint(lat, lng float64) (*float64, *float64) {
	if !(lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180) || lat == 0 && lng == 0 {
		return nil, nil
	}
	lat, lng = roundTo(lat, 7), roundTo(lng, 7) // about 1 cm
	return &lat, &lng
}

// exposureTime formats an exposure of n/d seconds as photographers write
// it: a fraction "1/250" below 0.3 s, else seconds with at most one
// decimal ("0.5", "2.5", "30"). Zero, negative and absurd values are "".
func exposureTime(n, d int64) string {
	if n <= 0 || d <= 0 {
		return ""
	}
	v := float64(n) / float64(d)
	switch {
	case v > 100_000:
		return ""
	case v >= 0.3:
		return strconv.FormatFloat(roundTo(v, 1), 'f', -1, 64)
	}
	return "1/" + strconv.FormatFloat(math.Round(1/v), 'f', 0, 64)
}

// exifTime reads DateTimeOriginal ("2006:01:02 15:04:05") with its
// sub-seconds and its UTC offset ("+07:00") when EXIF records them.
// Without an offset, the camera's wall-clock time is returned as if it
// were UTC: its zone is unknown. Dates outside 1800..2200 are refused.
func exifTime(date, subsec, offset []byte) *time.Time {
	s := strings.TrimSpace(string(date[:min(len(date), 64)]))
	if len(s) < 19 {
		return nil
	}
	var t time.Time
	var err error
	for _, layout := range []string{"2006:01:02 15:04:05", "2006-01-02 15:04:05", "2006:01:02T15:04:05", "2006-01-02T15:04:05"} {
		if t, err = time.Parse(layout, s[:19]); err == nil {
			break
		}
	}
	if err != nil || t.Year() < 1800 || t.Year() > 2200 {
		return nil
	}
	if ss := bytes.TrimSpace(subsec); len(ss) > 0 && len(ss) <= 9 {
		if frac, err := strconv.ParseUint(string(ss), 10, 32); err == nil {
			t = t.Add(time.Duration(frac) * time.Duration(math.Pow10(9-len(ss))))
		}
	}
	if zone, ok := utcOffset(strings.TrimSpace(string(offset[:min(len(offset), 16)]))); ok {
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), zone)
	}
	return &t
}

// utcOffset parses an offset "+07:00" or "-0530".
func utcOffset(s string) (*time.Location, bool) {
	s = strings.Replace(s, ":", "", 1)
	if len(s) != 5 || (s[0] != '+' && s[0] != '-') {
		return nil, false
	}
	h, err1 := strconv.Atoi(s[1:3])
	m, err2 := strconv.Atoi(s[3:5])
	if err1 != nil || err2 != nil || h > 14 || m > 59 {
		return nil, false
	}
	secs := (h*60 + m) * 60
	if s[0] == '-' {
		secs = -secs
	}
	return time.FixedZone("", secs), true
}

// exifCopyright reads the Copyright tag, which holds the photographer's
// and the editor's notices separated by NUL; both are kept.
func exifCopyright(v []byte) string {
	v = v[:min(len(v), 2*MaxMetadataText*4)]
	var parts []string
	for p := range bytes.SplitSeq(v, []byte{0}) {
		if s := cleanText(p, MaxMetadataText, false); s != "" {
			parts = append(parts, s)
		}
	}
	return cleanText([]byte(strings.Join(parts, "; ")), MaxMetadataText, false)
}

// cameraDefaultDescriptions are ImageDescription values cameras and
// phones write by themselves; they describe nothing.
var cameraDefaultDescriptions = []string{
	"OLYMPUS DIGITAL CAMERA", "SONY DSC", "DIGITAL CAMERA", "DCIM", "Default",
	"KODAK Digital Still Camera", "MINOLTA DIGITAL CAMERA", "KONICA MINOLTA DIGITAL CAMERA",
	"SAMSUNG CAMERA PICTURES", "Exif_JPEG_PICTURE", "Picture", "Image", "Untitled",
}

func isCameraDefaultDescription(s string) bool {
	for _, d := range cameraDefaultDescriptions {
		if strings.EqualFold(s, d) {
			return true
		}
	}
	return false
}

// roundTo rounds v to the given number of decimals.
func roundTo(v float64, decimals int) float64 {
	p := math.Pow10(decimals)
	return math.Round(v*p) / p
}
