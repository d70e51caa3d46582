package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
	"github.com/stillroom/stillroom/graph"
	"github.com/stillroom/stillroom/graph/model"
)

// Defaults of the GraphQL request limits; the README has the table.
const (
	defaultMaxQueryCost          = 50000
	defaultMaxQueryDepth         = 12
	defaultMaxAliases            = 30
	defaultMaxDirectivesPerField = 5
	defaultMaxQueryTokens        = 5000
	defaultMaxSelections         = 1000
	defaultMaxRepeats            = 20
	defaultMaxPathsPerFile       = 10
	defaultOperationTimeout      = 30 * time.Second

	// maxMultipartPreamble bounds the operations and map parts of a
	// multipart request, which are read before any file: the same bound
	// as a JSON request body.
	maxMultipartPreamble = maxJSONBodyBytes
	// checkedQueries is how many query texts that passed the shape
	// checks are remembered, so a repeated query is not parsed twice.
	checkedQueries = 1000
	// maxCheckedQueryBytes keeps long query texts out of that memory.
	maxCheckedQueryBytes = 16 << 10
)

// Estimated lengths of the lists that have no `first` argument, used by the
// query cost. They are typical sizes, not maxima: the cost is an estimate of
// the work a query asks for, and what matters is that nested lists multiply.
const (
	costRenditions       = 6  // every READY asset has six in its JPEG/PNG set, five WebP
	costGalleryItems     = 20 // a gallery of event stills
	costArticleBlocks    = 5  // blocks that carry nested lists (images, galleries); paragraphs are cheap
	costArticleGalleries = 3
	costImageBlockAssets = 4 // at most app.MaxImagesPer
	costUsedIn           = 10
)

// graphqlLimits bounds what one GraphQL request may ask for. Each limit is
// checked before any resolver runs; a request over one is refused with
// QUERY_TOO_COMPLEX (the query) or BAD_USER_INPUT (the multipart form).
type graphqlLimits struct {
	MaxCost               int // estimated fields resolved, lists multiplied by first or an estimate
	MaxDepth              int // fields nested in fields, fragments expanded
	MaxAliases            int // aliased fields in an operation, fragments expanded
	MaxDirectivesPerField int
	MaxTokens             int           // lexical tokens in the query text, comments included
	MaxSelections         int           // fields and fragment spreads in the document, fragments expanded
	MaxRepeats            int           // fields selected at one response path, fragments expanded
	MaxUploadFiles        int           // files in one multipart request
	MaxPathsPerFile       int           // variables one multipart file may be mapped to
	Timeout               time.Duration // per query or mutation; subscriptions run until closed
}

func defaultGraphQLLimits() graphqlLimits {
	return graphqlLimits{
		MaxCost:               defaultMaxQueryCost,
		MaxDepth:              defaultMaxQueryDepth,
		MaxAliases:            defaultMaxAliases,
		MaxDirectivesPerField: defaultMaxDirectivesPerField,
		MaxTokens:             defaultMaxQueryTokens,
		MaxSelections:         defaultMaxSelections,
		MaxRepeats:            defaultMaxRepeats,
		MaxUploadFiles:        app.MaxFilesPerUpload,
		MaxPathsPerFile:       defaultMaxPathsPerFile,
		Timeout:               defaultOperationTimeout,
	}
}

func init() {
	// A refused query is a request error, like a validation error: HTTP
	// 400 for application/graphql-response+json, 422 for application/json.
	errcode.RegisterErrorType(string(core.CodeQueryTooComplex), errcode.KindProtocol)
}

func tooComplex(format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	errcode.Set(err, string(core.CodeQueryTooComplex))
	return err
}

// queryLimits is the executor extension that refuses queries over the
// limits. Before the executor parses the text (as APQ resolved it):
// tokens, then directives, depth, aliases, selections and repeats on a
// parse of its own, so a hostile query costs no validation. After
// validation: the cost, by gqlgen's ComplexityLimit with the per-field
// functions of complexityRoot.
type queryLimits struct {
	lim     graphqlLimits
	cost    *extension.ComplexityLimit
	checked *lru.LRU[bool]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = (*queryLimits)(nil)

func newQueryLimits(lim graphqlLimits) *queryLimits {
	return &queryLimits{
		lim:     lim,
		cost:    extension.FixedComplexityLimit(lim.MaxCost),
		checked: lru.New[bool](checkedQueries),
	}
}

func (q *queryLimits) ExtensionName() string { return "StillroomQueryLimits" }

func (q *queryLimits) Validate(es graphql.ExecutableSchema) error { return q.cost.Validate(es) }

// MutateOperationParameters checks the query text before the executor
// parses and validates it. Syntax errors are left to the executor.
func (q *queryLimits) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if p.Query == "" {
		return nil
	}
	if _, ok := q.checked.Get(ctx, p.Query); ok {
		return nil
	}
	if err := q.checkText(p.Query); err != nil {
		return err
	}
	if len(p.Query) <= maxCheckedQueryBytes {
		q.checked.Add(ctx, p.Query, true)
	}
	return nil
}

func (q *queryLimits) checkText(query string) *gqlerror.Error {
	src := &ast.Source{Input: query}
	lx := lexer.New(src)
	for n := 0; ; n++ {
		tok, err := lx.ReadToken()
		if err != nil {
			return nil // a syntax error: the executor reports it
		}
		if tok.Kind == lexer.EOF {
			break
		}
		if n >= q.lim.MaxTokens {
			return tooComplex("the query has more than %d tokens", q.lim.MaxTokens)
		}
	}
	doc, err := parser.ParseQuery(src)
	if err != nil {
		return nil
	}
	return q.checkDocument(doc)
}

// checkDocument checks doc before validation: directives as written,
// then every operation with its fragments expanded.
func (q *queryLimits) checkDocument(doc *ast.QueryDocument) *gqlerror.Error {
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

func (q *queryLimits) checkDirectives(doc *ast.QueryDocument) *gqlerror.Error {
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
	lim    graphqlLimits
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

// MutateOperationContext refuses an operation whose cost is over the
// limit, after validation and before execution.
func (q *queryLimits) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if err := q.cost.MutateOperationContext(ctx, opCtx); err != nil {
		cost := 0
		if s, ok := opCtx.Stats.GetExtension(q.cost.ExtensionName()).(*extension.ComplexityStats); ok {
			cost = s.Complexity
		}
		return tooComplex("the query costs %d, over the limit of %d: ask for fewer items (first) or fewer nested lists", cost, q.lim.MaxCost)
	}
	return nil
}

// complexityRoot gives the query cost its per-field functions: a
// connection multiplies what each node costs by `first` (or its default), a
// list by the estimate of its length; every other field costs 1 plus its
// selections (gqlgen's default).
func complexityRoot() graph.ComplexityRoot {
	var c graph.ComplexityRoot
	// last, when given, is the page size (it wins over first).
	size := func(first, last *int) *int {
		if last != nil {
			return last
		}
		return first
	}
	c.Query.Articles = func(child int, first *int, _ *string, last *int, _ *string, _ *model.ArticleFilter, _ *model.ListSort) int {
		return connectionCost(child, size(first, last))
	}
	c.Query.Galleries = func(child int, first *int, _ *string, last *int, _ *string, _ *model.GalleryFilter, _ *model.ListSort) int {
		return connectionCost(child, size(first, last))
	}
	c.Query.Assets = func(child int, first *int, _ *string, last *int, _ *string, _ *model.AssetFilter, _ *model.ListSort) int {
		return connectionCost(child, size(first, last))
	}
	c.Article.Blocks = listCost(costArticleBlocks)
	c.Article.Galleries = listCost(costArticleGalleries)
	c.ImageBlock.Assets = listCost(costImageBlockAssets)
	c.ImageBlock.Items = listCost(costImageBlockAssets)
	c.Gallery.Items = listCost(costGalleryItems)
	c.Asset.Renditions = func(child int, _ *model.ImageFormat) int { return listCost(costRenditions)(child) }
	c.Asset.UsedIn = listCost(costUsedIn)
	c.Mutation.UploadAssets = func(child int, files []*graphql.Upload, _ *model.AssetInput) int {
		return addSat(1, mulSat(len(files), child))
	}
	return c
}

// connectionCost is the cost of a connection returning first nodes. The
// schema gives first a default, so it is nil only if that changes; then
// the largest page is assumed. A first over the largest page is costed as
// the largest page, so the resolver's own BAD_USER_INPUT explains it.
func connectionCost(child int, first *int) int {
	n := core.MaxPageSize
	if first != nil {
		n = min(max(*first, 1), core.MaxPageSize)
	}
	return addSat(1, mulSat(n, child))
}

func listCost(n int) func(int) int {
	return func(child int) int { return addSat(1, mulSat(n, child)) }
}

func addSat(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func mulSat(n, child int) int {
	if n <= 0 || child <= 0 {
		return 0
	}
	if child > math.MaxInt/n {
		return math.MaxInt
	}
	return n * child
}

// operationTimeout gives each query and mutation a deadline. The
// response handler runs the operation, so the deadline is released once
// it has produced its last response. Subscriptions are left alone: they
// last as long as their connection.
func operationTimeout(d time.Duration) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		opCtx := graphql.GetOperationContext(ctx)
		if d <= 0 || opCtx.Operation == nil || opCtx.Operation.Operation == ast.Subscription {
			return next(ctx)
		}
		ctx, cancel := context.WithTimeout(ctx, d)
		h := next(ctx)
		first := true
		return func(ctx context.Context) *graphql.Response {
			resp := h(ctx)
			if resp == nil && first && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				// gqlgen answers nothing at all for an operation whose
				// context ended before it started.
				resp = &graphql.Response{Errors: gqlerror.List{timeoutError(d)}}
			}
			first = false
			if resp == nil || resp.HasNext == nil || !*resp.HasNext {
				cancel()
			}
			return resp
		}
	}
}

// timeoutError is what a client sees of an operation stopped at its
// deadline.
func timeoutError(d time.Duration) *gqlerror.Error {
	err := gqlerror.Errorf("the operation took longer than %s and was stopped", d)
	errcode.Set(err, string(core.CodeInternal))
	return err
}
