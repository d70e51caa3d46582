package app

import "testing"

// TestSanitizeFilename: a stored file name keeps what a person named the
// file, Vietnamese included (composed or with combining marks), and loses
// folders, control characters and Unicode format characters, which could
// make a name read otherwise than it is (U+202E shows "ảnh\u202egpj.exe"
// as "ảnhexe.jpg" in a downloads list).
func TestSanitizeFilename(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Sequence 01.00_00_04_21.Still120.jpg", "Sequence 01.00_00_04_21.Still120.jpg"},
		{"Dân vận khéo.jpg", "Dân vận khéo.jpg"},
		{"Da\u0302n va\u0323\u0302n.jpg", "Da\u0302n va\u0323\u0302n.jpg"}, // decomposed: combining marks stay
		{`C:\Users\minh\Ảnh\phố.jpg`, "phố.jpg"},
		{"../../etc/passwd", "passwd"},
		{"a\r\nSet-Cookie: x.jpg", "aSet-Cookie: x.jpg"},
		{"ảnh\u202egpj.exe", "ảnhgpj.exe"},
		{"zero\u200bwidth\ufeff.jpg", "zerowidth.jpg"},
		{"\u202e\u200b", "upload"},
		{"", "upload"},
	} {
		if got := sanitizeFilename(tc.in); got != tc.want {
			t.Errorf("sanitizeFilename(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
