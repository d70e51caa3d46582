package importer

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// progressWidth is the number of cells in the progress bar.
const progressWidth = 30

// progress draws one line, redrawn in place with \r:
//
//	[##########--------------------]  12/36  uploaded 10  skipped 1  refused 1
//
// It is safe for concurrent use.
type progress struct {
	mu     sync.Mutex
	w      io.Writer
	total  int
	counts [4]int // by outcome
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total}
	p.draw()
	return p
}

// add counts one finished file and redraws.
func (p *progress) add(r fileResult) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts[r.status]++
	p.draw()
}

// finish ends the line.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.w)
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
