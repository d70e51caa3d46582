package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// jsonPOST is gqlgen's POST transport (application/json requests) with one
// difference: the answer is written around the data gqlgen produced
// instead of through json.Marshal, which re-validates and compacts the
// whole (already compact) data byte by byte, a large share of a big
// answer's cost (the README's Figures table). Everything else — content
// negotiation, status codes, errors — is what transport.POST does
// (gqlgen v0.17.98), and scripts/graphql-audit.sh checks it in CI.
type jsonPOST struct{ transport.POST }

var _ graphql.Transport = jsonPOST{}

const (
	contentTypeJSON            = "application/json"
	contentTypeGraphQLResponse = "application/graphql-response+json"
)

func (h jsonPOST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	contentType := responseContentType(r)
	w.Header().Set("Content-Type", contentType)
	start := graphql.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("could not read request body: %+v", err)}))
		return
	}
	params := &graphql.RawParams{}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(params); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("json request body could not be decoded: %v (the body starts %s)", err, excerpt(body))}))
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	rc, opErr := exec.CreateOperationContext(ctx, params)
	if opErr != nil {
		status := http.StatusOK
		if errcode.GetErrorKind(opErr) == errcode.KindProtocol {
			status = http.StatusUnprocessableEntity
			if contentType == contentTypeGraphQLResponse {
				status = http.StatusBadRequest
			}
		}
		w.WriteHeader(status)
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, rc), opErr))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, rc)
	writeResponse(w, responses(ctx))
}

// responseContentType picks the answer's media type from Accept as
// transport.POST does: application/json when asked for (or for anything,
// or nothing), else application/graphql-response+json.
func responseContentType(r *http.Request) string {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return contentTypeJSON
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "*/*", "application/*", contentTypeJSON:
			return contentTypeJSON
		case contentTypeGraphQLResponse:
			return contentTypeGraphQLResponse
		}
	}
	return contentTypeGraphQLResponse
}

// writeResponse writes resp as json.Marshal would, member for member,
// copying its data as it is: gqlgen's marshallers wrote it as compact JSON.
func writeResponse(w io.Writer, resp *graphql.Response) {
	tail, err := json.Marshal(struct {
		Label      string         `json:"label,omitempty"`
		Path       ast.Path       `json:"path,omitempty"`
		HasNext    *bool          `json:"hasNext,omitempty"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{resp.Label, resp.Path, resp.HasNext, resp.Extensions})
	var errs []byte
	if err == nil && len(resp.Errors) > 0 {
		errs, err = json.Marshal(resp.Errors)
	}
	if err != nil {
		panic(err) // as transport.POST does; the recoverer answers 500
	}
	// Written in pieces: the response writer buffers them, and the data
	// (the bulk) is not copied once more.
	head := []byte("{")
	if errs != nil {
		head = append(append(append(head, `"errors":`...), errs...), ',')
	}
	head = append(head, `"data":`...)
	if len(resp.Data) == 0 {
		head = append(head, "null"...)
	}
	var end []byte
	if inner := tail[1 : len(tail)-1]; len(inner) > 0 {
		end = append(append(end, ','), inner...)
	}
	end = append(end, '}')
	if hw, ok := w.(http.ResponseWriter); ok {
		// A known length spares the chunked encoding.
		hw.Header().Set("Content-Length", strconv.Itoa(len(head)+len(resp.Data)+len(end)))
	}
	w.Write(head)
	w.Write(resp.Data)
	w.Write(end)
}

// excerptBytes is the most of a request an error message quotes.
const excerptBytes = 64

// excerpt quotes the start of a request body for an error message: at most
// excerptBytes, cut at a character boundary, marked when cut.
func excerpt(b []byte) string {
	if len(b) <= excerptBytes {
		return strconv.Quote(string(b))
	}
	cut := excerptBytes
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return strconv.Quote(string(b[:cut])) + "…"
}
