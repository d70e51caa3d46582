package gqllimits

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The shape of a query, checked on its one parse before validation
// (limits.go): directives as written, then depth, aliases, selections and
// repeats with fragments expanded.

// checkDocument checks doc before validation: directives as written,
// then every operation with its fragments expanded.
func (q *Extension) checkDocument(doc *ast.QueryDocument) *gqlerror.Error {
	if err := q.checkDirectives(doc); err != nil {
		return err
	}
	w := expander{lim: q.lim, doc: doc, active: map[string]bool{}}
	for _, op := range doc.Operations {
		w.paths, w.repeats, w.aliases = map[pathKey]int{}, nil, 0
		w.walk(op.SelectionSet, -1, 0)
		if w.err != nil {
			return w.err
		}
	}
	return nil
}

func (q *Extension) checkDirectives(doc *ast.QueryDocument) *gqlerror.Error {
	check := func(what string, ds ast.DirectiveList) *gqlerror.Error {
		if len(ds) > q.lim.MaxDirectivesPerField {
			return tooComplex("%s has %d directives; at most %d", what, len(ds), q.lim.MaxDirectivesPerField)
		}
		return nil
	}
	var walk func(ss ast.SelectionSet) *gqlerror.Error
	walk = func(ss ast.SelectionSet) *gqlerror.Error {
		for _, sel := range ss {
			var err *gqlerror.Error
			switch s := sel.(type) {
			case *ast.Field:
				if err = check(fmt.Sprintf("field %q", s.Alias), s.Directives); err == nil {
					err = walk(s.SelectionSet)
				}
			case *ast.InlineFragment:
				if err = check("an inline fragment", s.Directives); err == nil {
					err = walk(s.SelectionSet)
				}
			case *ast.FragmentSpread:
				err = check(fmt.Sprintf("spread of %q", s.Name), s.Directives)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	for _, op := range doc.Operations {
		if err := check("the operation", op.Directives); err != nil {
			return err
		}
		for _, v := range op.VariableDefinitions {
			if err := check("variable $"+v.Variable, v.Directives); err != nil {
				return err
			}
		}
		if err := walk(op.SelectionSet); err != nil {
			return err
		}
	}
	for _, f := range doc.Fragments {
		if err := check(fmt.Sprintf("fragment %q", f.Name), f.Directives); err != nil {
			return err
		}
		if err := walk(f.SelectionSet); err != nil {
			return err
		}
	}
	return nil
}

// expander walks operations with their fragments expanded, as execution
// and gqlgen's cost calculation see them, and stops at the first limit
// passed. Counting every selection against one budget (MaxSelections, over
// the whole document) bounds the walk: a few hundred bytes of fragments
// spreading each other twice over would otherwise expand to billions of
// fields, which gqlgen's cost calculation walks one by one. Counting the
// fields at each response path (MaxRepeats) bounds validation, whose
// check that fields merge compares every pair at the same path: 5000
// tokens of one repeated field took seconds.
type expander struct {
	lim    Limits
	doc    *ast.QueryDocument
	active map[string]bool // fragments being expanded: a cycle is left to validation

	selections int             // over the whole document
	paths      map[pathKey]int // response path → index into repeats
	repeats    []int           // fields selected at each path
	aliases    int             // in the current operation
	err        *gqlerror.Error
}

// pathKey names a response path by its parent path's index and its last
// response name.
type pathKey struct {
	parent int
	name   string
}

func (w *expander) walk(ss ast.SelectionSet, parent, depth int) {
	for _, sel := range ss {
		if w.err != nil {
			return
		}
		if w.selections++; w.selections > w.lim.MaxSelections {
			w.err = tooComplex("the query has more than %d selections (fields and fragment spreads, fragments expanded)", w.lim.MaxSelections)
			return
		}
		switch x := sel.(type) {
		case *ast.Field:
			w.field(x, parent, depth+1)
		case *ast.InlineFragment:
			w.walk(x.SelectionSet, parent, depth)
		case *ast.FragmentSpread:
			f := w.doc.Fragments.ForName(x.Name)
			if f == nil || w.active[x.Name] {
				continue
			}
			w.active[x.Name] = true
			w.walk(f.SelectionSet, parent, depth)
			delete(w.active, x.Name)
		}
	}
}

func (w *expander) field(f *ast.Field, parent, depth int) {
	name := f.Alias
	if name == "" {
		name = f.Name
	}
	switch {
	case depth > w.lim.MaxDepth:
		w.err = tooComplex("the query nests fields more than %d deep", w.lim.MaxDepth)
		return
	case name != f.Name:
		if w.aliases++; w.aliases > w.lim.MaxAliases {
			w.err = tooComplex("the query has more than %d aliased fields", w.lim.MaxAliases)
			return
		}
	}
	key := pathKey{parent, name}
	id, ok := w.paths[key]
	if !ok {
		id = len(w.repeats)
		w.paths[key] = id
		w.repeats = append(w.repeats, 0)
	}
	if w.repeats[id]++; w.repeats[id] > w.lim.MaxRepeats {
		w.err = tooComplex("the query selects %q more than %d times at the same place", name, w.lim.MaxRepeats)
		return
	}
	// Introspection is bounded by the schema and by gqlparser's
	// MaxIntrospectionDepth rule, and is off in production.
	if f.Name != "__schema" && f.Name != "__type" {
		w.walk(f.SelectionSet, id, depth)
	}
}
