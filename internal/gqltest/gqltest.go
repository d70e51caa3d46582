// Package gqltest is the GraphQL client of the tests that talk to
// Stillroom over HTTP (httpapi's and the server's): a request sent, its
// answer decoded, its error code read; and a writer that sends a logger's
// output to the test log.
package gqltest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Result is a GraphQL answer.
type Result struct {
	Data   map[string]any `json:"data"`
	Errors []Error        `json:"errors"`
}

// Error is one entry of a GraphQL answer's errors.
type Error struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns the first error's extensions.code, or "".
func (r Result) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// Send sends req with http.DefaultClient, as the bearer of token unless it
// is "", and decodes the answer; an answer that is not JSON fails the test.
// The response is returned with its body read and closed.
func Send(t testing.TB, token string, req *http.Request) (*http.Response, Result) {
	t.Helper()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r Result
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("HTTP %d, not JSON: %.300s", resp.StatusCode, raw)
	}
	return resp, r
}

// Log sends what is written to it, one log line at a time, to the test's
// log.
type Log struct{ T testing.TB }

func (l Log) Write(p []byte) (int, error) {
	l.T.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
