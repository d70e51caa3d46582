package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/internal/gqltest"
)

// frontendList is the list page of TestListRoundTrips: 20 articles, each
// with its cover's renditions and its gallery's items with renditions.
const frontendList = `{ articles(first: 20) { totalCount edges { node { title
	cover { renditions { name url } }
	blocks { ... on GalleryBlock { gallery { title items { caption asset { srcset renditions { name url } } } } } }
} } } }`

// TestGraphQLLimits: each limit refuses its request before any resolver
// runs, with its code, and the server goes on serving.
func TestGraphQLLimits(t *testing.T) {
	s := startServer(t, map[string]string{
		"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword,
		"MAX_UPLOAD_BYTES": fmt.Sprint(2 << 20), "MAX_BODY_BYTES": fmt.Sprint(3 << 20),
	}, false)
	tok := login(t, s, adminEmail, adminPassword)

	// deep12 nests 12 fields (articles, edges, node, galleries, then
	// cover and usedIn in turn) at a cost well under the limit.
	const deep12 = `{ articles(first: 1) { edges { node { galleries { cover { usedIn { cover { usedIn { cover { usedIn { cover { id } } } } } } } } } } } }`
	deep13 := strings.Replace(deep12, "cover { id }", "cover { uploadedBy { id } }", 1)
	aliasFields := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "a%d: me { id } ", i)
		}
		return b.String()
	}
	aliases := func(n int) string { return "{ " + aliasFields(n) + "}" }
	for _, tc := range []struct {
		name, query, code, msg string
	}{
		{"cost", strings.Replace(frontendList, "first: 20", "first: 100", 1), "QUERY_TOO_COMPLEX", "over the limit of 50000"},
		{"depth", deep13, "QUERY_TOO_COMPLEX", "nests fields more than 12 deep"},
		{"depth through fragments", `{ articles(first: 1) { ...A } } fragment A on ArticleConnection { edges { node { galleries { ...G } } } }
			fragment G on Gallery { cover { usedIn { cover { usedIn { ...H } } } } }
			fragment H on Gallery { cover { usedIn { cover { uploadedBy { id } } } } }`, "QUERY_TOO_COMPLEX", "nests fields more than 12 deep"},
		{"aliases", aliases(31), "QUERY_TOO_COMPLEX", "more than 30 aliased fields"},
		{"aliases through fragments", `{ ...F ...F } fragment F on Query { ` + aliasFields(16) + `}`, "QUERY_TOO_COMPLEX", "more than 30 aliased fields"},
		{"directives per field", `{ me ` + strings.Repeat(`@skip(if: false) `, 6) + `{ id } }`, "QUERY_TOO_COMPLEX", `field "me" has 6 directives; at most 5`},
		{"tokens", `{ ` + strings.Repeat("__typename ", 5000) + `}`, "QUERY_TOO_COMPLEX", "more than 5000 tokens"},
		{"comments are tokens too", strings.Repeat("# c\n", 4995) + `{ me { id } }`, "QUERY_TOO_COMPLEX", "more than 5000 tokens"},
		{"repeats of one field", `{ ` + strings.Repeat("__typename ", 21) + `}`, "QUERY_TOO_COMPLEX", `selects "__typename" more than 20 times`},
		{"repeats through nesting", `{ ` + strings.Repeat(`me { `+strings.Repeat("id ", 5)+`} `, 5) + `}`, "QUERY_TOO_COMPLEX", `selects "id" more than 20 times`},
		{"fragments spreading each other twice over", fragmentBomb(30), "QUERY_TOO_COMPLEX", `selects "__typename" more than 20 times`},
		{"selections", wideAssetPages(30), "QUERY_TOO_COMPLEX", "more than 1000 selections"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, r := s.post(t, tok, "application/json", jsonBody(tc.query, nil), nil)
			if r.Code() != tc.code || !strings.Contains(r.Errors[0].Message, tc.msg) || r.Data != nil {
				t.Fatalf("got %+v data %v, want %s %q", r.Errors, r.Data, tc.code, tc.msg)
			}
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("HTTP %d, want 422 (a request error, as for validation)", resp.StatusCode)
			}
			s.assertHealthy(t, tok)
		})
	}

	t.Run("just under each limit", func(t *testing.T) {
		for _, q := range []string{frontendList, deep12, aliases(30), `{ me @skip(if: false) @include(if: true) { id } }`,
			strings.Repeat("# c\n", 4994) + `{ me { id } }`, `{ ` + strings.Repeat("__typename ", 20) + `}`,
			fragmentBomb(4), wideAssets, wideAssetPages(20)} {
			if r := s.gql(t, tok, q, nil); len(r.Errors) > 0 {
				t.Errorf("%.60s...: %+v", q, r.Errors)
			}
		}
	})

	t.Run("JSON body over 1 MiB", func(t *testing.T) {
		body := jsonBody(`query($s: String) { articles(filter: {search: $s}) { totalCount } }`, map[string]any{"s": strings.Repeat("x", 1<<20)})
		resp, r := s.post(t, tok, "application/json", body, nil)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || r.Code() != "PAYLOAD_TOO_LARGE" {
			t.Fatalf("HTTP %d %+v, want 413 PAYLOAD_TOO_LARGE", resp.StatusCode, r.Errors)
		}
		s.assertHealthy(t, tok)
	})
	t.Run("JSON body over 1 MiB, length not declared", func(t *testing.T) {
		body := jsonBody(`query($s: String) { articles(filter: {search: $s}) { totalCount } }`, map[string]any{"s": strings.Repeat("x", 1<<20)})
		// A reader net/http does not know: sent chunked, so only reading
		// it finds it too large, after the handler has begun answering.
		req, _ := http.NewRequest("POST", s.URL+"/graphql", io.MultiReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("reading the answer: %v (Content-Length %s, %d bytes)", err, resp.Header.Get("Content-Length"), len(raw))
		}
		var r gqlResult
		if json.Unmarshal(raw, &r) != nil || resp.StatusCode != http.StatusRequestEntityTooLarge || r.Code() != "PAYLOAD_TOO_LARGE" {
			t.Fatalf("HTTP %d %s, want 413 PAYLOAD_TOO_LARGE", resp.StatusCode, raw)
		}
		s.assertHealthy(t, tok)
	})
	t.Run("multipart body over MAX_BODY_BYTES", func(t *testing.T) {
		req := multipartUpload(t, s.URL, "big.jpg", bytes.Repeat([]byte{0xFF}, 3<<20+1), "id")
		req.Header.Set("GraphQL-Preflight", "1")
		resp, r := s.send(t, tok, req)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || r.Code() != "PAYLOAD_TOO_LARGE" {
			t.Fatalf("HTTP %d %+v, want 413 PAYLOAD_TOO_LARGE", resp.StatusCode, r.Errors)
		}
		s.assertUploadWorks(t, tok)
	})

	t.Run("files per request", func(t *testing.T) {
		n := app.MaxFilesPerUpload + 1
		m := map[string][]string{}
		for i := range n {
			m[fmt.Sprint(i)] = []string{fmt.Sprintf("variables.f.%d", i)}
		}
		resp, r := s.multipartHeld(t, tok, "mutation($f: [Upload!]!) { uploadAssets(files: $f) { id } }",
			map[string]any{"f": make([]any, n)}, m)
		if resp.StatusCode != http.StatusBadRequest || r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "at most 100") {
			t.Fatalf("HTTP %d %+v, want 400 BAD_USER_INPUT", resp.StatusCode, r.Errors)
		}
		s.assertUploadWorks(t, tok)
	})
	t.Run("paths per file", func(t *testing.T) {
		paths := make([]string, 10000)
		for i := range paths {
			paths[i] = "variables.f"
		}
		resp, r := s.multipartHeld(t, tok, "mutation($f: Upload!) { uploadAsset(file: $f) { id } }",
			map[string]any{"f": nil}, map[string][]string{"0": paths})
		if resp.StatusCode != http.StatusBadRequest || r.Code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "mapped to 10000 variables; at most 10") {
			t.Fatalf("HTTP %d %+v, want 400 BAD_USER_INPUT", resp.StatusCode, r.Errors)
		}
		s.assertUploadWorks(t, tok)
	})
	t.Run("multipart operations over 1 MiB", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		ops, _ := json.Marshal(map[string]any{"query": "mutation($f: Upload!) { uploadAsset(file: $f) { id } }",
			"variables": map[string]any{"f": nil, "pad": strings.Repeat("x", 1<<20)}})
		mw.WriteField("operations", string(ops))
		mw.WriteField("map", `{"0": ["variables.f"]}`)
		fw, _ := mw.CreateFormFile("0", "a.jpg")
		fw.Write(photoJPEG(t, 64, 64, 1))
		mw.Close()
		resp, r := s.post(t, tok, mw.FormDataContentType(), &buf, map[string]string{"GraphQL-Preflight": "1"})
		if resp.StatusCode != http.StatusRequestEntityTooLarge || r.Code() != "PAYLOAD_TOO_LARGE" {
			t.Fatalf("HTTP %d %+v, want 413 PAYLOAD_TOO_LARGE", resp.StatusCode, r.Errors)
		}
		s.assertUploadWorks(t, tok)
	})
	t.Run("a form gqlgen refuses is still refused", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("map", `{}`)
		mw.Close()
		resp, r := s.post(t, tok, mw.FormDataContentType(), &buf, map[string]string{"GraphQL-Preflight": "1"})
		if resp.StatusCode != http.StatusUnprocessableEntity || len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "operations") {
			t.Fatalf("HTTP %d %+v, want 422 about operations", resp.StatusCode, r.Errors)
		}
		s.assertUploadWorks(t, tok)
	})
}

// fragmentBomb is a query of n fragments, each spreading the next twice:
// 2^n fields once expanded, in a few hundred bytes.
func fragmentBomb(n int) string {
	var b strings.Builder
	b.WriteString("{ ...F0 }\n")
	for i := range n {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Query { __typename }\n", n)
	return b.String()
}

// wideAssets selects 40 paths of an asset through a fragment spread 20
// times: 823 selections, each path 20 times.
var wideAssets = `{ assets(first: 1) { edges { node { ` + strings.Repeat("...A ", 20) + `} } } }
` + assetFragment

const assetFragment = `fragment A on Asset { id status error filename mimeType byteSize sha256 width height caption altText credit copyright
	tags takenAt blurhash dominantColor srcset createdAt updatedAt
	timecode { hours minutes seconds frames still } camera { make model lens focalLength aperture exposureTime iso }
	renditions { name width height format byteSize url } }`

// wideAssetPages selects n aliased pages of one asset, each with 40 paths:
// 44 selections a page, no path twice.
func wideAssetPages(n int) string {
	var b strings.Builder
	b.WriteString("{ ")
	for i := range n {
		fmt.Fprintf(&b, "p%d: assets(first: 1) { edges { node { ...A } } } ", i)
	}
	return b.String() + "}\n" + assetFragment
}

// TestProductionHidesSchema: in production introspection is off and
// validation errors carry no "Did you mean" suggestions; in development
// both are there.
func TestProductionHidesSchema(t *testing.T) {
	for _, env := range []string{"production", "development"} {
		t.Run(env, func(t *testing.T) {
			s := startServer(t, map[string]string{"ENV": env}, false)
			prod := env == "production"
			for _, q := range []string{
				`{ articel(slug: "x") { id } }`,
				`{ articles(frist: 2) { totalCount } }`,
				`{ articles(filter: {stauts: DRAFT}) { totalCount } }`,
				`{ articles(filter: {status: PUBLISH}) { totalCount } }`,
			} {
				r := s.gql(t, "", q, nil)
				if r.Code() != "GRAPHQL_VALIDATION_FAILED" {
					t.Fatalf("%s: %+v", q, r.Errors)
				}
				for _, e := range r.Errors {
					if has := strings.Contains(e.Message, "Did you mean"); has == prod {
						t.Errorf("%s: %q: suggestion shown = %v", q, e.Message, has)
					}
				}
			}
			r := s.gql(t, "", `{ __schema { queryType { name } } }`, nil)
			if introspected := len(r.Errors) == 0; introspected == prod {
				t.Errorf("introspection answered = %v: %+v", introspected, r.Errors)
			}
			if prod && (r.Code() != "FORBIDDEN" || !strings.Contains(r.Errors[0].Message, "introspection is disabled")) {
				t.Errorf("production introspection: %+v, want FORBIDDEN introspection is disabled", r.Errors)
			}
			s.assertHealthy(t, "")
		})
	}
}

// assertHealthy checks that the server answers /healthz and a normal query.
func (s *testServer) assertHealthy(t testing.TB, token string) {
	t.Helper()
	if resp, _ := s.fetch(t, "/healthz", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: HTTP %d", resp.StatusCode)
	}
	s.mustGQL(t, token, `{ me { id } articles(first: 5) { totalCount edges { node { title } } } }`, nil)
}

// assertUploadWorks checks health and that an upload goes through.
func (s *testServer) assertUploadWorks(t testing.TB, token string) {
	t.Helper()
	s.assertHealthy(t, token)
	if r := s.upload(t, token, "after.jpg", photoJPEG(t, 64, 48, uint8(time.Now().UnixNano())), "id status"); len(r.Errors) > 0 {
		t.Fatalf("upload after a refusal: %+v", r.Errors)
	}
}

func jsonBody(query string, vars map[string]any) io.Reader {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return bytes.NewReader(b)
}

// post sends body to /graphql and returns the response (body read) and
// its decoded GraphQL result.
func (s *testServer) post(t testing.TB, token, contentType string, body io.Reader, header map[string]string) (*http.Response, gqlResult) {
	t.Helper()
	req, err := http.NewRequest("POST", s.URL+"/graphql", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return s.send(t, token, req)
}

func (s *testServer) send(t testing.TB, token string, req *http.Request) (*http.Response, gqlResult) {
	t.Helper()
	return gqltest.Send(t, token, req)
}

// multipartHeld sends the operations and map parts of a multipart request
// declaring a 1 MiB file after them, and holds the body there: the answer
// must come from the map alone, before any file byte is read. (The
// declared length keeps net/http from reading the rest of the body before
// it answers.)
func (s *testServer) multipartHeld(t testing.TB, token, query string, vars map[string]any, uploads map[string][]string) (*http.Response, gqlResult) {
	t.Helper()
	var pre bytes.Buffer
	mw := multipart.NewWriter(&pre)
	ops, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	mw.WriteField("operations", string(ops))
	m, _ := json.Marshal(uploads)
	mw.WriteField("map", string(m))
	mw.CreateFormFile("0", "held.jpg")
	pr, pw := io.Pipe()
	req, err := http.NewRequest("POST", s.URL+"/graphql", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(pre.Len()) + 1<<20
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("GraphQL-Preflight", "1")
	go pw.Write(pre.Bytes())
	defer pw.Close()
	start := time.Now()
	resp, r := s.send(t, token, req)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("answered after %v: the server waited for the files", d)
	}
	return resp, r
}

// TestDeferIsAnsweredAtOnce: @defer is accepted and ignored, as the
// incremental delivery proposal allows: deferred fields come in the one
// answer (the transports here send one answer per request). The generated
// executor resolves them in place and makes objects' deferred groups
// without paths (internal/tools/gqlgenpost), which relies on this.
func TestDeferIsAnsweredAtOnce(t *testing.T) {
	s := startServer(t, map[string]string{"ADMIN_EMAIL": adminEmail, "ADMIN_PASSWORD": adminPassword}, false)
	admin := login(t, s, adminEmail, adminPassword)
	a := s.mustGQL(t, admin, `mutation { createArticle(input: {title: "Toạ đàm", summary: "Tóm tắt", blocks: [{paragraph: "x"}]}) { id } }`, nil)
	s.mustGQL(t, admin, `mutation($a: ID!) { publishArticle(id: $a) { id } }`, map[string]any{"a": dig(a, "createArticle", "id")})
	d := s.mustGQL(t, "", `{ articles(first: 1) { edges { node { id ... @defer(label: "more") { title summary blocks { ... on ParagraphBlock { text } } } } } } }`, nil)
	node := dig(d, "articles", "edges", 0, "node")
	if dig(node, "title") != "Toạ đàm" || dig(node, "summary") != "Tóm tắt" || dig(node, "blocks", 0, "text") != "x" {
		t.Fatalf("deferred fields missing from the answer: %v", d)
	}
}
