package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// axePath is where `npm ci --prefix clients` (run by scripts/test.sh before
// the Go tests) puts axe-core, relative to the module root.
const axePath = "clients/node_modules/axe-core/axe.min.js"

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

func loadAxe() (string, error) {
	axeOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			axeErr = err
			return
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				axeErr = fmt.Errorf("no go.mod above the test's folder")
				return
			}
			dir = parent
		}
		b, err := os.ReadFile(filepath.Join(dir, axePath))
		if err != nil {
			axeErr = fmt.Errorf("axe-core is not installed (run: npm ci --prefix clients): %w", err)
			return
		}
		axeSource = string(b)
	})
	return axeSource, axeErr
}

// Violation is one axe-core rule the page breaks.
type Violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"` // CSS targets of the offending elements
}

func (v Violation) String() string {
	return fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
}

// Axe runs axe-core's WCAG 2.1 A/AA and best-practice rules on the page as
// it is now and returns every violation.
func (b *Browser) Axe() []Violation {
	b.t.Helper()
	src, err := loadAxe()
	if err != nil {
		b.t.Fatalf("browsertest: %v", err)
	}
	// Installed once per page; axe.run is then called on the live DOM.
	Eval[bool](b, "(() => { if (!window.axe) { (0, eval)("+jsQuote(src)+"); } return true; })()")
	return Eval[[]Violation](b, `axe.run(document, {
		runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
		resultTypes: ['violations'],
	}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact || '', help: v.help,
		nodes: v.nodes.map(n => n.target.join(' ')),
	})))`)
}

// AssertAccessible fails the test for every serious or critical axe-core
// violation on the page (what is named after the screen, for the message)
// and logs the others.
func (b *Browser) AssertAccessible(what string) {
	b.t.Helper()
	for _, v := range b.Axe() {
		if v.Impact == "serious" || v.Impact == "critical" {
			b.t.Errorf("accessibility of %s: %s", what, v)
		} else {
			b.t.Logf("accessibility of %s (minor): %s", what, v)
		}
	}
}
