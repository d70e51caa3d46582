package mongostore

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// errUnsupportedFilter is returned by the in-memory matcher for a query it
// does not know; the caller then asks the database instead.
var errUnsupportedFilter = errors.New("filter not supported in memory")

// matcher evaluates a query document against stored documents the way
// MongoDB does, for the operators this package's queries use: equality,
// $in, $nin, $all, $gt, $gte, $lt, $lte, $regex, $and and $or, on dotted
// paths that may go through arrays (an array matches when any element
// does). Values compare only within a type bracket (numbers, strings,
// dates, booleans), so a missing field or one of another type matches no
// comparison, and $nin matches a missing field. Anything else is
// errUnsupportedFilter.
type matcher struct {
	pred func(bson.Raw) bool
}

// newMatcher compiles filter once for many documents.
func newMatcher(filter bson.D) (*matcher, error) {
	raw, err := bson.Marshal(filter)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUnsupportedFilter, err)
	}
	pred, err := compileDoc(raw)
	if err != nil {
		return nil, err
	}
	return &matcher{pred: pred}, nil
}

func (m *matcher) match(doc bson.Raw) bool { return m.pred(doc) }

// compileDoc compiles a query document: all of its conditions must hold.
func compileDoc(q bson.Raw) (func(bson.Raw) bool, error) {
	elems, err := q.Elements()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUnsupportedFilter, err)
	}
	var preds []func(bson.Raw) bool
	for _, e := range elems {
		key, val := e.Key(), e.Value()
		var p func(bson.Raw) bool
		switch {
		case key == "$and" || key == "$or":
			p, err = compileLogical(key, val)
		case strings.HasPrefix(key, "$"):
			err = fmt.Errorf("%w: %s", errUnsupportedFilter, key)
		default:
			p, err = compileField(key, val)
		}
		if err != nil {
			return nil, err
		}
		preds = append(preds, p)
	}
	return allOf(preds), nil
}

// compileLogical compiles {$and: [...]} or {$or: [...]}.
func compileLogical(op string, val bson.RawValue) (func(bson.Raw) bool, error) {
	arr, ok := val.ArrayOK()
	if !ok {
		return nil, fmt.Errorf("%w: %s needs an array", errUnsupportedFilter, op)
	}
	vals, err := arr.Values()
	if err != nil || len(vals) == 0 {
		return nil, fmt.Errorf("%w: %s needs a non-empty array", errUnsupportedFilter, op)
	}
	var subs []func(bson.Raw) bool
	for _, v := range vals {
		doc, ok := v.DocumentOK()
		if !ok {
			return nil, fmt.Errorf("%w: %s needs documents", errUnsupportedFilter, op)
		}
		p, err := compileDoc(doc)
		if err != nil {
			return nil, err
		}
		subs = append(subs, p)
	}
	any := op == "$or"
	return func(d bson.Raw) bool {
		for _, p := range subs {
			if p(d) == any {
				return any
			}
		}
		return !any
	}, nil
}

// compileField compiles {path: value} or {path: {$op: value, ...}}.
func compileField(path string, val bson.RawValue) (func(bson.Raw) bool, error) {
	keys := strings.Split(path, ".")
	doc, isDoc := val.DocumentOK()
	if !isDoc || !isOperatorDoc(doc) {
		if val.Type == bson.TypeArray || isDoc || val.Type == bson.TypeNull {
			return nil, fmt.Errorf("%w: equality with %s", errUnsupportedFilter, val.Type)
		}
		return func(d bson.Raw) bool { return anyValue(d, keys, func(v bson.RawValue) bool { return equal(v, val) }) }, nil
	}
	elems, _ := doc.Elements()
	var preds []func(bson.Raw) bool
	for _, e := range elems {
		p, err := compileOperator(keys, e.Key(), e.Value())
		if err != nil {
			return nil, err
		}
		preds = append(preds, p)
	}
	return allOf(preds), nil
}

// allOf is the predicate that holds when every one of preds does.
func allOf(preds []func(bson.Raw) bool) func(bson.Raw) bool {
	return func(d bson.Raw) bool {
		for _, p := range preds {
			if !p(d) {
				return false
			}
		}
		return true
	}
}

func isOperatorDoc(doc bson.Raw) bool {
	e, err := doc.IndexErr(0)
	return err == nil && strings.HasPrefix(e.Key(), "$")
}

func compileOperator(keys []string, op string, val bson.RawValue) (func(bson.Raw) bool, error) {
	switch op {
	case "$gt", "$gte", "$lt", "$lte":
		ok := map[string]func(int) bool{
			"$gt":  func(c int) bool { return c > 0 },
			"$gte": func(c int) bool { return c >= 0 },
			"$lt":  func(c int) bool { return c < 0 },
			"$lte": func(c int) bool { return c <= 0 },
		}[op]
		return func(d bson.Raw) bool {
			return anyValue(d, keys, func(v bson.RawValue) bool {
				c, comparable := compare(v, val)
				return comparable && ok(c)
			})
		}, nil
	case "$in", "$nin", "$all":
		list, err := scalarList(op, val)
		if err != nil {
			return nil, err
		}
		in := func(d bson.Raw) bool {
			return anyValue(d, keys, func(v bson.RawValue) bool { return contains(list, v) })
		}
		switch op {
		case "$in":
			return in, nil
		case "$nin":
			return func(d bson.Raw) bool { return !in(d) }, nil
		}
		if len(list) == 0 {
			return func(bson.Raw) bool { return false }, nil
		}
		return func(d bson.Raw) bool {
			for _, want := range list {
				if !anyValue(d, keys, func(v bson.RawValue) bool { return equal(v, want) }) {
					return false
				}
			}
			return true
		}, nil
	case "$regex":
		pattern, ok := val.StringValueOK()
		if !ok {
			return nil, fmt.Errorf("%w: $regex needs a string", errUnsupportedFilter)
		}
		re, err := regexp.Compile(pattern)
		if err != nil {
			return nil, fmt.Errorf("%w: $regex: %v", errUnsupportedFilter, err)
		}
		return func(d bson.Raw) bool {
			return anyValue(d, keys, func(v bson.RawValue) bool {
				s, ok := v.StringValueOK()
				return ok && re.MatchString(s)
			})
		}, nil
	}
	return nil, fmt.Errorf("%w: %s", errUnsupportedFilter, op)
}

// scalarList returns the elements of the array operand of op, which must
// all be scalars.
func scalarList(op string, val bson.RawValue) ([]bson.RawValue, error) {
	arr, ok := val.ArrayOK()
	if !ok {
		return nil, fmt.Errorf("%w: %s needs an array", errUnsupportedFilter, op)
	}
	vals, err := arr.Values()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", errUnsupportedFilter, op, err)
	}
	for _, v := range vals {
		if bracket(v.Type) == 0 {
			return nil, fmt.Errorf("%w: %s with %s", errUnsupportedFilter, op, v.Type)
		}
	}
	return vals, nil
}

func contains(list []bson.RawValue, v bson.RawValue) bool {
	for _, w := range list {
		if equal(v, w) {
			return true
		}
	}
	return false
}

// anyValue reports whether f holds for some value at the dotted path in
// d. Arrays on the way are expanded: {a: [{b: 1}, {b: [2, 3]}]} has the
// values 1, 2 and 3 at a.b.
func anyValue(d bson.Raw, keys []string, f func(bson.RawValue) bool) bool {
	v, err := d.LookupErr(keys[0])
	if err != nil {
		return false
	}
	return anyAt(v, keys[1:], f)
}

func anyAt(v bson.RawValue, rest []string, f func(bson.RawValue) bool) bool {
	if arr, ok := v.ArrayOK(); ok {
		vals, _ := arr.Values()
		for _, e := range vals {
			if anyAt(e, rest, f) {
				return true
			}
		}
		return false
	}
	if len(rest) == 0 {
		return f(v)
	}
	doc, ok := v.DocumentOK()
	if !ok {
		return false
	}
	return anyValue(doc, rest, f)
}

// bracket is the comparison class of a BSON type; 0 for types the matcher
// does not compare.
func bracket(t bson.Type) int {
	switch t {
	case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble:
		return 1
	case bson.TypeString:
		return 2
	case bson.TypeDateTime:
		return 3
	case bson.TypeBoolean:
		return 4
	case bson.TypeObjectID:
		return 5
	}
	return 0
}

// compare orders a and b when they are in the same bracket.
func compare(a, b bson.RawValue) (int, bool) {
	ba := bracket(a.Type)
	if ba == 0 || ba != bracket(b.Type) {
		return 0, false
	}
	switch ba {
	case 1:
		return cmp.Compare(number(a), number(b)), true
	case 2:
		return strings.Compare(a.StringValue(), b.StringValue()), true
	case 3:
		return cmp.Compare(a.DateTime(), b.DateTime()), true
	case 4:
		x, y := a.Boolean(), b.Boolean()
		switch {
		case x == y:
			return 0, true
		case !x:
			return -1, true
		}
		return 1, true
	case 5:
		x, y := a.ObjectID(), b.ObjectID()
		return bytes.Compare(x[:], y[:]), true
	}
	return 0, false
}

func equal(a, b bson.RawValue) bool {
	c, ok := compare(a, b)
	return ok && c == 0
}

func number(v bson.RawValue) float64 {
	switch v.Type {
	case bson.TypeInt32:
		return float64(v.Int32())
	case bson.TypeInt64:
		return float64(v.Int64())
	}
	return v.Double()
}
