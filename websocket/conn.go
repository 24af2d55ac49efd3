package websocket

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/nexios-go/nexios"
)

// Conn is an accepted WebSocket connection. Sends (SendText, SendJSON, …)
// and Close may be called from any goroutine; receives (Receive…, the
// iterators) from one goroutine at a time, normally the handler's.
//
// The accessors Path, Query, Header, Cookie and User describe the
// upgrade request and stay valid for the connection's whole life, also
// from other goroutines (a hub's). Request returns the *nexios.Request
// itself, which is valid only while the handler runs.
type Conn struct {
	ws        *websocket.Conn
	cfg       *config
	id        string
	ctx       context.Context
	cancel    context.CancelCauseFunc
	raw       *http.Request
	route     *nexios.Route
	user      nexios.User
	ip        string
	codec     nexios.JSONCodec
	app       *nexios.App
	logger    *slog.Logger
	ping      *time.Timer // keepalive; nil when pings are off
	drainFunc func()      // c.drain, bound once: "go c.drain()" allocates each time
	dropped   atomic.Uint64
	wg        sync.WaitGroup // the drain, ping and abort goroutines
	// writeTimer bounds queued writes; only the drain goroutine (one at a
	// time) uses it.
	writeTimer    *time.Timer
	untrack       func()      // tells the app the connection has ended
	stopGoingAway func() bool // stops the close at shutdown
	obs           Observer    // the app's Observer, or nil
	opened        time.Time   // when the upgrade completed, if obs is set

	mu         sync.Mutex // guards the fields below
	req        *nexios.Request
	state      map[string]any
	closing    bool          // Close started: no new queued messages, goroutines or hooks
	done       chan struct{} // closed when Close has finished
	localClose *CloseError   // why this side closed the connection
	iterErr    error         // why the last iteration ended
	onClose    []func()
	queue      []queued // messages from qhead on wait for the drain goroutine
	qhead      int
	draining   bool
	held       bool          // a catch-up runs: queued messages wait (Hub.JoinCatchingUp)
	drained    chan struct{} // closed when the drain goroutine stops; made on demand
}

func newConn(req *nexios.Request, ws *websocket.Conn, cfg *config) *Conn {
	ctx, cancel := context.WithCancelCause(req.Context())
	c := &Conn{
		ws:     ws,
		cfg:    cfg,
		id:     rand.Text(),
		ctx:    ctx,
		cancel: cancel,
		raw:    req.Raw(),
		route:  req.Route(),
		user:   req.User(),
		ip:     req.ClientIP(),
		codec:  req.App().Config().JSON,
		app:    req.App(),
		logger: cfg.logger,
		req:    req,
		done:   make(chan struct{}),
	}
	if c.logger == nil {
		c.logger = req.App().Logger()
	}
	if o, ok := observerKey.App(req.App()); ok && o != nil {
		c.obs, c.opened = o, time.Now()
	}
	c.drainFunc = c.drain
	if cfg.pingInterval > 0 {
		c.ping = time.AfterFunc(cfg.pingInterval, c.keepalive)
	}
	return c
}

// ID returns the connection's id, unique across instances (a random
// string): the address of Hub.Send.
func (c *Conn) ID() string { return c.id }

// Context returns the connection's context: it carries the upgrade
// request's values and is cancelled when the connection closes.
func (c *Conn) Context() context.Context { return c.ctx }

// Request returns the upgrade request while the handler runs, and nil after
// it returned: the Request is pooled and serves another client then. Use
// the other accessors from goroutines that may outlive the handler.
func (c *Conn) Request() *nexios.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.req
}

// Path returns the path parameter name ("room_id" of
// /ws/chat/{room_id}), or "".
func (c *Conn) Path(name string) string { return c.raw.PathValue(name) }

// PathParams returns every path parameter by name.
func (c *Conn) PathParams() map[string]string {
	m := make(map[string]string)
	if c.route == nil {
		return m
	}
	for _, p := range c.route.Params() {
		m[p.Name] = c.raw.PathValue(p.Name)
	}
	return m
}

// Query returns the first value of the query parameter name, or "".
func (c *Conn) Query(name string) string { return c.raw.URL.Query().Get(name) }

// QueryParams returns the parsed query string (a new map at each call).
func (c *Conn) QueryParams() url.Values { return c.raw.URL.Query() }

// Header returns the first value of the upgrade request's header key.
func (c *Conn) Header(key string) string { return c.raw.Header.Get(key) }

// Headers returns the upgrade request's headers. Do not modify them.
func (c *Conn) Headers() http.Header { return c.raw.Header }

// Cookie returns the value of the upgrade request's cookie name, or "".
func (c *Conn) Cookie(name string) string {
	ck, err := c.raw.Cookie(name)
	if err != nil {
		return ""
	}
	return ck.Value
}

// User returns the user that authentication middleware set on the upgrade
// request, or nexios.Anonymous.
func (c *Conn) User() nexios.User { return c.user }

// ClientIP returns the client's address as the request saw it
// (req.ClientIP).
func (c *Conn) ClientIP() string { return c.ip }

// Pattern returns the route pattern the connection matched.
func (c *Conn) Pattern() string {
	if c.route == nil {
		return ""
	}
	return c.route.Pattern()
}

// Subprotocol returns the negotiated subprotocol, or "".
func (c *Conn) Subprotocol() string { return c.ws.Subprotocol() }

// Set stores a per-connection value (a user name, a counter). Safe for
// concurrent use.
func (c *Conn) Set(key string, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == nil {
		c.state = make(map[string]any)
	}
	c.state[key] = v
}

// Get returns a per-connection value stored with Set.
func (c *Conn) Get(key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.state[key]
	return v, ok
}

// Dropped returns how many queued messages the connection refused because
// its send queue was full (see SendQueue).
func (c *Conn) Dropped() uint64 { return c.dropped.Load() }

// onClosed registers fn to run when the connection closes; it reports false
// (and does not register) when the connection is closing already.
func (c *Conn) onClosed(fn func()) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return false
	}
	c.onClose = append(c.onClose, fn)
	return true
}

// spawnLocked runs fn in a goroutine that Close waits for, unless the
// connection is closing. The caller holds c.mu.
func (c *Conn) spawnLocked(fn func()) {
	if c.closing {
		return
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		fn()
	}()
}

// keepalive pings the client and schedules the next ping, or drops the
// connection when no pong arrives in time. It runs on a timer, so an idle
// connection costs no goroutine; Close waits for a ping in flight.
func (c *Conn) keepalive() {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return
	}
	c.wg.Add(1)
	c.mu.Unlock()
	defer c.wg.Done()
	ctx, cancel := context.WithTimeout(c.ctx, c.cfg.pingTimeout)
	err := c.ws.Ping(ctx)
	cancel()
	if err != nil {
		c.abort(&CloseError{Code: CloseAbnormal, Reason: "keepalive timeout", Err: err})
		return
	}
	c.mu.Lock()
	if !c.closing {
		c.ping.Reset(c.cfg.pingInterval)
	}
	c.mu.Unlock()
}

// abort drops the connection without a close handshake (the peer is dead
// or too slow to take one) and records why. Blocked reads and writes
// return; the handler then ends as if the client had left.
func (c *Conn) abort(why *CloseError) {
	c.mu.Lock()
	if c.localClose == nil {
		c.localClose = why
	}
	c.mu.Unlock()
	c.cancel(why)
	_ = c.ws.CloseNow()
}

// Close closes the connection with code and reason (at most 123 bytes; a
// longer one is cut): it lets queued messages go out first (up to the
// write timeout), sends the close frame, waits briefly for the client's,
// removes the connection from its hubs and waits for its goroutines.
// Handler calls it when the handler returns; call it earlier to close from
// elsewhere, for example to kick a client from another connection's
// handler. Calls after the first wait for it and return nil.
func (c *Conn) Close(code CloseCode, reason string) error {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		<-c.done
		return nil
	}
	c.closing = true
	healthy := c.localClose == nil
	if healthy {
		c.localClose = &CloseError{Code: code, Reason: reason}
	}
	hooks := c.onClose
	c.onClose = nil
	var drained chan struct{}
	if c.draining {
		c.drained = make(chan struct{})
		drained = c.drained
	}
	c.mu.Unlock()
	defer func() {
		close(c.done)
		c.observeClosed()
		if c.stopGoingAway != nil {
			c.stopGoingAway()
		}
		if c.untrack != nil {
			c.untrack()
		}
	}()

	if c.ping != nil {
		c.ping.Stop()
	}
	// Leave the hubs first, so that no broadcast queues more messages.
	for _, fn := range hooks {
		fn()
	}
	if drained != nil && healthy {
		t := time.NewTimer(c.flushTimeout())
		select {
		case <-drained:
		case <-t.C:
			// The client does not read: a close handshake would wait on
			// it too.
			healthy = false
		}
		t.Stop()
	}
	var err error
	if healthy && code.sendable() {
		err = c.ws.Close(websocket.StatusCode(code), truncateReason(reason))
	} else {
		err = c.ws.CloseNow()
	}
	c.cancel(ErrClosed)
	c.wg.Wait()
	c.mu.Lock()
	c.req = nil
	c.mu.Unlock()
	if err != nil && !isDisconnect(err) {
		return fmt.Errorf("websocket: closing: %w", err)
	}
	return nil
}

// flushTimeout bounds how long Close lets queued messages go out.
func (c *Conn) flushTimeout() time.Duration {
	if c.cfg.writeTimeout > 0 {
		return c.cfg.writeTimeout
	}
	return DefaultWriteTimeout
}

// CloseRead is for handlers that only send: it reads (and answers pings
// and close frames) in the background until the connection closes, which
// cancels the returned context. A data message from the client closes the
// connection with ClosePolicyViolation. Do not call Receive or the
// iterators afterwards.
//
//	ctx := ws.CloseRead()
//	<-ctx.Done() // the client left; broadcasts reached it meanwhile
func (c *Conn) CloseRead() context.Context { return c.ws.CloseRead(c.ctx) }

// serve runs the handler function and closes the connection as its result
// asks.
func (c *Conn) serve(fn func(*Conn) error) {
	err := c.call(fn)
	code, reason, logIt := closeFor(err, c.ctx.Err() != nil)
	if logIt {
		attrs := []slog.Attr{
			slog.String("path", c.raw.URL.Path),
			slog.String("pattern", c.Pattern()),
			slog.String("conn", c.id),
			slog.Any("error", err),
		}
		var pe *nexios.PanicError
		if errors.As(err, &pe) {
			attrs = append(attrs, slog.String("stack", string(pe.Stack)))
		}
		c.logger.LogAttrs(c.ctx, slog.LevelError, "websocket handler failed", attrs...)
	}
	_ = c.Close(code, reason)
}

// call runs fn, turning a panic into a *nexios.PanicError.
func (c *Conn) call(fn func(*Conn) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &nexios.PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	return fn(c)
}
