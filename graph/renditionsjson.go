package graph

import (
	"bytes"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/stillroom/stillroom/graph/model"
)

// renditionsJSON writes a list of renditions, whose fields are the
// collected fields of its selection set, exactly as the generated executor
// does (marshalNRendition2ᚕ… → _Rendition for each element →
// objectJSON), but straight into the answer's buffer. A rendition is plain data:
// every field is a non-null scalar read from the struct, with no resolver
// and no way to fail. A front page shows some 700 of them, and the
// generated path costs each one a field set, a values slice, a
// collected-fields lookup and a boxed value per field: about a fifth of
// the page's CPU before this. The generated executor calls it first
// (internal/tools/gqlgenpost adds the call) and takes its own path when it
// reports false: for a nil element (whose error the generated path
// reports) or a field it does not know (a schema change;
// TestRenditionsJSONMatchesGenerated fails then too).
func renditionsJSON(fields []graphql.CollectedField, v []*model.Rendition) (graphql.Marshaler, bool) {
	if !renditionsFast {
		return nil, false
	}
	for _, r := range v {
		if r == nil {
			return nil, false
		}
	}
	for _, f := range fields {
		switch f.Name {
		case "__typename", "name", "width", "height", "format", "byteSize", "url":
		default:
			return nil, false
		}
	}
	return renditionList{fields, v}, true
}

// renditionList is a list of renditions and the fields to show of each.
type renditionList struct {
	fields []graphql.CollectedField
	v      []*model.Rendition
}

// MarshalGQL writes the list straight into the answer's buffer (gqlgen
// writes answers to a bytes.Buffer; any other writer gets one write).
func (l renditionList) MarshalGQL(w io.Writer) {
	if b, ok := w.(*bytes.Buffer); ok {
		b.Write(l.appendTo(b.AvailableBuffer()))
		return
	}
	w.Write(l.appendTo(nil))
}

func (l renditionList) appendTo(buf []byte) []byte {
	fields := l.fields
	o := objectJSON{fields: fields}
	buf = append(buf, '[')
	for i, r := range l.v {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '{')
		first := true
		for j := range fields {
			alias := fields[j].Alias
			if o.repeats(j, alias) {
				continue
			}
			if !first {
				buf = append(buf, ',')
			}
			first = false
			buf = append(buf, '"')
			buf = append(buf, alias...)
			buf = append(buf, `":`...)
			switch fields[j].Name {
			case "__typename":
				buf = appendQuoted(buf, "Rendition")
			case "name":
				buf = appendQuoted(buf, r.Name)
			case "width":
				buf = strconv.AppendInt(buf, int64(r.Width), 10)
			case "height":
				buf = strconv.AppendInt(buf, int64(r.Height), 10)
			case "format":
				buf = appendQuoted(buf, r.Format)
			case "byteSize":
				buf = strconv.AppendInt(buf, r.ByteSize, 10)
			case "url":
				buf = appendQuoted(buf, r.URL)
			}
		}
		buf = append(buf, '}')
	}
	return append(buf, ']')
}

// renditionsFast switches renditionsJSON on; tests turn it off to get the
// generated path's answer to compare with.
var renditionsFast = true
