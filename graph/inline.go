package graph

import (
	"bytes"
	"context"
	"hash/maphash"
	"io"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// The generated executor calls these instead of gqlgen's concurrent
// versions; internal/tools/gqlgenpost explains why and makes the switch,
// on the syntax tree, after every `go generate`. Root fields (queries, mutations) keep gqlgen's
// own scheduling.

// marshalSliceInOrder marshals the elements of a list one after another,
// each with its index in the field context and a panic turned into an
// error on that element, as graphql.MarshalSliceConcurrently does. One
// field context serves every element, its index moved along: elements are
// marshalled one at a time, and an error's path is taken when the error is
// added, so nothing sees an element's context after its turn.
func marshalSliceInOrder(ctx context.Context, length int, marshalElement func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := make(graphql.Array, length)
	index := 0
	fc := &graphql.FieldContext{Index: &index}
	childCtx := graphql.WithFieldContext(ctx, fc)
	for i := range length {
		index = i
		fc.Result = nil
		func() {
			defer func() {
				if r := recover(); r != nil {
					graphql.AddError(childCtx, graphql.Recover(childCtx, r))
					ret[i] = graphql.Null
				}
			}()
			ret[i] = marshalElement(childCtx, i)
		}()
	}
	return ret
}

// newDeferredGroup is graphql.NewDeferredGroup without the object's path
// and without a map of deferred labels, both made for every object and
// used only by deferred fields. There are none: objects below the root
// resolve their fields in place (gqlgenpost's serialObjects plugin), a
// field marked @defer with the rest (TestDeferIsAnsweredAtOnce),
// which the incremental delivery proposal allows, and which the transports
// here need, since they send one answer per request.
func newDeferredGroup(ctx context.Context) graphql.DeferredGroup {
	return graphql.DeferredGroup{Context: ctx}
}

// objectJSON writes an object's fields as graphql.FieldSet does, without
// its per-object map and per-field copies. Response keys are GraphQL names
// ([_A-Za-z][_0-9A-Za-z]*, checked by the parser), so they need no escaping.
type objectJSON struct {
	fields []graphql.CollectedField
	values []graphql.Marshaler
}

func (o objectJSON) MarshalGQL(w io.Writer) {
	sw, ok := w.(io.StringWriter)
	if !ok {
		sw = stringWriter{w}
	}
	sw.WriteString("{")
	first := true
	for i := range o.fields {
		alias := o.fields[i].Alias
		if o.repeats(i, alias) {
			continue
		}
		if first {
			sw.WriteString(`"`)
			first = false
		} else {
			sw.WriteString(`,"`)
		}
		sw.WriteString(alias)
		sw.WriteString(`":`)
		o.values[i].MarshalGQL(w)
	}
	sw.WriteString("}")
}

// repeats reports whether a field before i has the response key alias;
// the first one wins, as in graphql.FieldSet.
func (o objectJSON) repeats(i int, alias string) bool {
	for j := range i {
		if o.fields[j].Alias == alias {
			return true
		}
	}
	return false
}

type stringWriter struct{ io.Writer }

func (w stringWriter) WriteString(s string) (int, error) { return io.WriteString(w.Writer, s) }

// quotedString is a string answer. It writes what graphql.MarshalString
// writes — the bytes as they are, with ASCII control characters, '"' and
// '\' escaped — but in one write, straight into the executor's buffer,
// instead of rune by rune.
type quotedString string

func (s quotedString) MarshalGQL(w io.Writer) {
	if b, ok := w.(*bytes.Buffer); ok {
		b.Grow(len(s) + 2)
		b.Write(appendQuoted(b.AvailableBuffer(), string(s)))
		return
	}
	w.Write(appendQuoted(nil, string(s)))
}

// appendQuoted appends s as graphql.MarshalString writes it. Bytes that
// need no escape are skipped eight at a time (a front page is some 100 KB
// of strings, almost none with anything to escape).
func appendQuoted(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		for i+8 <= len(s) && !needsEscape8(uint64(s[i])|uint64(s[i+1])<<8|uint64(s[i+2])<<16|uint64(s[i+3])<<24|
			uint64(s[i+4])<<32|uint64(s[i+5])<<40|uint64(s[i+6])<<48|uint64(s[i+7])<<56) {
			i += 8
		}
		if i == len(s) {
			break
		}
		c := s[i]
		i++
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		dst = append(dst, s[start:i-1]...)
		switch c {
		case '\t':
			dst = append(dst, `\t`...)
		case '\r':
			dst = append(dst, `\r`...)
		case '\n':
			dst = append(dst, `\n`...)
		case '\\':
			dst = append(dst, `\\`...)
		case '"':
			dst = append(dst, `\"`...)
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// needsEscape8 reports whether any of the eight bytes of w is below 0x20,
// '"' or '\\' (the classic "has a byte less than n" and "has a zero byte"
// word tests, exact as yes/no answers).
func needsEscape8(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	control := (w - ones*0x20) &^ w & highs
	q := w ^ (ones * '"')
	quote := (q - ones) &^ q & highs
	b := w ^ (ones * '\\')
	backslash := (b - ones) &^ b & highs
	return control|quote|backslash != 0
}

const hexDigits = "0123456789ABCDEF"

// marshalString replaces graphql.MarshalString.
func marshalString(s string) graphql.Marshaler { return quotedString(s) }

// objectFields is what the executor of an object below the root needs of
// graphql.FieldSet: its fields' values and the count of fields that are
// null where the schema forbids it. Those objects resolve every field in
// place (gqlgenpost's serialObjects plugin), so nothing is left to
// dispatch; a gqlgen that used more of FieldSet would not compile here.
type objectFields struct {
	Values   []graphql.Marshaler
	Invalids uint32
}

// Dispatch is FieldSet.Dispatch, which runs the fields left to resolve
// concurrently: there are none.
func (*objectFields) Dispatch(context.Context) {}

// newObjectFieldSet replaces graphql.NewFieldSet for objects below the
// root: the field set, its values and the object's answer (objectJSON) come
// in one allocation instead of three, and the answer is returned as is.
func newObjectFieldSet(fields []graphql.CollectedField) (*objectFields, *objectJSON) {
	switch n := len(fields); {
	case n <= 2:
		return newObject(fields, func(v *[2]graphql.Marshaler) []graphql.Marshaler { return v[:n] })
	case n <= 4:
		return newObject(fields, func(v *[4]graphql.Marshaler) []graphql.Marshaler { return v[:n] })
	case n <= 8:
		return newObject(fields, func(v *[8]graphql.Marshaler) []graphql.Marshaler { return v[:n] })
	default:
		return newObject(fields, func(*struct{}) []graphql.Marshaler { return make([]graphql.Marshaler, n) })
	}
}

// newObject allocates a field set, its answer and room V for its values
// together; values returns the values' slice of that room.
func newObject[V any](fields []graphql.CollectedField, values func(*V) []graphql.Marshaler) (*objectFields, *objectJSON) {
	o := new(struct {
		fs  objectFields
		obj objectJSON
		v   V
	})
	o.fs.Values = values(&o.v)
	o.obj = objectJSON{fields: fields, values: o.fs.Values}
	return &o.fs, &o.obj
}

// fieldsCache keeps what graphql.CollectFields answered during one
// operation (it depends on the selection set, the object's type and the
// operation's variables and fragments). gqlgen keeps such a cache too,
// but makes its key by hashing the type names every time: an allocation
// and a hash for each of the thousand objects of a front page. Here the
// key is the identity of the selection set and of the type's list of
// names, both of which live as long as the operation.
type fieldsCache struct {
	mu sync.Mutex
	m  map[fieldsKey][]graphql.CollectedField
}

type fieldsKey struct {
	sel       *ast.Selection // &sel[0], or nil for an empty set
	n         int
	satisfies *string // &satisfies[0], or nil
}

// first returns the address of s's first element (the identity of its
// backing array), or nil.
func first[T any](s []T) *T {
	if len(s) == 0 {
		return nil
	}
	return &s[0]
}

// collect is graphql.CollectFields, remembered for the operation. The
// executor calls it through ec.collectFields, which gqlgenpost adds to the
// generated code along with the cache itself (a field of the execution
// context).
func (c *fieldsCache) collect(oc *graphql.OperationContext, sel ast.SelectionSet, satisfies []string) []graphql.CollectedField {
	key := fieldsKey{first(sel), len(sel), first(satisfies)}
	c.mu.Lock()
	f, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return f
	}
	f = graphql.CollectFields(oc, sel, satisfies)
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[fieldsKey][]graphql.CollectedField)
	}
	c.m[key] = f
	c.mu.Unlock()
	return f
}

// resolveField is graphql.ResolveField (gqlgen v0.17.98) for the executor
// of this server, which registers no field interceptor
// (TestNoFieldInterceptors): it calls the resolver directly instead of
// through the operation's interceptor chain, and the marshaller directly
// instead of through a closure. gqlgen's version wraps both in closures
// that capture the context and the collected field, which moves them and
// the generated code's own closures to the heap, for every resolver field;
// gqlgen (v0.17.98, the newest) has no form without them, and the front
// page measured with graphql.ResolveField in its place is in the README's
// Figures table. Errors, nulls, panics and the field context's result are
// handled as there (TestResolveFieldMatchesGQLGen).
// gqlgenpost calls it only for fields without directives (middlewareChain
// is nil; there are none with directives in this schema today), so a
// field with directives keeps gqlgen's path.
func resolveField[T any](
	ctx context.Context,
	oc *graphql.OperationContext,
	field graphql.CollectedField,
	initializeFieldContext func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error),
	fieldResolver func(ctx context.Context) (any, error),
	_ func(ctx context.Context, next graphql.Resolver) graphql.Resolver, // nil
	marshal func(ctx context.Context, sel ast.SelectionSet, v T) graphql.Marshaler,
	recoverFromPanic bool,
	nonNull bool,
) (ret graphql.Marshaler) {
	fc, err := initializeFieldContext(ctx, field)
	if err != nil {
		return graphql.Null
	}
	ctx = graphql.WithFieldContext(ctx, fc)
	if recoverFromPanic {
		defer func() {
			if r := recover(); r != nil {
				oc.Error(ctx, oc.Recover(ctx, r))
				ret = graphql.Null
			}
		}()
	}
	res, err := fieldResolver(ctx)
	if err != nil {
		oc.Error(ctx, graphql.AddFieldLocationToError(ctx, err))
		if fc.NonNull && !nonNull {
			return graphql.RequiredNull
		}
		return graphql.Null
	}
	if res == nil {
		if nonNull || fc.NonNull {
			graphql.AddInvalidNullError(ctx, "")
		}
		if fc.NonNull && !nonNull {
			return graphql.RequiredNull
		}
		return graphql.Null
	}
	if v, ok := res.(T); ok {
		fc.Result = res // the same value as v, already boxed
		return marshal(ctx, field.Selections, v)
	}
	if m, ok := res.(graphql.Marshaler); ok {
		fc.Result = res
		return m
	}
	var t T
	graphql.AddErrorf(ctx, `unexpected type %T from middleware/directive chain, should be %T`, res, t)
	return graphql.Null
}

// answerBuffer returns the buffer an operation's answer is written to,
// already as large as the last answer to the same query text (plus a
// little): a front page is about 110 KB, which a buffer starting empty
// reaches by doubling eleven times, allocating and copying twice the
// answer. gqlgenpost makes the executor call it and noteAnswerSize.
func answerBuffer(oc *graphql.OperationContext) *bytes.Buffer {
	key := maphash.String(answerSizes.seed, oc.RawQuery)
	answerSizes.mu.Lock()
	n := answerSizes.m[key]
	answerSizes.mu.Unlock()
	if n == 0 {
		return new(bytes.Buffer)
	}
	return bytes.NewBuffer(make([]byte, 0, n+n/8))
}

// noteAnswerSize remembers the size of an answer to oc's query text.
func noteAnswerSize(oc *graphql.OperationContext, n int) {
	n = min(n, maxAnswerSizeHint)
	key := maphash.String(answerSizes.seed, oc.RawQuery)
	answerSizes.mu.Lock()
	if answerSizes.m == nil || len(answerSizes.m) >= answerSizeHints {
		answerSizes.m = make(map[uint64]int)
	}
	answerSizes.m[key] = n
	answerSizes.mu.Unlock()
}

// answerSizes holds the sizes of the last answers to up to answerSizeHints
// query texts (then it starts over); a hint is at most maxAnswerSizeHint.
// Texts are kept as hashes: a query text may be up to a megabyte, and a
// thousand of them must not stay in memory for a size hint (two texts with
// the same hash only share a hint).
var answerSizes = struct {
	mu   sync.Mutex
	seed maphash.Seed
	m    map[uint64]int
}{seed: maphash.MakeSeed()}

const (
	answerSizeHints   = 1000
	maxAnswerSizeHint = 4 << 20
)
