package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// client talks to a Stillroom server's GraphQL endpoint with a bearer
// token. It is safe for concurrent use.
type client struct {
	endpoint string
	token    string
	http     *http.Client
}

func newClient(server, token string) *client {
	endpoint := strings.TrimRight(server, "/")
	if !strings.HasSuffix(endpoint, "/graphql") {
		endpoint += "/graphql"
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = responseTimeout
	tr.MaxIdleConnsPerHost = maxJobs
	return &client{endpoint: endpoint, token: token, http: &http.Client{Transport: tr}}
}

// responseTimeout bounds the wait for an answer once a request is sent: an
// upload is answered after at most the server's upload wait (10 s by
// default), so this only catches a server that stopped answering.
const responseTimeout = 2 * time.Minute

// APIError is an error the server answered with: its extensions.code (or
// "HTTP" when the answer was not GraphQL) and message.
type APIError struct {
	Code    string
	Message string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// response is a GraphQL answer.
type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code string `json:"code"`
		} `json:"extensions"`
	} `json:"errors"`
}

// do runs a query with JSON variables and decodes data into out. The
// first GraphQL error comes back as *APIError.
func (c *client) do(ctx context.Context, query string, vars map[string]any, out any) (http.Header, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return c.send(req, out)
}

// send authorises and sends req and decodes the GraphQL answer.
func (c *client) send(req *http.Request, out any) (http.Header, error) {
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return resp.Header, fmt.Errorf("read answer from %s: %w", c.endpoint, err)
	}
	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		return resp.Header, &APIError{Code: "HTTP", Message: fmt.Sprintf("%s answered %s: %s", c.endpoint, resp.Status, snippet(raw))}
	}
	if len(r.Errors) > 0 {
		code := r.Errors[0].Extensions.Code
		if code == "" {
			code = "HTTP"
		}
		return resp.Header, &APIError{Code: code, Message: r.Errors[0].Message}
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			return resp.Header, fmt.Errorf("decode answer from %s: %w", c.endpoint, err)
		}
	}
	return resp.Header, nil
}

// maxResponseBytes bounds what is read of one answer.
const maxResponseBytes = 16 << 20

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// remoteAsset is what the importer reads back of an uploaded asset.
type remoteAsset struct {
	ID        string    `json:"id"`
	Filename  string    `json:"filename"`
	SHA256    string    `json:"sha256"`
	Status    string    `json:"status"`
	Error     *string   `json:"error"`
	CreatedAt time.Time `json:"createdAt"`
}

const uploadQuery = `mutation($f: Upload!, $in: AssetInput) { uploadAsset(file: $f, input: $in) { id filename sha256 status error createdAt } }`

// upload sends one file with the GraphQL multipart request spec (and the
// preflight header the server requires). The body streams from disk with
// a known length, so large files are not held in memory.
// input, when not nil, is the AssetInput sent with it (credit, copyright).
func (c *client) upload(ctx context.Context, path string, input map[string]any) (*remoteAsset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	ops, _ := json.Marshal(map[string]any{"query": uploadQuery, "variables": map[string]any{"f": nil, "in": input}})
	if err := mw.WriteField("operations", string(ops)); err != nil {
		return nil, err
	}
	if err := mw.WriteField("map", `{"0": ["variables.f"]}`); err != nil {
		return nil, err
	}
	if _, err := mw.CreateFormFile("0", filepath.Base(path)); err != nil {
		return nil, err
	}
	prefix := bytes.Clone(head.Bytes())
	head.Reset()
	if err := mw.Close(); err != nil {
		return nil, err
	}
	suffix := head.Bytes()
	body := io.MultiReader(bytes.NewReader(prefix), io.LimitReader(f, info.Size()), bytes.NewReader(suffix))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, body)
	if err != nil {
		return nil, err
	}
	req.ContentLength = int64(len(prefix)) + info.Size() + int64(len(suffix))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("GraphQL-Preflight", "1")
	var out struct {
		UploadAsset remoteAsset `json:"uploadAsset"`
	}
	if _, err := c.send(req, &out); err != nil {
		return nil, err
	}
	return &out.UploadAsset, nil
}
