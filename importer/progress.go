package importer

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// progressWidth is the number of cells in the progress bar.
const progressWidth = 30

// progress draws, on a terminal, one line redrawn in place with \r:
//
//	[##########--------------------]  12/36  uploaded 10  skipped 1  refused 1
//
// and elsewhere (a log file, a pipe) one plain line per file:
//
//	12/36 uploaded Sequence 01.00_00_04_21.Still120.jpg
//
// It is safe for concurrent use.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	terminal bool
	total    int
	counts   [4]int // by outcome
}

func newProgress(w io.Writer, total int, terminal bool) *progress {
	p := &progress{w: w, total: total, terminal: terminal}
	if terminal {
		p.draw()
	}
	return p
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

var outcomeNames = [...]string{notAttempted: "not attempted", uploaded: "uploaded", skipped: "skipped (already on the server)", refused: "refused"}

// add counts one finished file and redraws.
func (p *progress) add(r fileResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts[r.status]++
	if !p.terminal {
		done := p.counts[uploaded] + p.counts[skipped] + p.counts[refused]
		fmt.Fprintf(p.w, "%d/%d %s %s\n", done, p.total, outcomeNames[r.status], r.name)
		return
	}
	p.draw()
}

// finish ends the line.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal {
		fmt.Fprintln(p.w)
	}
}

func (p *progress) draw() {
	done := p.counts[uploaded] + p.counts[skipped] + p.counts[refused]
	fmt.Fprintf(p.w, "\r%s %*d/%d  uploaded %d  skipped %d  refused %d",
		bar(done, p.total), len(fmt.Sprint(p.total)), done, p.total,
		p.counts[uploaded], p.counts[skipped], p.counts[refused])
}

// bar renders done of total as a fixed-width bar.
func bar(done, total int) string {
	filled := progressWidth
	if total > 0 {
		filled = done * progressWidth / total
	}
	return "[" + strings.Repeat("#", filled) + strings.Repeat("-", progressWidth-filled) + "]"
}
