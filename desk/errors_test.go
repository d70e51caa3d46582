package desk

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strconv"
	"testing"
)

// TestEveryErrorCodeHasAMessage: every code of core (the codes the API
// answers) has the desk's own message in src/lib/errors.ts, whose keys the
// Messages type requires in both languages; a code added to core without
// one fails here.
func TestEveryErrorCodeHasAMessage(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../core/errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Code" || len(v.Values) != 1 {
				continue
			}
			lit, ok := v.Values[0].(*ast.BasicLit)
			if !ok {
				continue
			}
			code, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			codes = append(codes, code)
		}
	}
	if len(codes) < 13 {
		t.Fatalf("found only %d codes in core/errors.go: %v", len(codes), codes)
	}
	src, err := os.ReadFile("src/lib/errors.ts")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range append(codes, "NETWORK", "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED") {
		if !regexp.MustCompile(`(?m)^\s+` + c + `: 'error\.[A-Z_]+',`).Match(src) {
			t.Errorf("code %s has no message in src/lib/errors.ts (codeMessages)", c)
		}
	}
}
