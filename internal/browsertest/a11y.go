package browsertest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	jsonv2 "github.com/chromedp/cdproto/cdp/jsonv2"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// textRoles are the accessibility nodes of text itself, which carry the
// same name as the control a label names.
var textRoles = map[string]bool{"StaticText": true, "InlineTextBox": true, "LabelText": true, "none": true, "generic": true}

// ByRole is a chromedp query option that finds elements by their computed
// accessible role ("button", "textbox", "link", "checkbox", …) and exact
// accessible name, as assistive technology sees them. An empty role matches
// any control with that name (not the label's own text). Pass "" as the
// selector: ByRole replaces the lookup.
func ByRole(role, name string) chromedp.QueryOption {
	return byAX(role, name, nil)
}

// ByRoleMatch is ByRole with a regular expression for the name.
func ByRoleMatch(role string, name *regexp.Regexp) chromedp.QueryOption {
	return byAX(role, "", name)
}

func byAX(role, name string, re *regexp.Regexp) chromedp.QueryOption {
	return chromedp.ByFunc(func(ctx context.Context, t *chromedp.Target, n *chromedp.Node) ([]cdp.NodeID, error) {
		backend, err := findAX(ctx, t, role, name, re)
		if err != nil || len(backend) == 0 {
			return nil, err
		}
		pushed, err := cdp.Call(ctx, t, dom.PushNodesByBackendIDsToFrontend, dom.PushNodesByBackendIDsToFrontendParams{BackendNodeIDs: backend})
		if err != nil {
			return nil, err
		}
		return pushed.NodeIDs, nil
	})
}

// findAX returns the DOM nodes whose accessible role is role (any control
// when "") and whose name is name (or matches re). It reads the whole
// accessibility tree: Accessibility.queryAXTree misses controls nested in
// some containers (a file input inside its label, buttons in a toolbar).
func findAX(ctx context.Context, t *chromedp.Target, role, name string, re *regexp.Regexp) ([]cdp.BackendNodeID, error) {
	res, err := cdp.Call(ctx, t, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
	if err != nil {
		return nil, err
	}
	var backend []cdp.BackendNodeID
	for _, ax := range res.Nodes {
		if ax.Ignored || ax.BackendDOMNodeID == 0 {
			continue
		}
		axRole, axName := axString(ax.Role), axString(ax.Name)
		if role == "" && textRoles[axRole] || role != "" && axRole != role {
			continue
		}
		if re != nil && !re.MatchString(axName) || re == nil && axName != name {
			continue
		}
		backend = append(backend, ax.BackendDOMNodeID)
	}
	return backend, nil
}

func axString(v *accessibility.Value) string {
	if v == nil || len(v.Value) == 0 {
		return ""
	}
	var s string
	if err := jsonv2.Unmarshal(v.Value, &s); err != nil {
		return strings.Trim(string(v.Value), `"`)
	}
	return s
}

func describeAX(role, name string) string {
	if role == "" {
		return fmt.Sprintf("control named %q", name)
	}
	return fmt.Sprintf("%s named %q", role, name)
}

// Click clicks, with the mouse, the visible control of that role and name.
func (b *Browser) Click(role, name string) {
	b.t.Helper()
	b.Do("click "+describeAX(role, name), chromedp.Click("", ByRole(role, name), chromedp.NodeVisible))
}

// Fill replaces the text of the field named name (its label) by typing
// text into it, key by key, as a person would.
func (b *Browser) Fill(name, text string) {
	b.t.Helper()
	sel := ByRole("", name)
	// Selecting the old text and typing over it works for inputs and
	// textareas alike (chromedp.Clear fails on an empty textarea).
	selectAll := chromedp.QueryAfter("", func(ctx context.Context, t *chromedp.Target, nodes []*chromedp.Node) (chromedp.Void, error) {
		obj, err := cdp.Call(ctx, t, dom.ResolveNode, dom.ResolveNodeParams{NodeID: nodes[0].NodeID})
		if err != nil {
			return chromedp.Void{}, err
		}
		on := func(p *runtime.CallFunctionOnParams) { p.ObjectID = obj.Object.ObjectID }
		return chromedp.CallFunctionOn[chromedp.Void](`function() { this.focus(); if (this.select) this.select(); }`, on)(ctx, t)
	}, sel)
	keys := text
	if text == "" {
		keys = "\b" // Backspace removes the selected text
	}
	b.Do("fill "+describeAX("", name),
		chromedp.Click("", sel, chromedp.NodeVisible),
		selectAll,
		chromedp.SendKeys("", keys, sel),
	)
}

// Press sends keys (kb.Enter, kb.ArrowDown, "a", …) to the focused element.
func (b *Browser) Press(keys string, opts ...chromedp.KeyOption) {
	b.t.Helper()
	b.Do(fmt.Sprintf("press %q", keys), chromedp.KeyEvent(keys, opts...))
}

// Focus moves the keyboard focus to the control of that role and name.
func (b *Browser) Focus(role, name string) {
	b.t.Helper()
	b.Do("focus "+describeAX(role, name), chromedp.Focus("", ByRole(role, name)))
}

// SetFiles gives the file input named name (its label) these files, as
// picking them in the file dialog would. (It sets the files on the node the
// accessibility tree names, by its backend id: chromedp's own query waits
// forever on inputs pushed that way.)
func (b *Browser) SetFiles(name string, files []string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, b.timeout)
	defer cancel()
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for {
			nodes, err := findAX(ctx, t, "", name, nil)
			if err != nil {
				return err
			}
			if len(nodes) > 0 {
				_, err := cdp.Call(ctx, t, dom.SetFileInputFiles, dom.SetFileInputFilesParams{Files: files, BackendNodeID: nodes[0]})
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}))
	if err != nil {
		b.Screenshot("failed")
		b.t.Fatalf("browsertest: choose files for %s: %v", describeAX("", name), err)
	}
}

// WaitFor waits until a visible control of that role and name exists.
func (b *Browser) WaitFor(role, name string) {
	b.t.Helper()
	b.Do("wait for "+describeAX(role, name), chromedp.WaitVisible("", ByRole(role, name)))
}

// WaitGone waits until no control of that role and name is in the page.
func (b *Browser) WaitGone(role, name string) {
	b.t.Helper()
	b.Do("wait until gone: "+describeAX(role, name), chromedp.WaitNotPresent("", ByRole(role, name)))
}

// Count returns how many controls of that role and name the page has now.
func (b *Browser) Count(role, name string) int {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, b.timeout)
	defer cancel()
	var n int
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		nodes, err := findAX(ctx, t, role, name, nil)
		n = len(nodes)
		return err
	}))
	if err != nil {
		b.t.Fatalf("browsertest: count %s: %v", describeAX(role, name), err)
	}
	return n
}

// WaitText waits until the page's visible text contains s.
func (b *Browser) WaitText(s string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, b.timeout)
	defer cancel()
	q, _ := jsonv2.Marshal(s)
	expr := fmt.Sprintf("document.body !== null && document.body.innerText.includes(%s)", q)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		b.Screenshot("failed")
		b.t.Fatalf("browsertest: wait for the text %q: %v", s, err)
	}
}

// Select chooses the option whose visible text is option in the select
// named name, as picking it from the list does (input and change events).
func (b *Browser) Select(name, option string) {
	b.t.Helper()
	fn := `function(option) {
		const o = Array.from(this.options).find(o => o.text.trim() === option);
		if (!o) throw new Error('no option ' + JSON.stringify(option));
		this.focus();
		this.value = o.value;
		this.dispatchEvent(new Event('input', {bubbles: true}));
		this.dispatchEvent(new Event('change', {bubbles: true}));
	}`
	b.Do(fmt.Sprintf("select %q in %s", option, describeAX("combobox", name)),
		chromedp.QueryAfter("", func(ctx context.Context, t *chromedp.Target, nodes []*chromedp.Node) (chromedp.Void, error) {
			obj, err := cdp.Call(ctx, t, dom.ResolveNode, dom.ResolveNodeParams{NodeID: nodes[0].NodeID})
			if err != nil {
				return chromedp.Void{}, err
			}
			on := func(p *runtime.CallFunctionOnParams) { p.ObjectID = obj.Object.ObjectID }
			return chromedp.CallFunctionOn[chromedp.Void](fn, on, option)(ctx, t)
		}, ByRole("combobox", name), chromedp.NodeVisible),
	)
}

// WaitTrue waits until the JavaScript expression expr is truthy (for state
// no label shows, such as how many thumbnails finished loading).
func (b *Browser) WaitTrue(what, expr string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, b.timeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		b.Screenshot("failed")
		b.t.Fatalf("browsertest: wait until %s: %v", what, err)
	}
}

// ClickAt clicks the control of that role and name at a point given as
// fractions of its box (0.25, 0.3 is a quarter across, 30% down).
func (b *Browser) ClickAt(role, name string, fx, fy float64) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, b.timeout)
	defer cancel()
	var box []float64
	err := chromedp.Do(ctx, chromedp.QueryAfter("", func(ctx context.Context, t *chromedp.Target, nodes []*chromedp.Node) (chromedp.Void, error) {
		m, err := cdp.Call(ctx, t, dom.GetBoxModel, dom.GetBoxModelParams{NodeID: nodes[0].NodeID})
		if err != nil {
			return chromedp.Void{}, err
		}
		q := m.Model.Border // x1 y1 x2 y2 x3 y3 x4 y4
		box = []float64{q[0], q[1], q[4] - q[0], q[5] - q[1]}
		return chromedp.Void{}, nil
	}, ByRole(role, name), chromedp.NodeVisible))
	if err != nil {
		b.t.Fatalf("browsertest: find %s: %v", describeAX(role, name), err)
	}
	b.Do(fmt.Sprintf("click %s at (%.2f, %.2f)", describeAX(role, name), fx, fy),
		chromedp.MouseClickXY(box[0]+fx*box[2], box[1]+fy*box[3]))
}

// Drag presses the mouse on the control (role, name), moves it in steps to
// a point dy pixels below the centre of the control (toRole, toName) and
// releases it there, as a person dragging does.
func (b *Browser) Drag(role, name, toRole, toName string, dy float64) {
	b.t.Helper()
	// Both ends measured after scrolling the start into view, so the
	// press lands where it was measured.
	b.center(toRole, toName, true)
	fx, fy := b.center(role, name, true)
	tx, ty := b.center(toRole, toName, false)
	ty += dy
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, fx, fy),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, fx, fy, chromedp.ButtonLeft, chromedp.ClickCount(1)),
	}
	for i := 1; i <= 10; i++ {
		f := float64(i) / 10
		steps = append(steps, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, fx+(tx-fx)*f, fy+(ty-fy)*f, chromedp.ButtonLeft))
	}
	steps = append(steps, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, tx, ty, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	b.Do(fmt.Sprintf("drag %s onto %s", describeAX(role, name), describeAX(toRole, toName)), steps...)
}

// center is the viewport point at the middle of the control, scrolled into
// view first when scroll is set.
func (b *Browser) center(role, name string, scroll bool) (float64, float64) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, b.timeout)
	defer cancel()
	var x, y float64
	err := chromedp.Do(ctx, chromedp.QueryAfter("", func(ctx context.Context, t *chromedp.Target, nodes []*chromedp.Node) (chromedp.Void, error) {
		if scroll {
			if _, err := cdp.Call(ctx, t, dom.ScrollIntoViewIfNeeded, dom.ScrollIntoViewIfNeededParams{NodeID: nodes[0].NodeID}); err != nil {
				return chromedp.Void{}, err
			}
		}
		m, err := cdp.Call(ctx, t, dom.GetBoxModel, dom.GetBoxModelParams{NodeID: nodes[0].NodeID})
		if err != nil {
			return chromedp.Void{}, err
		}
		q := m.Model.Border
		x, y = (q[0]+q[4])/2, (q[1]+q[5])/2
		return chromedp.Void{}, nil
	}, ByRole(role, name), chromedp.NodeVisible))
	if err != nil {
		b.t.Fatalf("browsertest: find %s: %v", describeAX(role, name), err)
	}
	return x, y
}
