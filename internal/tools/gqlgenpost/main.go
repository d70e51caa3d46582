// Command gqlgenpost rewrites gqlgen's generated executor (go generate runs
// it right after gqlgen) so that an operation runs on the goroutine of its
// request instead of fanning out:
//
//   - list elements are marshalled one after another
//     (graphql.MarshalSliceConcurrently → marshalSliceInOrder), and
//   - object fields with resolvers are resolved in place
//     (FieldSet.ResolveConcurrently → resolveInline), fields marked
//     @defer included (they come in the one answer), and
//   - an object's deferred group is made without computing its path
//     (graphql.NewDeferredGroup → newDeferredGroup); only deferred fields
//     need it, and resolveInline answers @defer fields in place, and
//   - a field that reads a plain Go value (a string, integer or boolean
//     field of the model, or a pointer to one for a nullable field; no
//     resolver, no directive; not floats, whose marshaller can fail on
//     NaN and must then see the field's context) is marshalled
//     directly, without graphql.ResolveField's field context, middleware
//     call and closures: four allocations of the ~45,000 the front page
//     made, each. Only resolvers and fields with errors need those; the
//     server registers no field interceptor (TestNoFieldInterceptors),
//     and
//   - an object's answer is written by objectJSON instead of
//     graphql.FieldSet's MarshalGQL, which makes a map and copies every
//     field to the heap, for every object; below the root, the field
//     set, its values and the answer come in one allocation
//     (newObjectFieldSet), and
//   - graphql.CollectFields is remembered per operation in a field the
//     rewrite adds to the execution context (ec.collectFields), without
//     hashing type names for every object, and
//   - strings are written by quotedString, which copies a string without
//     characters to escape in one write instead of rune by rune (the
//     output is the same as graphql.MarshalString's), and
//   - the other fields without directives (all of them today) are
//     resolved by resolveField, gqlgen's ResolveField without the closures
//     that put each field's context, resolver and marshaller on the heap,
//     and
//   - a query's answer is written to a buffer as large as the last answer
//     to the same query text (answerBuffer), and
//   - a list of renditions is written by renditionsJSON (graph/renditions.go)
//     straight into the answer, as the generated path would write it.
//
// Each has a test against gqlgen's own path in graph (inline_test.go,
// renditions_test.go).
//
// gqlgen starts a goroutine for every element of every list and for every
// object with two or more resolver fields: about 1,400 for the 20-article
// front page, which then cost more than the work they carry (stack growth,
// scheduling, garbage). Stillroom's resolvers do not need them: nested
// loads are batched per page by app's loader, not by waiting for siblings,
// and the embedded database answers from memory. The helpers are in
// graph/inline.go and graph/renditions.go. Each rewrite must apply at least once, so a gqlgen
// upgrade that changes the generated code fails here instead of silently
// keeping the fan-out.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"regexp"
)

type rewrite struct {
	what string
	re   *regexp.Regexp
	to   string
}

var rewrites = []rewrite{
	{"list marshalling", regexp.MustCompile(`graphql\.MarshalSliceConcurrently\(ctx, len\(v\), \d+, (?:true|false), `), "marshalSliceInOrder(ctx, len(v), "},
	{"resolver fields", regexp.MustCompile(`out\.ResolveConcurrently\(ec\.OperationContext, &deferred, i,`), "resolveInline(ctx, ec.OperationContext, out, i,"},
	{"deferred groups", regexp.MustCompile(`graphql\.NewDeferredGroup\(ctx\)`), "newDeferredGroup(ctx)"},
	{"plain fields", regexp.MustCompile(`(?m)^\treturn graphql\.ResolveField\(
\t\tctx,
\t\tec\.OperationContext,
\t\tfield,
\t\tfunc\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{
\t\t\treturn ec\.fieldContext_\w+\(ctx, field\)
\t\t\},
\t\tfunc\(ctx context\.Context\) \(any, error\) \{
\t\t\treturn obj\.(\w+), nil
\t\t\},
\t\tnil,
\t\tfunc\(ctx context\.Context, selections ast\.SelectionSet, v \*?(?:string|int|int64|bool)\) graphql\.Marshaler \{
\t\t\treturn ec\.(marshal[^(\s]+)\(ctx, selections, v\)
\t\t\},
\t\ttrue,
\t\t(?:true|false),
\t\)
`), "\treturn ec.$2(ctx, field.Selections, obj.$1)\n"},
	{"resolver fields' calls", regexp.MustCompile(`graphql\.ResolveField\((
\t\tctx,
\t\tec\.OperationContext,
\t\tfield,
\t\tfunc\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{
(?:\t\t\t[^\n]*\n)*?\t\t\},
\t\tfunc\(ctx context\.Context\) \(any, error\) \{
(?:\t\t\t[^\n]*\n)*?\t\t\},
\t\tnil,
)`), "resolveField($1"},
	{"answer buffers", regexp.MustCompile(`(?m)^(\t+)var buf bytes\.Buffer\n(\t+)data\.MarshalGQL\(&buf\)\n(\t+)response\.Data = buf\.Bytes\(\)\n`), "${1}buf := answerBuffer(opCtx)\n${2}data.MarshalGQL(buf)\n${3}response.Data = buf.Bytes()\n${3}noteAnswerSize(opCtx, len(response.Data))\n"},
	{"strings", regexp.MustCompile(`graphql\.MarshalString\(`), "marshalString("},
	{"rendition lists", regexp.MustCompile(`(func \(ec \*executionContext\) marshalNRendition2ᚕ[^\n]*v \[\]\*model\.Rendition\) graphql\.Marshaler \{\n)`), "${1}\tif m, ok := renditionsJSON(ec.collectFields(sel, renditionImplementors), v); ok {\n\t\treturn m\n\t}\n"},
	{"objects below the root", regexp.MustCompile(`(sel ast\.SelectionSet, obj [^)]*\) graphql\.Marshaler \{\n\tfields := graphql\.CollectFields\([^\n]*\n\n\t)out := graphql\.NewFieldSet\(fields\)((?s:.*?)\n)\treturn out\n}\n`), "${1}out, answer := newObjectFieldSet(fields)${2}\treturn answer\n}\n"},
	{"object answers", regexp.MustCompile(`(?m)^\treturn out\n}$`), "\treturn objectJSON{fields, out.Values}\n}"},
	{"collected fields", regexp.MustCompile(`graphql\.CollectFields\(ec\.OperationContext, sel, `), "ec.collectFields(sel, "},
	{"execution state", regexp.MustCompile(`(type executionContext struct \{\n\t\*graphql\.ExecutionContextState\[[^\n]*\n)\}`), "${1}\tfields *fieldsCache\n}"},
	{"execution state made", regexp.MustCompile(`(?m)^(\treturn &executionContext\{\n)`), "${1}\t\tfields: new(fieldsCache),\n"},
}

// collectFieldsMethod is added to the generated code, which alone knows
// the execution context's cache field ("execution state" above).
const collectFieldsMethod = `
// collectFields is graphql.CollectFields, remembered for the operation
// (added by gqlgenpost; see fieldsCache).
func (ec *executionContext) collectFields(sel ast.SelectionSet, satisfies []string) []graphql.CollectedField {
	return ec.fields.collect(ec.OperationContext, sel, satisfies)
}
`

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gqlgenpost graph/generated.go")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gqlgenpost:", err)
		os.Exit(1)
	}
}

func run(name string) error {
	src, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	for _, r := range rewrites {
		n := len(r.re.FindAllIndex(src, -1))
		if n == 0 {
			return fmt.Errorf("%s: no %s found to rewrite; gqlgen's output changed, see this command's doc", name, r.what)
		}
		src = r.re.ReplaceAll(src, []byte(r.to))
	}
	for _, left := range []string{"MarshalSliceConcurrently(", ".ResolveConcurrently(", "NewDeferredGroup(", "graphql.MarshalString("} {
		if bytes.Contains(src, []byte(left)) {
			return fmt.Errorf("%s: a call to %s is left in a form this command does not know", name, left)
		}
	}
	src = append(src, collectFieldsMethod...)
	out, err := format.Source(src)
	if err != nil {
		return err
	}
	return os.WriteFile(name, out, 0o644)
}
