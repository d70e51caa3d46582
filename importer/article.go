package importer

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Article is an article text parsed for import: what createArticle needs,
// with stills still named by file.
type Article struct {
	Title   string
	Section string
	Blocks  []Block
}

// Block is one piece of the body: a paragraph (Text set) or an image block
// of one or more stills (Stills set, file names in the folder).
type Block struct {
	Text   string
	Stills []string
}

// Stills returns every still the article names, each once, in the order
// they first appear.
func (a *Article) Stills() []string {
	var out []string
	seen := map[string]bool{}
	for _, b := range a.Blocks {
		for _, s := range b.Stills {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// Parsing limits.
const (
	// maxSectionRunes is how long the line after the title may be and
	// still be read as the section ("Tin tức - Sự kiện").
	maxSectionRunes = 80
	// maxImagesPerBlock is the server's limit on stills in one image
	// block (app.MaxImagesPer); checked here so a long run of stills is
	// refused before anything is uploaded.
	maxImagesPerBlock = 12
	// maxFilenameBytes is the longest line taken for a file name.
	maxFilenameBytes = 255
)

// chromeLines are page furniture that copying an article out of a CMS page
// brings along before the title.
var chromeLines = []string{"Skip Ribbon Commands", "Skip to main content"}

// imageExts are the file extensions the importer uploads (lower case).
var imageExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true}

// isImageName reports whether name has an image extension.
func isImageName(name string) bool {
	return imageExts[strings.ToLower(filepath.Ext(name))]
}

// ParseArticle reads an article text shaped like a CMS page copied as
// text:
//
//   - blank lines, and page chrome lines ("Skip Ribbon Commands", "Skip to
//     main content") before the title, are dropped;
//   - the first remaining line is the title;
//   - the next line, when short and not a still, is the section;
//   - a line repeating the title is not content;
//   - a line naming a still (exactly a file name for which inDir is true,
//     after trimming spaces) is an image block, and stills on adjacent
//     lines (no blank line between) share one image block;
//   - every other line is a paragraph.
//
// A line that looks like an image file name (ends in .jpg, .jpeg, .png,
// .gif or .webp) but is not in the folder is an error naming it and its
// line; all such lines are reported together. So are runs of more than 12
// adjacent stills (the server's limit per image block). A text without a
// title is an error.
func ParseArticle(text string, inDir func(name string) bool) (*Article, error) {
	text = strings.TrimPrefix(text, "\uFEFF")
	var (
		a        Article
		errs     []error
		hasTitle bool
		wantSect bool // the next content line may be the section
		inGroup  bool // the previous line was a still
	)
	for i, raw := range strings.Split(text, "\n") {
		n := i + 1
		line := strings.TrimSpace(raw) // also drops \r and no-break spaces
		if line == "" {
			inGroup = false
			continue
		}
		still := isStillLine(line, inDir)
		switch {
		case !hasTitle && isChrome(line):
			continue
		case !hasTitle:
			if still {
				return nil, fmt.Errorf("line %d: the article starts with the still %q; the first line must be the title", n, line)
			}
			a.Title, hasTitle, wantSect = line, true, true
			continue
		case line == a.Title:
			inGroup = false
			continue
		case wantSect:
			wantSect = false
			if !still && utf8.RuneCountInString(line) <= maxSectionRunes {
				a.Section = line
				continue
			}
		}
		wantSect = false
		if !still {
			a.Blocks = append(a.Blocks, Block{Text: line})
			inGroup = false
			continue
		}
		if !inDir(line) {
			errs = append(errs, fmt.Errorf("line %d: still %q is not in the folder", n, line))
		}
		if inGroup {
			last := &a.Blocks[len(a.Blocks)-1]
			last.Stills = append(last.Stills, line)
			if len(last.Stills) == maxImagesPerBlock+1 {
				errs = append(errs, fmt.Errorf("line %d: more than %d stills on adjacent lines; an image block holds at most %d (put a blank line between groups)",
					n, maxImagesPerBlock, maxImagesPerBlock))
			}
		} else {
			a.Blocks = append(a.Blocks, Block{Stills: []string{line}})
			inGroup = true
		}
	}
	if !hasTitle {
		errs = append(errs, errors.New("the article has no title (no text line)"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &a, nil
}

// isStillLine reports whether a trimmed line names a still: a file in the
// folder, or something that looks like an image file name (which is then
// an error if it is not in the folder).
func isStillLine(line string, inDir func(string) bool) bool {
	if inDir(line) {
		return true
	}
	return len(line) <= maxFilenameBytes && isImageName(line)
}

func isChrome(line string) bool {
	for _, c := range chromeLines {
		if strings.EqualFold(line, c) {
			return true
		}
	}
	return false
}
