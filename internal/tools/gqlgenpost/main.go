// Command gqlgenpost generates the GraphQL executor: `go generate ./...`
// runs it from graph/generate.go. It runs gqlgen through its library API
// (api.Generate, as `gqlgen generate` does) with one plugin added, then
// rewrites a few calls of the generated graph/generated.go on its Go syntax
// tree, so that an operation runs on the goroutine of its request and
// allocates less. Upgrading gqlgen is
//
//	go get github.com/99designs/gqlgen@vX && go generate ./...
//
// Why. gqlgen starts a goroutine for every element of every list and for
// every object with two or more resolver fields: about 1,400 for the
// 20-article front page, which then cost more than the work they carry
// (stack growth, scheduling, garbage). Stillroom's resolvers do not need
// them: nested loads are batched per page by app's loader, not by waiting
// for siblings, and the embedded database answers from memory.
//
// By supported means:
//
//   - the serialObjects plugin sets codegen.Object.DisableConcurrency on
//     every object below the root (gqlgen does so for Mutation itself), so
//     their resolver fields are resolved in place, one after another, @defer
//     fields included (they come in the one answer: TestDeferIsAnsweredAtOnce).
//     Root fields keep gqlgen's own scheduling.
//
// On the syntax tree (rewrites below; each must apply at least once, so a
// gqlgen upgrade that changes the generated code fails here instead of
// silently keeping the slow path, and calls left in a form this command
// does not know are reported):
//
//   - list elements are marshalled one after another
//     (graphql.MarshalSliceConcurrently → marshalSliceInOrder): gqlgen has
//     no setting for it (worker_limit bounds the goroutines, it does not
//     remove them);
//   - an object's deferred group is made without computing its path
//     (graphql.NewDeferredGroup → newDeferredGroup): only deferred fields
//     need it, and there are none once fields are resolved in place;
//   - a field that reads a plain Go value (a string, integer or boolean
//     field of the model, or a pointer to one; no resolver, no directive;
//     not floats, whose marshaller can fail on NaN and must then see the
//     field's context) is marshalled directly, without graphql.ResolveField's
//     field context, middleware call and closures;
//   - the other fields without directives are resolved by resolveField,
//     graphql.ResolveField without the closures that move each field's
//     context, resolver and marshaller to the heap (the server registers no
//     field interceptor: TestNoFieldInterceptors);
//   - an object below the root gets its field set, values and answer in one
//     allocation (graphql.NewFieldSet → newObjectFieldSet), and every
//     object's answer is written by objectJSON instead of graphql.FieldSet's
//     MarshalGQL, which makes a map and copies every field to the heap;
//   - graphql.CollectFields is remembered per operation in a field added to
//     the execution context (ec.collectFields, fieldsCache), without hashing
//     type names for every object;
//   - strings are written by marshalString (quotedString), in one write
//     instead of rune by rune, with the same bytes as graphql.MarshalString;
//   - a query's answer is written to a buffer as large as the last answer
//     to the same query text (answerBuffer, noteAnswerSize);
//   - a list of renditions is written by renditionsJSON straight into the
//     answer, as the generated path would write it.
//
// The helpers are in graph/inline.go and graph/renditionsjson.go; each has a
// test against gqlgen's own path (graph/inline_test.go,
// graph/renditionsjson_test.go).
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"strings"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gqlgenpost:", err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) == 3 && os.Args[1] == "-rewrite" {
		// Only the rewrite, of a file gqlgen made (for tests and diffs).
		return rewriteFile(os.Args[2])
	}
	if len(os.Args) != 1 {
		return fmt.Errorf("usage: gqlgenpost (from the module's root, reads gqlgen.yml) | gqlgenpost -rewrite graph/generated.go")
	}
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		return err
	}
	if err := api.Generate(cfg, api.AddPlugin(serialObjects{})); err != nil {
		return err
	}
	return rewriteFile(cfg.Exec.Filename)
}

// serialObjects is a gqlgen plugin: it runs after gqlgen has built its
// model of the schema and before it writes the executor, and marks every
// object below the root as one whose fields are resolved in order.
type serialObjects struct{}

func (serialObjects) Name() string { return "stillroom-serial-objects" }

func (serialObjects) GenerateCode(data *codegen.Data) error {
	for _, o := range data.Objects {
		if !o.Root {
			o.DisableConcurrency = true
		}
	}
	return nil
}

// header follows gqlgen's "Code generated … DO NOT EDIT." line.
const header = "// Post-processed by internal/tools/gqlgenpost, which rewrites some calls on the\n// syntax tree (see its doc comment) after gqlgen wrote this file.\n"

// collectFieldsMethod is added to the generated code, which alone knows
// the execution context's cache field ("execution state" below).
const collectFieldsMethod = `
// collectFields is graphql.CollectFields, remembered for the operation
// (added by gqlgenpost; see fieldsCache).
func (ec *executionContext) collectFields(sel ast.SelectionSet, satisfies []string) []graphql.CollectedField {
	return ec.fields.collect(ec.OperationContext, sel, satisfies)
}
`

func rewriteFile(name string) error {
	src, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	out, err := rewrite(src)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return os.WriteFile(name, out, 0o644)
}

// rewrite returns src with the rewrites of this command's doc applied.
func rewrite(src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "generated.go", src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	r := &rewriter{count: map[string]int{}}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			r.funcDecl(d)
		case *ast.GenDecl:
			r.genDecl(d)
		}
	}
	if len(r.left) > 0 {
		return nil, fmt.Errorf("calls left in a form gqlgenpost does not know: %s", strings.Join(r.left, ", "))
	}
	for _, what := range allRewrites {
		if r.count[what] == 0 {
			return nil, fmt.Errorf("no %s found to rewrite; gqlgen's output changed, see gqlgenpost's doc", what)
		}
	}
	var buf bytes.Buffer
	if err := format.Node(&buf, fset, f); err != nil {
		return nil, err
	}
	buf.WriteString(collectFieldsMethod)
	out := buf.Bytes()
	if i := bytes.IndexByte(out, '\n'); i > 0 && bytes.HasPrefix(out, []byte("// Code generated ")) {
		out = append(out[:i+1:i+1], append([]byte(header), out[i+1:]...)...)
	} else {
		return nil, fmt.Errorf(`no "// Code generated" line`)
	}
	return format.Source(out)
}

// The rewrites, by name; each must apply at least once.
const (
	rwLists         = "list marshalling"
	rwDeferred      = "deferred groups"
	rwPlain         = "plain fields"
	rwResolve       = "resolver fields' calls"
	rwBuffers       = "answer buffers"
	rwStrings       = "strings"
	rwRenditions    = "rendition lists"
	rwObjects       = "objects below the root"
	rwAnswers       = "object answers"
	rwCollect       = "collected fields"
	rwState         = "execution state"
	rwStateMade     = "execution state made"
	rwSerialObjects = "objects resolved in place (serialObjects plugin)"
)

var allRewrites = []string{rwLists, rwDeferred, rwPlain, rwResolve, rwBuffers, rwStrings,
	rwRenditions, rwObjects, rwAnswers, rwCollect, rwState, rwStateMade, rwSerialObjects}

type rewriter struct {
	count map[string]int
	left  []string
}

func (r *rewriter) funcDecl(d *ast.FuncDecl) {
	if d.Body == nil {
		return
	}
	// Rendition lists: renditionsJSON first, the generated path if it
	// declines (a nil element, a field it does not know).
	if strings.HasPrefix(d.Name.Name, "marshalNRendition2ᚕ") && isRecvEC(d) {
		d.Body.List = append(stmts(`if m, ok := renditionsJSON(ec.collectFields(sel, renditionImplementors), v); ok {
	return m
}`), d.Body.List...)
		r.count[rwRenditions]++
	}
	r.objectFunc(d)
	// Plain fields: a field function whose only statement returns
	// graphql.ResolveField of a model's plain value.
	if len(d.Body.List) == 1 {
		if ret, ok := d.Body.List[0].(*ast.ReturnStmt); ok && len(ret.Results) == 1 {
			if e := plainField(ret.Results[0]); e != nil {
				ret.Results[0] = e
				d.Body.Rbrace = token.NoPos // the call was many lines long, the function is now one
				r.count[rwPlain]++
			}
		}
	}
	ast.Inspect(d.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BlockStmt:
			r.answerBuffer(n)
		case *ast.CallExpr:
			r.call(n)
		case *ast.CompositeLit:
			r.stateMade(n)
		}
		return true
	})
}

// objectFunc rewrites an object's marshaller: `out := graphql.NewFieldSet(fields)`
// … `return out`. Below the root (a function with an obj parameter) the
// field set and answer come from newObjectFieldSet; at the root the field set
// stays gqlgen's (its root fields are resolved concurrently) and only the
// answer is objectJSON.
func (r *rewriter) objectFunc(d *ast.FuncDecl) {
	list := d.Body.List
	if !isRecvEC(d) || len(list) < 3 {
		return
	}
	var made *ast.AssignStmt
	for _, s := range list {
		if a, ok := s.(*ast.AssignStmt); ok && len(a.Lhs) == 1 && isIdent(a.Lhs[0], "out") && len(a.Rhs) == 1 && isCall(a.Rhs[0], "graphql", "NewFieldSet") {
			made = a
			break
		}
	}
	ret, ok := list[len(list)-1].(*ast.ReturnStmt)
	if made == nil || !ok || len(ret.Results) != 1 || !isIdent(ret.Results[0], "out") {
		return
	}
	params := d.Type.Params.List
	if last := params[len(params)-1]; len(last.Names) == 1 && last.Names[0].Name == "obj" {
		made.Lhs = append(made.Lhs, ast.NewIdent("answer"))
		made.Rhs[0].(*ast.CallExpr).Fun = ast.NewIdent("newObjectFieldSet")
		ret.Results[0] = ast.NewIdent("answer")
		r.count[rwObjects]++
		// The plugin's effect, checked: no field of an object below the
		// root is left to ResolveConcurrently.
		serial := true
		ast.Inspect(d.Body, func(n ast.Node) bool {
			if s, ok := n.(*ast.SelectorExpr); ok && s.Sel.Name == "ResolveConcurrently" {
				serial = false
			}
			return serial
		})
		if serial {
			r.count[rwSerialObjects]++
		} else {
			r.left = append(r.left, d.Name.Name+": ResolveConcurrently")
		}
		return
	}
	ret.Results[0] = expr(`objectJSON{fields, out.Values}`)
	r.count[rwAnswers]++
}

// plainField returns `ec.marshalX(ctx, field.Selections, obj.F)` for
//
//	graphql.ResolveField(ctx, ec.OperationContext, field, fieldContext,
//		func(ctx context.Context) (any, error) { return obj.F, nil },
//		nil,
//		func(ctx context.Context, selections ast.SelectionSet, v T) graphql.Marshaler {
//			return ec.marshalX(ctx, selections, v)
//		}, true, nonNull)
//
// where T is string, int, int64 or bool or a pointer to one, and nil for
// anything else.
func plainField(e ast.Expr) ast.Expr {
	call, ok := e.(*ast.CallExpr)
	if !ok || !isCall(call, "graphql", "ResolveField") || len(call.Args) != 9 ||
		!isIdent(call.Args[5], "nil") || !isIdent(call.Args[7], "true") {
		return nil
	}
	res, ok := call.Args[4].(*ast.FuncLit)
	if !ok || len(res.Body.List) != 1 {
		return nil
	}
	rret, ok := res.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(rret.Results) != 2 || !isIdent(rret.Results[1], "nil") {
		return nil
	}
	value, ok := rret.Results[0].(*ast.SelectorExpr)
	if !ok || !isIdent(value.X, "obj") {
		return nil
	}
	m, ok := call.Args[6].(*ast.FuncLit)
	if !ok || len(m.Body.List) != 1 || len(m.Type.Params.List) != 3 {
		return nil
	}
	t := m.Type.Params.List[2].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if id, ok := t.(*ast.Ident); !ok || (id.Name != "string" && id.Name != "int" && id.Name != "int64" && id.Name != "bool") {
		return nil
	}
	mret, ok := m.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(mret.Results) != 1 {
		return nil
	}
	mc, ok := mret.Results[0].(*ast.CallExpr)
	if !ok || len(mc.Args) != 3 {
		return nil
	}
	sel, ok := mc.Fun.(*ast.SelectorExpr)
	if !ok || !isIdent(sel.X, "ec") || !strings.HasPrefix(sel.Sel.Name, "marshal") {
		return nil
	}
	return &ast.CallExpr{
		Fun:  &ast.SelectorExpr{X: ast.NewIdent("ec"), Sel: ast.NewIdent(sel.Sel.Name)},
		Args: []ast.Expr{ast.NewIdent("ctx"), expr("field.Selections"), &ast.SelectorExpr{X: ast.NewIdent("obj"), Sel: ast.NewIdent(value.Sel.Name)}},
	}
}

// call rewrites calls of gqlgen's runtime that have a faster local form.
func (r *rewriter) call(c *ast.CallExpr) {
	fun, ok := c.Fun.(*ast.SelectorExpr)
	if !ok || !isIdent(fun.X, "graphql") {
		return
	}
	switch fun.Sel.Name {
	case "MarshalSliceConcurrently": // (ctx, length, workerLimit, omitPanicHandler, marshalElement)
		if len(c.Args) != 5 {
			r.left = append(r.left, "graphql.MarshalSliceConcurrently")
			return
		}
		c.Fun = ast.NewIdent("marshalSliceInOrder")
		c.Args = []ast.Expr{c.Args[0], c.Args[1], c.Args[4]}
		r.count[rwLists]++
	case "NewDeferredGroup":
		c.Fun = ast.NewIdent("newDeferredGroup")
		r.count[rwDeferred]++
	case "MarshalString":
		c.Fun = ast.NewIdent("marshalString")
		r.count[rwStrings]++
	case "CollectFields": // (ec.OperationContext, sel, implementors)
		if len(c.Args) == 3 && isSelector(c.Args[0], "ec", "OperationContext") {
			c.Fun = expr("ec.collectFields")
			c.Args = c.Args[1:]
			r.count[rwCollect]++
		}
	case "ResolveField": // (ctx, oc, field, fieldContext, resolver, middleware, marshal, recover, nonNull)
		// Only fields without directives (middleware nil); the others
		// keep gqlgen's path.
		if len(c.Args) == 9 && isIdent(c.Args[5], "nil") {
			c.Fun = ast.NewIdent("resolveField")
			r.count[rwResolve]++
		}
	}
}

// answerBuffer rewrites
//
//	var buf bytes.Buffer
//	data.MarshalGQL(&buf)
//	response.Data = buf.Bytes()
//
// to take the buffer from answerBuffer and note the answer's size.
func (r *rewriter) answerBuffer(b *ast.BlockStmt) {
	for i := 0; i+2 < len(b.List); i++ {
		if !isStmt(b.List[i], "var buf bytes.Buffer") || !isStmt(b.List[i+1], "data.MarshalGQL(&buf)") ||
			!isStmt(b.List[i+2], "response.Data = buf.Bytes()") {
			continue
		}
		repl := stmts(`buf := answerBuffer(opCtx)
data.MarshalGQL(buf)
response.Data = buf.Bytes()
noteAnswerSize(opCtx, len(response.Data))`)
		b.List = append(b.List[:i], append(repl, b.List[i+3:]...)...)
		r.count[rwBuffers]++
	}
}

// genDecl adds the per-operation cache of collected fields to the
// execution context's type.
func (r *rewriter) genDecl(d *ast.GenDecl) {
	for _, s := range d.Specs {
		ts, ok := s.(*ast.TypeSpec)
		if !ok || ts.Name.Name != "executionContext" {
			continue
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			continue
		}
		st.Fields.List = append(st.Fields.List, &ast.Field{Names: []*ast.Ident{ast.NewIdent("fields")}, Type: expr("*fieldsCache")})
		r.count[rwState]++
	}
}

// isRecvEC reports whether d is a method of *executionContext.
func isRecvEC(d *ast.FuncDecl) bool {
	return d.Recv != nil && len(d.Recv.List) == 1 && isStar(d.Recv.List[0].Type, "executionContext")
}

// stateMade gives the execution context made for each operation its cache.
func (r *rewriter) stateMade(c *ast.CompositeLit) {
	if id, ok := c.Type.(*ast.Ident); ok && id.Name == "executionContext" {
		c.Elts = append([]ast.Expr{&ast.KeyValueExpr{Key: ast.NewIdent("fields"), Value: expr("new(fieldsCache)")}}, c.Elts...)
		r.count[rwStateMade]++
	}
}

func isStar(e ast.Expr, name string) bool {
	s, ok := e.(*ast.StarExpr)
	return ok && isIdent(s.X, name)
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func isSelector(e ast.Expr, x, sel string) bool {
	s, ok := e.(*ast.SelectorExpr)
	return ok && isIdent(s.X, x) && s.Sel.Name == sel
}

func isCall(e ast.Expr, pkg, name string) bool {
	c, ok := e.(*ast.CallExpr)
	return ok && isSelector(c.Fun, pkg, name)
}

// isStmt reports whether s prints as src (one line of Go).
func isStmt(s ast.Stmt, src string) bool {
	var b bytes.Buffer
	if err := format.Node(&b, token.NewFileSet(), s); err != nil {
		return false
	}
	return b.String() == src
}

// expr parses a Go expression without positions, for the printer to place.
func expr(src string) ast.Expr {
	e, err := parser.ParseExpr(src)
	if err != nil {
		panic(err)
	}
	clearPos(e)
	return e
}

// stmts parses Go statements without positions.
func stmts(src string) []ast.Stmt {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p\nfunc _() {\n"+src+"\n}\n", 0)
	if err != nil {
		panic(err)
	}
	body := f.Decls[0].(*ast.FuncDecl).Body
	clearPos(body)
	return body.List
}

var posType = reflect.TypeFor[token.Pos]()

// clearPos sets every position in n to token.NoPos: nodes parsed from the
// snippets above carry positions of another file, which would confuse the
// printer's placement of lines and comments.
func clearPos(n ast.Node) {
	ast.Inspect(n, func(n ast.Node) bool {
		if n == nil {
			return false
		}
		v := reflect.ValueOf(n)
		if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			return true
		}
		v = v.Elem()
		for i := range v.NumField() {
			if f := v.Field(i); f.Type() == posType && f.CanSet() {
				f.SetInt(0)
			}
		}
		return true
	})
}
