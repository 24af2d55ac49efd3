package nexios

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Write-stall policy for ordinary responses (Config.WriteStallTimeout):
// responses up to stallFree bytes fit in socket buffers and are never
// watched; beyond, each write of up to stallChunk bytes must complete
// within the timeout.
const (
	stallFree  = 64 << 10
	stallChunk = 64 << 10
)

// errWriteStalled is the cause reported to a handler whose client stopped
// reading.
var errWriteStalled = errors.New("nexios: the client stopped reading the response")

// guard is the http.Handler of the servers the app builds: it runs the
// app with a response writer that enforces the write-stall policy and
// closes connections that carried an ambiguous (smuggling) request.
type guard struct {
	app   *App
	stall time.Duration
	pool  sync.Pool
	hooks connHooks
}

func newGuard(a *App, stall time.Duration) *guard {
	g := &guard{app: a, stall: stall}
	g.hooks.app = a
	g.pool.New = func() any { return new(guardWriter) }
	return g
}

// ServeHTTP implements http.Handler.
func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	gw := g.pool.Get().(*guardWriter)
	gw.w, gw.r, gw.stall = w, r, g.stall
	if r.ProtoMajor == 1 && len(r.TransferEncoding) > 0 {
		// net/http already dropped a Content-Length sent with
		// Transfer-Encoding: chunked; only the connection saw both.
		if gc := guardConnOf(r); gc != nil && gc.smuggled.Load() {
			gw.close = true
		}
	}
	completed := false
	defer func() {
		gw.finish(completed)
		if completed {
			gw.reset()
			g.pool.Put(gw)
		}
	}()
	g.app.ServeHTTP(gw, r)
	completed = true
}

// guardWriter is the response writer under the app's Response.
type guardWriter struct {
	w     http.ResponseWriter
	r     *http.Request
	stall time.Duration

	close       bool        // answer with Connection: close
	wroteHeader bool        // a final status was written
	written     int64       // body bytes written so far
	watched     bool        // the response passed stallFree: writes are watched
	owned       atomic.Bool // the handler set its own write deadline, or hijacked

	mu      sync.Mutex // guards the watchdog fields below against its timer
	timer   *time.Timer
	running bool
	gen     uint64       // bumped when the response ends: a late timer does nothing
	since   atomic.Int64 // unix nanoseconds at which the pending write began; 0: none
	cut     atomic.Bool  // the watchdog cut the response
}

// reset clears the writer for the pool; finish has stopped the watchdog.
func (g *guardWriter) reset() {
	g.w, g.r, g.stall = nil, nil, 0
	g.close, g.wroteHeader, g.watched, g.written = false, false, false, 0
	g.owned.Store(false)
	g.since.Store(0)
	g.cut.Store(false)
}

func (g *guardWriter) Header() http.Header { return g.w.Header() }

func (g *guardWriter) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		if g.close && code != http.StatusSwitchingProtocols {
			// Set as the status goes out, so no handler can drop it.
			g.w.Header().Set("Connection", "close")
		}
		g.wroteHeader = true
	}
	g.w.WriteHeader(code)
}

func (g *guardWriter) Write(p []byte) (int, error) {
	if !g.wroteHeader {
		g.WriteHeader(http.StatusOK)
	}
	if g.stall <= 0 || g.owned.Load() || g.written+int64(len(p)) <= stallFree {
		n, err := g.w.Write(p)
		g.written += int64(n)
		return n, err
	}
	g.watched = true
	total := 0
	for len(p) > 0 {
		chunk := p[:min(len(p), stallChunk)]
		g.begin()
		n, err := g.w.Write(chunk)
		g.end()
		total += n
		g.written += int64(n)
		if err != nil {
			return total, g.explain(err)
		}
		p = p[n:]
	}
	return total, nil
}

// FlushError flushes, under the watchdog once the response is watched (a
// flush writes to the client).
func (g *guardWriter) FlushError() error {
	if !g.wroteHeader {
		g.WriteHeader(http.StatusOK)
	}
	if !g.watched || g.owned.Load() {
		return http.NewResponseController(g.w).Flush()
	}
	g.begin()
	err := http.NewResponseController(g.w).Flush()
	g.end()
	return g.explain(err)
}

// Flush implements http.Flusher.
func (g *guardWriter) Flush() { _ = g.FlushError() }

// SetWriteDeadline is found by http.ResponseController before it
// unwraps: a handler (a stream, a download with its own rules) that sets a
// write deadline takes the write policy over from the guard.
func (g *guardWriter) SetWriteDeadline(t time.Time) error {
	g.owned.Store(true)
	return http.NewResponseController(g.w).SetWriteDeadline(t)
}

// Hijack hands the connection over; its new owner sets its own deadlines.
func (g *guardWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	g.owned.Store(true)
	return http.NewResponseController(g.w).Hijack()
}

// Unwrap returns the server's writer, for http.ResponseController.
func (g *guardWriter) Unwrap() http.ResponseWriter { return g.w }

// begin marks a write as pending and makes sure the watchdog runs.
func (g *guardWriter) begin() {
	g.since.Store(time.Now().UnixNano())
	g.mu.Lock()
	if !g.running {
		g.running = true
		if g.timer == nil {
			gen := g.gen
			g.timer = time.AfterFunc(g.stall, func() { g.check(gen) })
		} else {
			g.timer.Reset(g.stall)
		}
	}
	g.mu.Unlock()
}

func (g *guardWriter) end() { g.since.Store(0) }

// check runs on the watchdog's timer: it cuts the response when a write
// has been pending for the whole stall timeout, waits for the rest of it
// when one is pending for less, and stops while none is.
func (g *guardWriter) check(gen uint64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if gen != g.gen || !g.running {
		return // the response ended
	}
	since := g.since.Load()
	if since == 0 || g.owned.Load() {
		g.running = false // idle: the next write restarts it
		return
	}
	if left := g.stall - time.Since(time.Unix(0, since)); left > 0 {
		g.timer.Reset(left)
		return
	}
	g.running = false
	g.cut.Store(true)
	// A deadline in the past fails the blocked write at once: on HTTP/1
	// the connection is then closed, on HTTP/2 the stream is reset.
	_ = http.NewResponseController(g.w).SetWriteDeadline(time.Unix(1, 0))
}

// explain reports a write the watchdog cut as a stalled client.
func (g *guardWriter) explain(err error) error {
	if err != nil && g.cut.Load() {
		return fmt.Errorf("%w after %v: %w", errWriteStalled, g.stall, err)
	}
	return err
}

// finish ends the response's watch. A watched response still has bytes
// buffered in net/http, which go out after the handler returns: they are
// flushed here under the watchdog, and what net/http writes last (a
// chunked terminator) gets a plain deadline, cleared once the connection
// is idle again.
func (g *guardWriter) finish(completed bool) {
	if completed && g.watched && !g.owned.Load() && !g.cut.Load() {
		g.begin()
		err := http.NewResponseController(g.w).Flush()
		g.end()
		if err == nil {
			if g.r.ProtoMajor >= 2 {
				_ = http.NewResponseController(g.w).SetWriteDeadline(time.Now().Add(g.stall))
			} else if gc := guardConnOf(g.r); gc != nil {
				gc.tail.Store(true)
				_ = http.NewResponseController(g.w).SetWriteDeadline(time.Now().Add(g.stall))
			}
		}
	}
	g.mu.Lock()
	g.gen++
	g.running = false
	if g.timer != nil {
		g.timer.Stop()
		g.timer = nil
	}
	g.mu.Unlock()
}
