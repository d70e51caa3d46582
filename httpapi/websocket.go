package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/stillroom/stillroom/app"
	"github.com/stillroom/stillroom/core"
)

// The websocket on /graphql (graphql-transport-ws) is bounded like every
// other way in, for anonymous clients too:
//   - connection_init must come within wsInitTimeout, and a client must
//     answer the server's pings (every wsPingInterval) within twice that;
//   - a message the client does not read within wsWriteTimeout closes the
//     connection (a stalled reader holds no goroutine for long);
//   - at most wsMaxOperations operations run at once on one connection;
//   - queries and mutations sent over it take an operation slot like HTTP
//     ones (admission.go), so the socket is no way around the queue;
//     subscriptions hold no slot;
//   - one client address (an IPv6 /64) keeps at most wsMaxPerAddress
//     websockets open at once; more are refused with 429 before upgrading.
//
// Messages from the client are at most 1 MiB (gqlgen's default read limit).
const (
	wsInitTimeout   = 10 * time.Second
	wsPingInterval  = 20 * time.Second
	wsWriteTimeout  = 10 * time.Second
	wsMaxOperations = 20
	wsMaxPerAddress = 32
)

// wsState is one websocket connection's bookkeeping, carried in its
// context (websocketKey) from connection_init on.
type wsState struct {
	operations atomic.Int32
}

// boundWebsocketOperations is the operation middleware that enforces the
// per-connection limit and admits queries and mutations sent over a
// websocket (see above). Requests over HTTP pass straight through.
func boundWebsocketOperations(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	st, _ := ctx.Value(websocketKey{}).(*wsState)
	if st == nil {
		return next(ctx)
	}
	if st.operations.Add(1) > wsMaxOperations {
		st.operations.Add(-1)
		return refuse(core.Errorf(core.CodeRateLimited, "at most %d operations may run at once on one connection", wsMaxOperations))
	}
	// gqlgen cancels an operation's context when the operation ends.
	context.AfterFunc(ctx, func() { st.operations.Add(-1) })
	if graphql.GetOperationContext(ctx).Operation.Operation == ast.Subscription {
		return next(ctx)
	}
	adm := admissionFrom(ctx)
	if adm == nil {
		return next(ctx)
	}
	release, err := adm.acquire(ctx)
	if err != nil {
		return refuse(err)
	}
	// Released once the answer is made (before it is written), or when
	// the operation ends without asking for it.
	context.AfterFunc(ctx, release)
	h := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		defer release()
		return h(ctx)
	}
}

// refuse answers an operation with err's message and code, once.
func refuse(err error) graphql.ResponseHandler {
	return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
		Message: core.ErrorMessage(err), Extensions: map[string]any{"code": string(core.ErrorCode(err))},
	}}})
}

// wsAddresses counts the open websockets of each client address.
type wsAddresses struct {
	mu   sync.Mutex
	open map[string]int
}

// take counts a new websocket of addr, or reports false when addr has
// wsMaxPerAddress open already.
func (a *wsAddresses) take(addr string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.open[addr] >= wsMaxPerAddress {
		return false
	}
	if a.open == nil {
		a.open = map[string]int{}
	}
	a.open[addr]++
	return true
}

func (a *wsAddresses) give(addr string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.open[addr]--; a.open[addr] <= 0 {
		delete(a.open, addr)
	}
}

// boundedWebsocket is gqlgen's websocket transport with the bounds above:
// it counts the connection against its client address for as long as the
// transport runs, and closes it when the transport returns, whatever path
// gqlgen took out (some refusals of a connection_init return without
// closing), so the count and the socket end together.
type boundedWebsocket struct {
	transport.Websocket
	addrs *wsAddresses
}

type acceptedKey struct{}

// accepted is where the websocket's Accept (originCheckedWebsocket, through
// bound) leaves the connection it made for the request, so Do can close it.
type accepted struct{ conn transport.WebsocketConn }

func (t boundedWebsocket) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	addr := app.ClientAddrKey(r.Context())
	if !t.addrs.take(addr) {
		writeJSONError(w, http.StatusTooManyRequests, core.CodeRateLimited,
			fmt.Sprintf("at most %d websockets may be open at once from one address", wsMaxPerAddress))
		return
	}
	defer t.addrs.give(addr)
	var a accepted
	t.Websocket.Do(w, r.WithContext(context.WithValue(r.Context(), acceptedKey{}, &a)), exec)
	if a.conn != nil {
		a.conn.Close()
	}
}

// boundedConn is a websocket whose writes have a deadline: a write that
// has not gone out after wsWriteTimeout closes the connection, which ends
// the write and, through gqlgen, every operation on it.
type boundedConn struct {
	transport.WebsocketConn
}

// bound wraps conn, accepted for r, and notes it for boundedWebsocket.Do.
func bound(r *http.Request, conn transport.WebsocketConn) transport.WebsocketConn {
	c := &boundedConn{conn}
	if a, ok := r.Context().Value(acceptedKey{}).(*accepted); ok {
		a.conn = c
	}
	return c
}

func (c *boundedConn) WriteJSON(v any) error {
	t := time.AfterFunc(wsWriteTimeout, func() { c.WebsocketConn.Close() })
	defer t.Stop()
	return c.WebsocketConn.WriteJSON(v)
}

// SetReadLimit and SetReadDeadline pass gqlgen's read limit and pong
// deadline on to the connection.
func (c *boundedConn) SetReadLimit(n int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(n)
	}
}

func (c *boundedConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}

var (
	_ transport.WebsocketReadLimiter   = (*boundedConn)(nil)
	_ transport.WebsocketReadDeadliner = (*boundedConn)(nil)
)
