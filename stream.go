package nexios

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Stream sends a response body produced by fn as it is written: every
// Write reaches the client at once (it is flushed), with no Content-Length
// (chunked transfer on HTTP/1.1). The Content-Type defaults to
// text/plain; charset=utf-8; set another before calling Stream. The status
// line is sent with the first write, so an error that fn returns before
// writing anything still gets a clean error response.
//
// fn runs on the handler's goroutine. When the client goes away, or the
// server begins a graceful shutdown (App.Draining), the request context is
// cancelled and writes fail with its error, so a producer loop ends at its
// next write; one that waits between writes should also select on
// req.Context().Done(). Stream then returns the context's error, which the
// error handlers treat as a 499 and do not log, and the response ends
// cleanly (the chunked terminator is sent).
//
// Each write must be taken by the client within Config.WriteStallTimeout
// (default 30s), or the response is cut: a client that stops reading
// cannot hold the handler forever, while pauses between writes are free.
//
//	return res.Stream(func(w io.Writer) error {
//		for i := range 5 {
//			if _, err := fmt.Fprintf(w, "chunk%d\n", i); err != nil {
//				return err
//			}
//		}
//		return nil
//	})
func (r *Response) Stream(fn func(w io.Writer) error) error {
	if r.Committed() {
		return ErrResponseCommitted
	}
	if !bodyAllowed(r.status) {
		return fmt.Errorf("nexios: status %d cannot carry a streamed body", r.status)
	}
	h := r.Header()
	if h.Get("Content-Type") == "" {
		h["Content-Type"] = ctText
	}
	h.Del("Content-Length")
	sw := streamWriter{res: r, ctx: r.streamContext(), flush: true, deadlines: newStreamDeadlines(r)}
	err := fn(&sw)
	if err != nil {
		if ctxErr := sw.ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			// A write failed because the client left: report that, not the
			// broken pipe it caused.
			return fmt.Errorf("%w (%w)", ctxErr, err)
		}
		return err
	}
	if !r.Committed() {
		r.WriteHeader(r.status) // an empty stream is still a response
	}
	return nil
}

// streamWriter flushes after every write and stops once the client has
// gone.
type streamWriter struct {
	res       *Response
	ctx       context.Context
	flush     bool
	deadlines streamDeadlines
}

func (s *streamWriter) Write(p []byte) (int, error) {
	if err := s.ctx.Err(); err != nil {
		return 0, err
	}
	s.deadlines.arm()
	defer s.deadlines.disarm()
	n, err := s.res.Write(p)
	if err != nil {
		if ctxErr := s.ctx.Err(); ctxErr != nil {
			return n, ctxErr
		}
		return n, err
	}
	if s.flush {
		if err := s.res.FlushError(); err != nil {
			if errors.Is(err, http.ErrNotSupported) {
				s.flush = false // a writer chain that cannot flush still writes
			} else if ctxErr := s.ctx.Err(); ctxErr != nil {
				return n, ctxErr
			} else {
				return n, err
			}
		}
	}
	return n, nil
}

// streamContext replaces the request's context with one that also ends
// when the server begins shutting down, so that a stream ends cleanly
// instead of holding graceful shutdown until its timeout. Handlers that
// watch req.Context() see it too.
func (r *Response) streamContext() context.Context {
	req := r.req
	drain := req.app.Draining()
	ctx, cancel := context.WithCancelCause(req.Context())
	stop := context.AfterFunc(drain, func() { cancel(context.Cause(drain)) })
	req.Defer(func() {
		stop()
		cancel(context.Canceled)
	})
	req.WithContext(ctx)
	return ctx
}

// streamDeadlines is a stream's own write policy: each write must be taken
// by the client within the app's write-stall timeout, and no deadline
// runs between writes, so a quiet stream lives as long as it likes. Setting
// the deadline through http.ResponseController also tells the server's
// guard that the stream owns the policy.
type streamDeadlines struct {
	rc    *http.ResponseController
	stall time.Duration
}

func newStreamDeadlines(r *Response) streamDeadlines {
	stall := durationOr(r.req.app.cfg.WriteStallTimeout, DefaultWriteStallTimeout)
	if stall <= 0 {
		return streamDeadlines{} // disabled, like the guard's
	}
	return streamDeadlines{rc: http.NewResponseController(r), stall: stall}
}

func (d *streamDeadlines) arm() {
	if d.rc != nil && d.rc.SetWriteDeadline(time.Now().Add(d.stall)) != nil {
		d.rc = nil // the writer chain has no deadlines (a test recorder)
	}
}

func (d *streamDeadlines) disarm() {
	if d.rc != nil {
		_ = d.rc.SetWriteDeadline(time.Time{})
	}
}

// Event is one server-sent event.
type Event struct {
	// ID sets the client's last event ID, which a reconnecting EventSource
	// sends back in the Last-Event-ID header. It must not hold a line break
	// or NUL.
	ID string
	// Event is the event type, dispatched to addEventListener(type); empty
	// means "message" (onmessage). It must not hold a line break.
	Event string
	// Data is the payload. Each line (split at \n, \r\n or \r) is sent as
	// its own "data:" field, and the browser joins them with "\n". Events
	// with empty data set the ID and retry time but are not dispatched
	// (the EventSource specification drops them).
	Data string
	// Retry tells the client how long to wait before reconnecting
	// (milliseconds on the wire); zero leaves it unchanged.
	Retry time.Duration
}

// SSEWriter writes server-sent events (text/event-stream). Its methods are
// safe for concurrent use, so a keep-alive goroutine and a producer may
// share it; Serve does both without a goroutine.
type SSEWriter struct {
	res       *Response
	ctx       context.Context
	last      string
	mu        sync.Mutex
	buf       []byte
	flush     bool
	deadlines streamDeadlines
}

// SSE starts a server-sent events response: it sends 200 with
// Content-Type text/event-stream, Cache-Control no-cache and
// X-Accel-Buffering no (so proxies such as nginx do not hold events back),
// flushes the headers so that the browser's EventSource opens, and returns
// the event writer. The stream lasts until the handler returns; its
// context (Context, Done, and req.Context()) ends when the client
// disconnects or the server begins a graceful shutdown, which Serve
// treats as the end of the stream. Each event must be taken by the client
// within Config.WriteStallTimeout, or the stream is cut.
//
//	sse, err := res.SSE()
//	if err != nil {
//		return err
//	}
//	return sse.Serve(events, 15*time.Second) // events: a <-chan nexios.Event
func (r *Response) SSE() (*SSEWriter, error) {
	if r.Committed() {
		return nil, ErrResponseCommitted
	}
	h := r.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	h.Del("Content-Length")
	// EventSource treats any other status as a failed connection.
	r.status = http.StatusOK
	ctx := r.streamContext()
	r.WriteHeader(http.StatusOK)
	s := &SSEWriter{res: r, ctx: ctx, last: r.req.LastEventID(), flush: true, deadlines: newStreamDeadlines(r)}
	s.deadlines.arm()
	defer s.deadlines.disarm()
	if err := s.flushLocked(); err != nil {
		return nil, err
	}
	return s, nil
}

// LastEventID returns the Last-Event-ID request header: the ID of the last
// event a reconnecting EventSource received, from which to resume.
func (q *Request) LastEventID() string { return q.r.Header.Get("Last-Event-ID") }

// LastEventID returns the Last-Event-ID header of the request that opened
// the stream ("" on a first connection).
func (s *SSEWriter) LastEventID() string { return s.last }

// Context returns the stream's context, cancelled when the client
// disconnects or the server begins shutting down (its cause is then
// ErrShuttingDown).
func (s *SSEWriter) Context() context.Context { return s.ctx }

// Done is closed when the client disconnects or the server begins shutting
// down.
func (s *SSEWriter) Done() <-chan struct{} { return s.ctx.Done() }

// Send writes ev and flushes it. After the client has gone it returns the
// context's error without writing.
func (s *SSEWriter) Send(ev Event) error {
	if strings.ContainsAny(ev.ID, "\r\n\x00") {
		return fmt.Errorf("nexios: SSE event ID %q holds a line break or NUL", ev.ID)
	}
	if strings.ContainsAny(ev.Event, "\r\n") {
		return fmt.Errorf("nexios: SSE event type %q holds a line break", ev.Event)
	}
	if ev.Retry < 0 {
		return fmt.Errorf("nexios: negative SSE retry %v", ev.Retry)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buf[:0]
	if ev.ID != "" {
		b = append(append(append(b, "id: "...), ev.ID...), '\n')
	}
	if ev.Event != "" {
		b = append(append(append(b, "event: "...), ev.Event...), '\n')
	}
	if ev.Retry > 0 {
		b = append(b, "retry: "...)
		b = strconv.AppendInt(b, ev.Retry.Milliseconds(), 10)
		b = append(b, '\n')
	}
	if ev.Data != "" {
		b = appendLines(b, "data: ", ev.Data)
	}
	if len(b) == 0 {
		return nil // nothing to send; an empty line alone would be a no-op
	}
	b = append(b, '\n')
	s.buf = b
	return s.writeLocked(b)
}

// SendData sends an unnamed ("message") event with data.
func (s *SSEWriter) SendData(data string) error { return s.Send(Event{Data: data}) }

// SendJSON sends an event of type event (empty: "message") whose data is v
// encoded with the app's JSON codec, on one line.
func (s *SSEWriter) SendJSON(event string, v any) error {
	app := s.res.req.app
	buf := app.getBuffer()
	defer app.putBuffer(buf)
	if err := app.encodeJSON(buf, v); err != nil {
		return fmt.Errorf("nexios: encoding SSE data: %w", err)
	}
	return s.Send(Event{Event: event, Data: strings.TrimRight(buf.String(), "\n")})
}

// Comment writes a comment line, which clients ignore: send one every few
// seconds to keep proxies from closing an idle stream.
func (s *SSEWriter) Comment(text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := appendLines(s.buf[:0], ": ", text)
	b = append(b, '\n')
	s.buf = b
	return s.writeLocked(b)
}

// Serve sends every event received from events until the channel is closed,
// the client disconnects or the server begins shutting down, and a
// keep-alive comment whenever keepAlive passes without an event (0: none).
// It runs on the caller's goroutine and starts none, so nothing is left
// behind when it returns. It returns nil when events is closed, the client
// went away or the server is shutting down, and the write error otherwise.
func (s *SSEWriter) Serve(events <-chan Event, keepAlive time.Duration) error {
	var tick <-chan time.Time
	if keepAlive > 0 {
		t := time.NewTicker(keepAlive)
		defer t.Stop()
		tick = t.C
	}
	for {
		var err error
		select {
		case <-s.ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok {
				return nil
			}
			err = s.Send(ev)
		case <-tick:
			err = s.Comment("keep-alive")
		}
		if err != nil {
			if s.ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

func (s *SSEWriter) writeLocked(b []byte) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	s.deadlines.arm()
	defer s.deadlines.disarm()
	if _, err := s.res.Write(b); err != nil {
		if ctxErr := s.ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return fmt.Errorf("nexios: writing SSE event: %w", err)
	}
	return s.flushLocked()
}

func (s *SSEWriter) flushLocked() error {
	if !s.flush {
		return nil
	}
	if err := s.res.FlushError(); err != nil {
		if errors.Is(err, http.ErrNotSupported) {
			s.flush = false
			return nil
		}
		if ctxErr := s.ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return fmt.Errorf("nexios: flushing SSE stream: %w", err)
	}
	return nil
}

// appendLines appends one "prefix + line\n" per line of text, splitting at
// \r\n, \n and \r as the event stream format does.
func appendLines(b []byte, prefix, text string) []byte {
	for {
		i := strings.IndexAny(text, "\r\n")
		if i < 0 {
			b = append(append(append(b, prefix...), text...), '\n')
			return b
		}
		b = append(append(append(b, prefix...), text[:i]...), '\n')
		if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
			i++
		}
		text = text[i+1:]
	}
}
