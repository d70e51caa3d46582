// Package gqllimits bounds what one GraphQL request may ask for, before
// any resolver runs: the settings and the handler extension that parses a
// new query once with the token limit (limits.go), the query's shape
// (shape.go), its cost (cost.go) and the operations' deadline
// (timeout.go). A query over a limit is refused with QUERY_TOO_COMPLEX.
package gqllimits

import (
	"context"
	"fmt"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// Defaults of the GraphQL request limits; the README has the table.
const (
	DefaultMaxQueryCost          = 50000
	DefaultMaxQueryDepth         = 12
	DefaultMaxAliases            = 30
	DefaultMaxDirectivesPerField = 5
	DefaultMaxQueryTokens        = 5000
	DefaultMaxQueryBytes         = 64 << 10
	DefaultMaxSelections         = 1000
	DefaultMaxRepeats            = 20
	DefaultMaxPathsPerFile       = 10
	DefaultOperationTimeout      = 30 * time.Second
)

// Limits bounds what one GraphQL request may ask for. Each limit is
// checked before any resolver runs; a request over one is refused with
// QUERY_TOO_COMPLEX (the query) or BAD_USER_INPUT (the multipart form).
type Limits struct {
	MaxCost               int // estimated fields resolved, lists multiplied by first or an estimate
	MaxDepth              int // fields nested in fields, fragments expanded
	MaxAliases            int // aliased fields in an operation, fragments expanded
	MaxDirectivesPerField int
	MaxTokens             int           // lexical tokens in the query text, comments included
	MaxQueryBytes         int           // bytes of query text (a comment or a string is one token)
	MaxSelections         int           // fields and fragment spreads in the document, fragments expanded
	MaxRepeats            int           // fields selected at one response path, fragments expanded
	MaxUploadFiles        int           // files in one multipart request
	MaxPathsPerFile       int           // variables one multipart file may be mapped to
	Timeout               time.Duration // per query or mutation; subscriptions run until closed
}

func Defaults() Limits {
	return Limits{
		MaxCost:               DefaultMaxQueryCost,
		MaxDepth:              DefaultMaxQueryDepth,
		MaxAliases:            DefaultMaxAliases,
		MaxDirectivesPerField: DefaultMaxDirectivesPerField,
		MaxTokens:             DefaultMaxQueryTokens,
		MaxQueryBytes:         DefaultMaxQueryBytes,
		MaxSelections:         DefaultMaxSelections,
		MaxRepeats:            DefaultMaxRepeats,
		MaxUploadFiles:        app.MaxFilesPerUpload,
		MaxPathsPerFile:       DefaultMaxPathsPerFile,
		Timeout:               DefaultOperationTimeout,
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

// Extension is the executor extension that refuses queries over the
// limits, parsing each new query text once:
//
//   - Before the executor parses (MutateOperationParameters, after APQ
//     resolved the text): a text the executor's query cache holds was
//     checked already. Otherwise it is parsed here with the token limit
//     (gqlparser's own, as SetParserTokenLimit uses), its shape is checked
//     (shape.go: directives, depth, aliases, selections, repeats), so a
//     hostile query costs no validation (whose check that fields merge is
//     quadratic in the fields at one path), then it is validated by the
//     default rules and put in the query cache, where the executor finds it
//     parsed and validated. Only a text that fails validation is parsed
//     again, by the executor, which reports its errors in its own words
//     (with or without suggestions).
//   - After validation (MutateOperationContext): the cost, by gqlgen's
//     ComplexityLimit with the per-field functions of ComplexityRoot
//     (cost.go).
//
// The handler must use docs as its query cache and no validation rules of
// its own (SetValidationRulesFn): a document here passes exactly the rules
// the executor would apply.
type Extension struct {
	lim    Limits
	cost   *extension.ComplexityLimit
	docs   graphql.Cache[*ast.QueryDocument]
	schema *ast.Schema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = (*Extension)(nil)

// New returns the extension enforcing lim; docs is the query
// cache of the handler it extends.
func New(lim Limits, docs graphql.Cache[*ast.QueryDocument]) *Extension {
	return &Extension{
		lim:  lim,
		cost: extension.FixedComplexityLimit(lim.MaxCost),
		docs: docs,
	}
}

func (q *Extension) ExtensionName() string { return "StillroomQueryLimits" }

func (q *Extension) Validate(es graphql.ExecutableSchema) error {
	q.schema = es.Schema()
	return q.cost.Validate(es)
}

// MutateOperationParameters parses a new query text, checks its tokens and
// shape, and hands it, validated, to the executor through its query cache.
func (q *Extension) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if p.Query == "" {
		return nil
	}
	if _, ok := q.docs.Get(ctx, p.Query); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, q.lim.MaxTokens)
	if err != nil {
		gerr, ok := err.(*gqlerror.Error)
		switch {
		case !ok:
			return nil // the executor reports it
		case gerr.Message == fmt.Sprintf("exceeded token limit of %d", q.lim.MaxTokens):
			// gqlparser's words; TestGraphQLLimits notices if they change.
			return tooComplex("the query has more than %d tokens", q.lim.MaxTokens)
		default:
			// What the executor answers for a syntax error.
			errcode.Set(gerr, errcode.ParseFailed)
			return gerr
		}
	}
	if err := q.checkDocument(doc); err != nil {
		return err
	}
	if len(doc.Operations) == 0 || len(validator.ValidateWithRules(q.schema, doc, rules.NewDefaultRules())) > 0 {
		return nil // the executor reports it
	}
	q.docs.Add(ctx, p.Query, doc)
	return nil
}

// MutateOperationContext refuses an operation whose cost is over the
// limit, after validation and before execution.
func (q *Extension) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if err := q.cost.MutateOperationContext(ctx, opCtx); err != nil {
		cost := 0
		if s, ok := opCtx.Stats.GetExtension(q.cost.ExtensionName()).(*extension.ComplexityStats); ok {
			cost = s.Complexity
		}
		return tooComplex("the query costs %d, over the limit of %d: ask for fewer items (first) or fewer nested lists", cost, q.lim.MaxCost)
	}
	return nil
}

// QueryBytes is the extension that refuses a query text longer than its
// value in bytes, before anything reads it: the persisted-query cache and
// the parser come after it. Comments and strings are one token each, so
// the token limit alone lets a text be as long as the request.
type QueryBytes int

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = QueryBytes(0)

func (QueryBytes) ExtensionName() string                   { return "StillroomQueryBytes" }
func (QueryBytes) Validate(graphql.ExecutableSchema) error { return nil }

func (m QueryBytes) MutateOperationParameters(_ context.Context, p *graphql.RawParams) *gqlerror.Error {
	if len(p.Query) > int(m) {
		return tooComplex("the query text is %d bytes, over the limit of %d", len(p.Query), int(m))
	}
	return nil
}
