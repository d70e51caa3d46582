package fold

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Dân vận khéo", "dan van kheo"},
		{"DÂN VẬN KHÉO", "dan van kheo"},
		{"Đà Nẵng", "da nang"},
		{"toạ đàm", "toa dam"},
		{"tọa đàm", "toa dam"}, // old and new tone-mark placement
		{"Thành phố Hồ Chí Minh", "thanh pho ho chi minh"},
		{"ƯỚC MƠ", "uoc mo"},
		{"", ""},
	} {
		if got := String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSlug(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Ban Chỉ đạo Phong trào thi đua “Dân vận khéo” thành phố tổ chức tọa đàm",
			"ban-chi-dao-phong-trao-thi-dua-dan-van-kheo-thanh-pho-to-chuc-toa-dam"},
		{"  Hello,   World!! ", "hello-world"},
		{"Tin tức - Sự kiện", "tin-tuc-su-kien"},
		{"日本", ""},
		{"!!!", ""},
	} {
		if got := Slug(tc.in); got != tc.want {
			t.Errorf("Slug(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := ""
	for i := 0; i < 40; i++ {
		long += "abcdef "
	}
	if got := Slug(long); len(got) > MaxSlugLen || got[len(got)-1] == '-' {
		t.Errorf("Slug(long) = %q (%d bytes)", got, len(got))
	}
}

func TestTokens(t *testing.T) {
	got := Tokens("Dân vận khéo", "DÂN VẬN, toạ đàm")
	want := []string{"dan", "van", "kheo", "toa", "dam"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Tokens = %q, want %q", got, want)
	}
}

func TestSortKey(t *testing.T) {
	for in, want := range map[string]string{
		"Đà Nẵng":        "da nang",
		"  ĐÀ   NẴNG! ":  "da nang",
		"Ảnh 2":          "anh 12",
		"Ảnh 010":        "anh 210",
		"DSC_0001.jpg":   "dsc 11 jpg",
		"000":            "10",
		"12345678901234": "91412345678901234",
		"":               "",
	} {
		if got := SortKey(in); got != want {
			t.Errorf("SortKey(%q) = %q, want %q", in, got, want)
		}
	}
	// The order a reader expects.
	ordered := []string{"Ảnh 2", "Ảnh 10", "Bến Thành", "Cần Thơ", "Đà Lạt", "Đà Nẵng", "Dương Đông", "Ê-đê", "Huế"}
	for i := 1; i < len(ordered); i++ {
		if a, b := SortKey(ordered[i-1]), SortKey(ordered[i]); a >= b {
			t.Errorf("%q (%q) does not sort before %q (%q)", ordered[i-1], a, ordered[i], b)
		}
	}
}

// TestDLookalikes guards the folding of ð/Ð and ɖ/Ɖ, which text from old
// encodings carries in place of đ/Đ: "Ðà Nẵng" must slug, search and sort
// exactly as "Đà Nẵng".
func TestDLookalikes(t *testing.T) {
	want := "Đà Nẵng"
	for _, in := range []string{"Ðà Nẵng", "ðà nẵng", "Ɖà Nẵng", "ɖà nẵng"} {
		if got := Slug(in); got != Slug(want) {
			t.Errorf("Slug(%q) = %q, want %q", in, got, Slug(want))
		}
		if got := Words(in); !slices.Equal(got, Words(want)) {
			t.Errorf("Words(%q) = %q, want %q", in, got, Words(want))
		}
		if got := SortKey(in); got != SortKey(want) {
			t.Errorf("SortKey(%q) = %q, want %q", in, got, SortKey(want))
		}
	}
}

// TestSortKeyLongNumbers guards the order of numbers of nine digits and
// more, whose length once capped at one digit ("Ảnh 999999999" sorted
// after "Ảnh 1000000000"): every length keeps numbers in value order.
func TestSortKeyLongNumbers(t *testing.T) {
	var ordered []string
	for n := 1; n <= 998; n++ { // up to 999 digits (beyond, runs compare as text)
		// The largest number of n digits, then the smallest of n+1.
		ordered = append(ordered, "Ảnh "+strings.Repeat("9", n), "Ảnh 1"+strings.Repeat("0", n))
	}
	for i := 1; i < len(ordered); i++ {
		if a, b := SortKey(ordered[i-1]), SortKey(ordered[i]); a >= b {
			t.Fatalf("%d digits: %.40q… does not sort before %.40q…", len(ordered[i-1])-len("Ảnh "), a, b)
		}
	}
}
