package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// wsClient is a graphql-transport-ws connection to a test server.
type wsClient struct {
	t    testing.TB
	ctx  context.Context
	conn *websocket.Conn
}

// wsMessage is one protocol message.
type wsMessage struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// dialWS connects, sends connection_init with the bearer token (none when
// token is empty) and waits for the ack. The connection closes when t ends.
func dialWS(t testing.TB, s *testServer, token string) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	c := &wsClient{t: t, ctx: ctx, conn: conn}
	payload := map[string]any{}
	if token != "" {
		payload["Authorization"] = "Bearer " + token
	}
	c.send(map[string]any{"type": "connection_init", "payload": payload})
	if m := c.recv(); m.Type != "connection_ack" {
		t.Fatalf("after init: %s %s", m.Type, m.Payload)
	}
	return c
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	b, _ := json.Marshal(v)
	if err := c.conn.Write(c.ctx, websocket.MessageText, b); err != nil {
		c.t.Fatal(err)
	}
}

// subscribe starts operation id with query and variables.
func (c *wsClient) subscribe(id, query string, vars map[string]any) {
	c.t.Helper()
	c.send(map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}})
}

// recv returns the next message that is not a ping or pong.
func (c *wsClient) recv() wsMessage {
	c.t.Helper()
	for {
		_, b, err := c.conn.Read(c.ctx)
		if err != nil {
			c.t.Fatal(err)
		}
		var m wsMessage
		json.Unmarshal(b, &m)
		if m.Type != "ping" && m.Type != "pong" {
			return m
		}
	}
}

// next returns the next "next" message's payload decoded into v, failing
// on any other message.
func (c *wsClient) next(v any) {
	c.t.Helper()
	m := c.recv()
	if m.Type != "next" {
		c.t.Fatalf("message %s %s", m.Type, m.Payload)
	}
	if err := json.Unmarshal(m.Payload, v); err != nil {
		c.t.Fatal(err)
	}
}
