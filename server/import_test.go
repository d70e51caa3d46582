package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stillroom/stillroom/importer"
)

// importArticle is a seed-shaped article of the project's own: page
// chrome, the title, the section (with a trailing no-break space), the
// title again, paragraphs and still lines, two of them adjacent.
const importArticle = "testdata/article-hoi-thi.txt"

// importStills are the stills importArticle names, plus one it does not.
var importStills = []string{
	"Sequence 01.00_00_07_14.Still201.jpg",
	"Sequence 01.00_00_52_03.Still207.jpg",
	"Sequence 01.00_00_21_09.Still203.jpg",
	"Sequence 01.00_01_05_20.Still209.jpg",
	"Sequence 01.00_00_33_17.Still205 (1).jpg",
	"Sequence 01.00_00_44_00.Still206.jpg", // not in the article
}

// wantImportBlocks is importArticle's body: "text:" entries are paragraph
// beginnings, "image:" and "gallery:" list file names in order.
var wantImportBlocks = []string{
	"text:Sáng thứ Bảy 9/11, tại sân Nhà văn hóa",
	"image:Sequence 01.00_00_07_14.Still201.jpg",
	"text:Trong 90 phút, các đội lần lượt",
	"image:Sequence 01.00_00_52_03.Still207.jpg|Sequence 01.00_00_21_09.Still203.jpg",
	"text:Ban giám khảo gồm các nghệ nhân",
	"image:Sequence 01.00_01_05_20.Still209.jpg",
	"image:Sequence 01.00_00_33_17.Still205 (1).jpg",
	"text:Kết quả, đội khu vực 3 đoạt giải Nhất",
	"gallery:Sequence 01.00_00_07_14.Still201.jpg|Sequence 01.00_00_21_09.Still203.jpg|" +
		"Sequence 01.00_00_33_17.Still205 (1).jpg|Sequence 01.00_00_52_03.Still207.jpg|Sequence 01.00_01_05_20.Still209.jpg",
}

// TestImport runs `stillroom import` in-process against a server of its
// own: a folder of stills and an article text become a DRAFT article with
// image blocks and a gallery; a second run uploads nothing; refused files
// are reported; and problems found up front leave the server untouched.
func TestImport(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	admin := login(t, s, adminEmail, adminPassword)
	dir := stillFolder(t, importStills, 10)
	writeTestFile(t, dir, "ghi-chu.txt", []byte("not an image, not uploaded"))
	args := []string{"--server", s.URL, "--token", admin, "--jobs", "3", "--article", importArticle, "--credit", "Ảnh: UBND phường An Hội", dir}

	out, err := runImport(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "uploaded 6, skipped 0 (already on the server), refused 0\n") {
		t.Errorf("first run summary:\n%s", out)
	}
	first := importedArticle(t, s, admin, out)

	t.Run("second run uploads nothing", func(t *testing.T) {
		out, err := runImport(t, args...)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "uploaded 0, skipped 6 (already on the server), refused 0\n") {
			t.Errorf("second run summary:\n%s", out)
		}
		// It updates the same draft (and its gallery) in place.
		if !strings.Contains(out, "updated in place (still DRAFT)") {
			t.Errorf("second run:\n%s", out)
		}
		if again := importedArticle(t, s, admin, out); again.id != first.id || again.assetIDs != first.assetIDs {
			t.Errorf("second article %s with assets %s; first %s with %s", again.id, again.assetIDs, first.id, first.assetIDs)
		}
		d := s.mustGQL(t, admin, `{ articles { totalCount } galleries { totalCount } assets(first: 100) { edges { node { id credit } } } }`, nil)
		if dig(d, "articles", "totalCount") != 1.0 || dig(d, "galleries", "totalCount") != 1.0 {
			t.Errorf("after the second run: %v", d)
		}
		var ids []any
		for _, e := range dig(d, "assets", "edges").([]any) {
			ids = append(ids, dig(e, "node", "id"))
			if dig(e, "node", "credit") != "Ảnh: UBND phường An Hội" {
				t.Errorf("--credit not set: %v", e)
			}
		}
		// Published, it is left alone by a third run.
		s.mustGQL(t, admin, `mutation($ids: [ID!]!) { updateAssets(ids: $ids, input: {altText: "Hội thi bánh dân gian"}) { id } }`, map[string]any{"ids": ids})
		s.mustGQL(t, admin, `mutation($id: ID!) { publishArticle(id: $id, withGalleries: true) { status } }`, map[string]any{"id": first.id})
		out, err = runImport(t, args...)
		if err != nil || !strings.Contains(out, "is PUBLISHED: left as it is") {
			t.Errorf("third run: %v\n%s", err, out)
		}
		if d := s.mustGQL(t, admin, `{ articles { totalCount } }`, nil); dig(d, "articles", "totalCount") != 1.0 {
			t.Errorf("the third run made an article: %v", d)
		}
	})

	t.Run("refused files are reported per file", func(t *testing.T) {
		dir := stillFolder(t, []string{"Sequence 01.00_02_00_00.Still300.jpg"}, 200)
		writeTestFile(t, dir, "hong.jpg", []byte("these bytes are no image"))
		writeTestFile(t, dir, "trong.png", nil)
		for _, run := range []string{"first", "again"} {
			out, err := runImport(t, "--server", s.URL, "--token", admin, dir)
			if err == nil || !strings.Contains(err.Error(), "2 of 3 files refused") {
				t.Errorf("%s run: error %v, want 2 of 3 refused", run, err)
			}
			for _, want := range []string{`refused "hong.jpg": UNSUPPORTED_MEDIA_TYPE: `, `refused "trong.png": UNSUPPORTED_MEDIA_TYPE: `} {
				if !strings.Contains(out, want) {
					t.Errorf("%s run: summary lacks %q:\n%s", run, want, out)
				}
			}
		}
	})

	s.mustGQL(t, admin, `mutation { createUser(input: {email: "ph@example.com", name: "Phóng viên ảnh", password: "photographer-pass", role: PHOTOGRAPHER}) { id } }`, nil)
	photographer := login(t, s, "ph@example.com", "photographer-pass")
	missing := "Sequence 01.00_03_03_03.Still333.jpg"
	missingText := "Skip to main content\n\nTiêu đề thử\n\nTin tức - Sự kiện\nĐoạn văn đầu tiên.\n\n" +
		importStills[0] + "\n\n" + missing + "\n"
	missingArticle := filepath.Join(t.TempDir(), "thieu-anh.txt")
	writeTestFile(t, filepath.Dir(missingArticle), filepath.Base(missingArticle), []byte(missingText))
	fresh := stillFolder(t, []string{importStills[0], "Sequence 01.00_04_00_00.Still400.jpg"}, 120)

	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"a missing still is named before anything is sent",
			[]string{"--server", s.URL, "--token", admin, "--article", missingArticle, fresh}, `line 10: still "` + missing + `" is not in the folder`},
		{"an article needs an editor",
			[]string{"--server", s.URL, "--token", photographer, "--article", importArticle, dir}, "needs an EDITOR or ADMIN token"},
		{"a token that is not valid",
			[]string{"--server", s.URL, "--token", "not-a-token", fresh}, "UNAUTHENTICATED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := contentCounts(t, s, admin)
			_, err := runImport(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			if after := contentCounts(t, s, admin); after != before {
				t.Errorf("counts changed from %v to %v", before, after)
			}
		})
	}
}

// runImport runs the importer with args and no environment, logging its
// output, and returns the summary (stdout).
func runImport(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := importer.Run(context.Background(), args, func(string) string { return "" }, &stdout, &stderr)
	t.Logf("import %q\nstdout:\n%s\nstderr:\n%s", args, stdout.String(), stderr.String())
	return stdout.String(), err
}

// stillFolder writes small distinct JPEGs under the given names into a new
// folder; seed makes their bytes differ from other folders'.
func stillFolder(t *testing.T, names []string, seed int) string {
	t.Helper()
	dir := t.TempDir()
	for i, name := range names {
		writeTestFile(t, dir, name, photoJPEG(t, 320, 180, uint8(seed+i*7)))
	}
	return dir
}

func writeTestFile(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// imported is an article the importer made.
type imported struct {
	id       string
	assetIDs string // of the image blocks, in order
}

var createdLine = regexp.MustCompile(`(?:created as DRAFT|updated in place \(still DRAFT\)): id ([0-9a-f]{24}), slug (\S+)`)

// importedArticle finds the article named in the import's summary and
// checks it against importArticle.
func importedArticle(t *testing.T, s *testServer, token, summary string) imported {
	t.Helper()
	m := createdLine.FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("no article in the summary:\n%s", summary)
	}
	d := s.mustGQL(t, token, `query($id: ID!) { article(id: $id) { slug title section status blocks {
		__typename
		... on ParagraphBlock { text }
		... on ImageBlock { assets { id filename } }
		... on GalleryBlock { gallery { items { asset { filename } } } }
	} } }`, map[string]any{"id": m[1]})
	a := dig(d, "article").(map[string]any)
	if a["slug"] != m[2] || a["status"] != "DRAFT" || a["section"] != "Tin tức - Sự kiện" ||
		a["title"] != "Phường An Hội tổ chức Hội thi “Bánh dân gian Nam Bộ” năm 2024" {
		t.Errorf("article slug %v (summary %s), status %v, section %q, title %q", a["slug"], m[2], a["status"], a["section"], a["title"])
	}
	var got, ids []string
	for _, b := range a["blocks"].([]any) {
		var names []string
		switch b := b.(map[string]any); b["__typename"] {
		case "ParagraphBlock":
			got = append(got, "text:"+b["text"].(string))
		case "ImageBlock":
			for _, as := range b["assets"].([]any) {
				names = append(names, dig(as, "filename").(string))
				ids = append(ids, dig(as, "id").(string))
			}
			got = append(got, "image:"+strings.Join(names, "|"))
		case "GalleryBlock":
			for _, it := range dig(b, "gallery", "items").([]any) {
				names = append(names, dig(it, "asset", "filename").(string))
			}
			got = append(got, "gallery:"+strings.Join(names, "|"))
		}
	}
	if !blocksMatch(got, wantImportBlocks) {
		t.Errorf("blocks\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantImportBlocks, "\n"))
	}
	return imported{id: m[1], assetIDs: strings.Join(ids, ",")}
}

// blocksMatch compares block descriptions: paragraphs by their beginning
// (and never with space around them), the others exactly.
func blocksMatch(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if strings.HasPrefix(want[i], "text:") {
			text := strings.TrimPrefix(got[i], "text:")
			if !strings.HasPrefix(got[i], want[i]) || text != strings.TrimSpace(text) {
				return false
			}
		} else if got[i] != want[i] {
			return false
		}
	}
	return true
}

// contentCounts returns how many articles, galleries and assets there are.
func contentCounts(t *testing.T, s *testServer, token string) [3]float64 {
	t.Helper()
	d := s.mustGQL(t, token, `{ articles { totalCount } galleries { totalCount } assets { totalCount } }`, nil)
	return [3]float64{dig(d, "articles", "totalCount").(float64), dig(d, "galleries", "totalCount").(float64), dig(d, "assets", "totalCount").(float64)}
}

// TestImportInterrupted: stopping an import (Ctrl-C ends its context)
// prints what was done and what is left, returns an error whose exit
// status is 130, and the next run uploads only the rest. The importer
// talks to a real server through a proxy that stops the run when the
// third upload arrives: that upload, in flight, is finished and counted.
func TestImportInterrupted(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	admin := login(t, s, adminEmail, adminPassword)
	var names []string
	for i := range 6 {
		names = append(names, fmt.Sprintf("Sequence 01.00_00_0%d_00.Still10%d.jpg", i, i))
	}
	dir := stillFolder(t, names, 40)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	target, _ := url.Parse(s.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var uploads atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") && uploads.Add(1) == 3 {
			cancel() // Ctrl-C while the third file is on its way
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	var stdout, stderr bytes.Buffer
	err := importer.Run(ctx, []string{"--server", front.URL, "--token", admin, "--jobs", "1", dir}, func(string) string { return "" }, &stdout, &stderr)
	t.Logf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	var coded interface{ ExitCode() int }
	if !errors.As(err, &coded) || coded.ExitCode() != 130 || err.Error() != "interrupted: 3 uploaded, 3 left; run again to resume" {
		t.Fatalf("error %v", err)
	}
	if !strings.Contains(stdout.String(), "interrupted: 3 uploaded, 3 left; run again to resume\n") || strings.Contains(stdout.String(), "context canceled") {
		t.Errorf("summary:\n%s", stdout.String())
	}
	out, err := runImport(t, "--server", s.URL, "--token", admin, dir)
	if err != nil || !strings.Contains(out, "uploaded 3, skipped 3 (already on the server), refused 0\n") {
		t.Errorf("resumed run: %v\n%s", err, out)
	}
}

// TestImportRefusedArticleLeavesNoGallery: when the server refuses the
// article (here a paragraph over its length limit), the gallery the run
// made for it is removed again, so running the import again does not pile
// up draft galleries nothing uses.
func TestImportRefusedArticleLeavesNoGallery(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	admin := login(t, s, adminEmail, adminPassword)
	still := "Sequence 01.00_00_07_14.Still201.jpg"
	dir := stillFolder(t, []string{still}, 10)
	text := "Dân vận khéo ở phường Tân Định\n\nTin tức - Sự kiện\n" + strings.Repeat("Một đoạn văn rất dài. ", 1000) + "\n\n" + still + "\n"
	art := filepath.Join(t.TempDir(), "bai.txt")
	writeTestFile(t, filepath.Dir(art), filepath.Base(art), []byte(text))
	for run := range 2 {
		out, err := runImport(t, "--server", s.URL, "--token", admin, "--article", art, dir)
		if err == nil || !strings.Contains(out, "removed again") {
			t.Fatalf("run %d: %v\n%s\nwant the article refused and its gallery removed again", run+1, err, out)
		}
	}
	d := s.mustGQL(t, admin, `{ articles { totalCount } galleries { totalCount } assets { totalCount } }`, nil)
	if dig(d, "articles", "totalCount") != 0.0 || dig(d, "galleries", "totalCount") != 0.0 || dig(d, "assets", "totalCount") != 1.0 {
		t.Errorf("after two refused runs: %v; want no article, no gallery, the one still", d)
	}
}

// TestImportSameFileTwice: two files of one folder with the same bytes
// (a copy "Still129 (1).jpg") make one asset; the report says one was
// uploaded and the other is the same file, not "uploaded 2".
func TestImportSameFileTwice(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	admin := login(t, s, adminEmail, adminPassword)
	dir := stillFolder(t, []string{"Sequence 01.00_00_30_11.Still129.jpg"}, 10)
	writeTestFile(t, dir, "Sequence 01.00_00_30_11.Still129 (1).jpg", photoJPEG(t, 320, 180, 10))
	out, err := runImport(t, "--server", s.URL, "--token", admin, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "uploaded 1, skipped 1") || !strings.Contains(out, "the same file as") {
		t.Errorf("report:\n%s\nwant one uploaded and the copy said to be the same file", out)
	}
	if n := dig(s.mustGQL(t, admin, `{ assets { totalCount } }`, nil), "assets", "totalCount"); n != 1.0 {
		t.Errorf("%v assets, want 1", n)
	}
}
