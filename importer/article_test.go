package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// Stills of the folder the test texts refer to.
var testFolder = map[string]bool{
	"Sequence 01.00_00_03_10.Still301.jpg":     true,
	"Sequence 01.00_00_11_04.Still302.jpg":     true,
	"Sequence 01.00_00_26_17.Still305.jpg":     true,
	"Sequence 01.00_00_08_22.Still303 (1).jpg": true,
	"Sequence 01.00_01_02_00.Still309.png":     true,
}

func inTestFolder(name string) bool { return testFolder[name] }

const (
	tTitle   = "Phường Bến Nghé tổ chức ngày hội “Đường phố xanh” năm 2024"
	tSection = "Tin tức - Sự kiện"
	tPara1   = "Sáng Chủ nhật, hàng trăm người dân và đoàn viên thanh niên phường Bến Nghé đã cùng nhau trồng cây, quét dọn và trang trí lại các con hẻm dọc kênh."
	tPara2   = "Ông Trần Minh Khoa – Chủ tịch UBND phường cho biết ngày hội là dịp để mỗi gia đình góp một tay làm đẹp khu phố mình đang sống."
	tPara3   = "Kết thúc ngày hội, ban tổ chức trao giấy khen cho 12 tổ dân phố có nhiều sáng kiến giữ gìn vệ sinh môi trường."
	s301     = "Sequence 01.00_00_03_10.Still301.jpg"
	s302     = "Sequence 01.00_00_11_04.Still302.jpg"
	s303     = "Sequence 01.00_00_08_22.Still303 (1).jpg"
	s305     = "Sequence 01.00_00_26_17.Still305.jpg"
	s309     = "Sequence 01.00_01_02_00.Still309.png"
)

// page is an article copied out of a CMS page, with the page's chrome, a
// no-break space after the section and the title repeated above the body.
var page = strings.Join([]string{
	"Skip Ribbon Commands",
	"Skip to main content",
	"",
	tTitle,
	"",
	tSection + "\u00a0",
	tTitle,
	tPara1,
	"",
	s301,
	"",
	tPara2,
	"",
	"  " + s302 + "  ",
	"",
	s305,
	s303,
	"",
	tPara3,
	s309,
}, "\n")

func para(t string) Block          { return Block{Text: t} }
func stills(names ...string) Block { return Block{Stills: names} }

func TestParseArticle(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
		want Article
	}{
		{"page copied from the CMS", page, Article{Title: tTitle, Section: tSection, Blocks: []Block{
			para(tPara1), stills(s301), para(tPara2), stills(s302), stills(s305, s303), para(tPara3), stills(s309),
		}}},
		{"CRLF line ends and a byte order mark",
			"\uFEFF" + strings.ReplaceAll(page, "\n", "\r\n"),
			Article{Title: tTitle, Section: tSection, Blocks: []Block{
				para(tPara1), stills(s301), para(tPara2), stills(s302), stills(s305, s303), para(tPara3), stills(s309),
			}}},
		{"no chrome and a long second line: no section",
			tTitle + "\n" + tPara1 + "\n" + tPara2,
			Article{Title: tTitle, Blocks: []Block{para(tPara1), para(tPara2)}}},
		{"a still right after the title is not the section",
			tTitle + "\n" + s301 + "\n" + tSection,
			Article{Title: tTitle, Blocks: []Block{stills(s301), para(tSection)}}},
		{"the title repeated before the section is dropped",
			tTitle + "\n" + tTitle + "\n" + tSection + "\n" + tPara1,
			Article{Title: tTitle, Section: tSection, Blocks: []Block{para(tPara1)}}},
		{"adjacent text lines are separate paragraphs",
			tTitle + "\n" + tSection + "\n" + tPara1 + "\n" + tPara2,
			Article{Title: tTitle, Section: tSection, Blocks: []Block{para(tPara1), para(tPara2)}}},
		{"a still then text without a blank line",
			tTitle + "\n" + tSection + "\n" + s301 + "\n" + s302 + "\n" + tPara3 + "\n" + s305,
			Article{Title: tTitle, Section: tSection, Blocks: []Block{stills(s301, s302), para(tPara3), stills(s305)}}},
		{"a repeat of the title splits a run of stills",
			tTitle + "\n" + s301 + "\n" + tTitle + "\n" + s302,
			Article{Title: tTitle, Blocks: []Block{stills(s301), stills(s302)}}},
		{"chrome after the title is text",
			tTitle + "\n" + tSection + "\n" + "Skip to main content",
			Article{Title: tTitle, Section: tSection, Blocks: []Block{para("Skip to main content")}}},
		{"a long line ending in .jpg is a paragraph",
			tTitle + "\n" + tSection + "\n" + strings.Repeat("ảnh ", 80) + "xem-them.jpg",
			Article{Title: tTitle, Section: tSection, Blocks: []Block{para(strings.Repeat("ảnh ", 80) + "xem-them.jpg")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseArticle(tc.text, inTestFolder)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("got\n%+v\nwant\n%+v", *got, tc.want)
			}
		})
	}
}

func TestParseArticleErrors(t *testing.T) {
	missing := "Sequence 01.00_00_40_02.Still318.jpg"
	var thirteen []string
	for i := range 13 {
		name := fmt.Sprintf("Sequence 01.00_00_%02d_00.Still%d.jpg", i, 400+i)
		thirteen = append(thirteen, name)
	}
	inThirteen := func(name string) bool { return strings.HasPrefix(name, "Sequence 01.00_00_") }
	for _, tc := range []struct {
		name   string
		text   string
		inDir  func(string) bool
		wantIn []string // substrings of the error
	}{
		{"a still not in the folder, named with its line",
			tTitle + "\n" + tSection + "\n" + tPara1 + "\n\n" + missing + "\n", inTestFolder,
			[]string{`line 5: still "` + missing + `" is not in the folder`}},
		{"every missing still is named",
			tTitle + "\n" + "nhom-1.JPEG" + "\n" + s301 + "\n" + "Ảnh 2.webp", inTestFolder,
			[]string{`line 2: still "nhom-1.JPEG"`, `line 4: still "Ảnh 2.webp"`}},
		{"a still differing only in case is missing",
			tTitle + "\n" + strings.ToLower(s301), inTestFolder,
			[]string{strings.ToLower(s301)}},
		{"no title", "Skip Ribbon Commands\n\n  \n", inTestFolder,
			[]string{"no title"}},
		{"a still before the title", "Skip to main content\n" + s301 + "\n" + tTitle, inTestFolder,
			[]string{"line 2", "must be the title"}},
		{"thirteen adjacent stills", tTitle + "\n" + strings.Join(thirteen, "\n"), inThirteen,
			[]string{"line 14", "at most 12"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseArticle(tc.text, tc.inDir)
			if err == nil {
				t.Fatalf("no error; got %+v", got)
			}
			for _, w := range tc.wantIn {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestArticleStills(t *testing.T) {
	a := Article{Blocks: []Block{stills(s305), para(tPara1), stills(s301, s305), stills(s302)}}
	if got, want := a.Stills(), []string{s305, s301, s302}; !reflect.DeepEqual(got, want) {
		t.Errorf("Stills() = %q, want %q", got, want)
	}
}

// TestArticleStillsComposedOrNot: a still named in the article with
// composed Vietnamese letters is found in a folder whose name has them
// decomposed (as macOS may give), and the other way round.
func TestArticleStillsComposedOrNot(t *testing.T) {
	composed := "Ảnh hội nghị 1.jpg"
	decomposed := norm.NFD.String(composed)
	if composed == decomposed {
		t.Fatal("the test name has nothing to decompose")
	}
	for _, c := range []struct{ file, text string }{{decomposed, composed}, {composed, decomposed}} {
		dir := t.TempDir()
		path := filepath.Join(dir, "article.txt")
		if err := os.WriteFile(path, []byte(tTitle+"\n"+tSection+"\n"+tPara1+"\n"+c.text+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		art, err := readArticle(path, []string{c.file})
		if err != nil {
			t.Fatalf("file %q, text %q: %v", c.file, c.text, err)
		}
		if got := art.Stills(); len(got) != 1 || nameKey(got[0]) != nameKey(c.file) {
			t.Errorf("stills %q", got)
		}
	}
}
