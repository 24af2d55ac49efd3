package nexios

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrShuttingDown is the cause (context.Cause) of the Draining context,
// and so of the context of a stream or WebSocket that the server ended
// because it is shutting down.
var ErrShuttingDown = errors.New("nexios: server shutting down")

// drainState tells long-lived responses that the server is going away, and
// counts the hijacked connections graceful shutdown must wait for (the
// http.Server forgets a connection once it is hijacked).
type drainState struct {
	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelCauseFunc
	stop    context.Context // ends at stopping(), or with ctx at the latest
	unready context.CancelCauseFunc
	tracked int
	idle    chan struct{} // closed when tracked drops to zero; nil when nobody waits
}

// context returns the current draining context, creating it on first use.
func (d *drainState) context() context.Context {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx == nil {
		d.ctx, d.cancel = context.WithCancelCause(context.Background())
	}
	return d.ctx
}

// stopping returns the current stopping context, creating it on first
// use.
func (d *drainState) stopping() context.Context {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stop == nil {
		d.stop, d.unready = context.WithCancelCause(context.Background())
	}
	return d.stop
}

// beginStopping cancels the stopping context: readiness fails while the
// server still serves (Config.DrainDelay). Calling it again does nothing.
func (d *drainState) beginStopping() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stop == nil {
		d.stop, d.unready = context.WithCancelCause(context.Background())
	}
	d.unready(ErrShuttingDown)
}

// begin cancels the draining context: every stream and WebSocket watching
// it ends. The stopping context ends too if it has not yet. Calling it
// again does nothing.
func (d *drainState) begin() {
	d.beginStopping()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx == nil {
		d.ctx, d.cancel = context.WithCancelCause(context.Background())
	}
	d.cancel(ErrShuttingDown)
}

// rearm gives an app that is started again after a shutdown fresh
// stopping and draining contexts.
func (d *drainState) rearm() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx != nil && d.ctx.Err() != nil {
		d.ctx, d.cancel = nil, nil
	}
	if d.stop != nil && d.stop.Err() != nil {
		d.stop, d.unready = nil, nil
	}
}

func (d *drainState) track() func() {
	d.mu.Lock()
	d.tracked++
	d.mu.Unlock()
	return sync.OnceFunc(func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.tracked--
		if d.tracked == 0 && d.idle != nil {
			close(d.idle)
			d.idle = nil
		}
	})
}

// wait returns when no tracked connection is left, or with an error when
// ctx ends first.
func (d *drainState) wait(ctx context.Context) error {
	d.mu.Lock()
	if d.tracked == 0 {
		d.mu.Unlock()
		return nil
	}
	if d.idle == nil {
		d.idle = make(chan struct{})
	}
	idle, n := d.idle, d.tracked
	d.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("nexios: graceful shutdown: %d long-lived connection(s) still open: %w", n, context.Cause(ctx))
	}
}

// Draining returns a context that is cancelled, with cause
// ErrShuttingDown, when the app begins a graceful shutdown: Serve's
// context ended, the *http.Server from Server began Shutdown, or Shutdown
// was called. Ordinary requests keep their own context and are allowed to
// finish; long-lived responses end on this one so that shutdown does not
// wait for them until its timeout and then cut them mid-message.
// Response.Stream and Response.SSE end their streams on it by themselves,
// and the websocket package closes every connection with 1001 (going
// away); a handler that keeps a response open another way should select
// on it too.
func (a *App) Draining() context.Context { return a.hooks.drain.context() }

// Stopping returns a context that is cancelled, with cause
// ErrShuttingDown, as soon as the app is told to stop: when Serve's
// context ends (SIGINT or SIGTERM for Run), Config.DrainDelay before the
// server stops accepting connections and Draining is cancelled, and at
// the latest together with Draining. A readiness check (package health)
// fails from then on, so that a load balancer stops sending requests
// while the server still answers those it sends meanwhile.
func (a *App) Stopping() context.Context { return a.hooks.drain.stopping() }

// Track registers a long-lived connection that the http.Server no longer
// sees (a hijacked one, such as a WebSocket): graceful shutdown waits for
// it to end, after cancelling Draining, up to Config.ShutdownTimeout. Call
// the returned function when the connection has ended; calls after the
// first do nothing.
func (a *App) Track() (done func()) { return a.hooks.drain.track() }
