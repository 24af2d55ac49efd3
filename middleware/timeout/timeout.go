// Package timeout puts a deadline on requests:
//
//	app.Use(nexios.Must(timeout.New(timeout.Config{Timeout: 5 * time.Second})))
//
// The request's context gets the deadline, so the handler and the calls it
// makes with req.Context() (database queries, outgoing HTTP requests) stop
// when it passes. Unlike http.TimeoutHandler, the handler runs in the
// request's own goroutine and nothing else ever writes the response: there
// is no buffering, no race between a timer and the handler, and streaming
// keeps working. The price is cooperation: a handler that ignores its
// context runs to the end, and the timeout is only answered once it
// returns.
//
// When the handler returns after the deadline (the context's error is
// context.DeadlineExceeded, or the handler returned an error wrapping it)
// and nothing has been written yet, the middleware answers 503 (Config.Status)
// with an RFC 9457 problem body "request timed out", through the app's
// error handlers. A response already started is left alone.
//
// Nested timeouts: the earliest deadline applies and the middleware that set
// it answers; a middleware whose deadline is later than one already on the
// context does nothing.
package timeout

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/nexios-go/nexios"
)

// Config configures the middleware. Timeout has no default: the zero
// Config is rejected by New.
type Config struct {
	// Timeout is how long a request may run. It must be positive.
	Timeout time.Duration
	// Status is the status of the timeout response: 503 Service Unavailable
	// by default; 504 Gateway Timeout is the other common choice. It must be
	// 4xx or 5xx.
	Status int
	// ErrorHandler, when set, answers a timed-out request whose response
	// has not started, instead of the default problem response. err wraps
	// context.DeadlineExceeded. Returning an error sends it through the
	// app's error handlers.
	ErrorHandler nexios.ErrorHandler
	// Skip exempts requests (long polls, streams, uploads). Default nil.
	Skip func(req *nexios.Request) bool
}

// Error is the cause wrapped in the timeout *nexios.HTTPError: errors.Is
// matches it with context.DeadlineExceeded.
type Error struct {
	// Timeout is the configured timeout.
	Timeout time.Duration
	// Err is what the handler returned, or the context's error if it
	// returned nil.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("timeout: request timed out after %v: %v", e.Timeout, e.Err)
}

// Unwrap returns the handler's error.
func (e *Error) Unwrap() error { return e.Err }

// Is reports true for context.DeadlineExceeded, so that errors.Is finds
// it even when the handler returned nil or an error that dropped it.
func (e *Error) Is(target error) bool { return target == context.DeadlineExceeded }

type timeout struct {
	d       time.Duration
	status  int
	handler nexios.ErrorHandler
	skip    func(*nexios.Request) bool
}

// New returns the timeout middleware, or an error for a non-positive
// Timeout or an invalid Status.
func New(cfg Config) (nexios.Middleware, error) {
	if cfg.Timeout <= 0 {
		return nil, fmt.Errorf("timeout: Timeout must be positive, got %v", cfg.Timeout)
	}
	if cfg.Status == 0 {
		cfg.Status = http.StatusServiceUnavailable
	}
	if cfg.Status < 400 || cfg.Status > 599 {
		return nil, fmt.Errorf("timeout: Status must be 4xx or 5xx, got %d", cfg.Status)
	}
	t := &timeout{d: cfg.Timeout, status: cfg.Status, handler: cfg.ErrorHandler, skip: cfg.Skip}
	return t.wrap, nil
}

func (t *timeout) wrap(next nexios.HandlerFunc) nexios.HandlerFunc {
	return func(req *nexios.Request, res *nexios.Response) error {
		if t.skip != nil && t.skip(req) {
			return next(req, res)
		}
		parent := req.Context()
		deadline := time.Now().Add(t.d)
		if d, ok := parent.Deadline(); ok && !d.After(deadline) {
			return next(req, res) // an earlier deadline is already set; its owner answers
		}
		ctx, cancel := context.WithDeadline(parent, deadline)
		defer cancel()
		var outer *http.Request
		if isMultipart(req) {
			outer = req.Raw()
		}
		req.WithContext(ctx) // a shallow copy of the *http.Request
		err := next(req, res)
		if outer != nil && outer.MultipartForm == nil {
			// A multipart form parsed on the copy: hand it to the request
			// net/http knows, which removes its temporary files.
			outer.MultipartForm = req.Raw().MultipartForm
		}
		// Give the chain outside this middleware its context back: the
		// deadline was for the handler, not for an outer logger or
		// transaction middleware.
		req.WithContext(parent)
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) && !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		if inner := (*Error)(nil); errors.As(err, &inner) {
			return err // an inner timeout middleware already answered
		}
		if res.Committed() {
			req.App().Logger().LogAttrs(parent, slog.LevelDebug, "timeout: deadline passed after the response started",
				slog.String("path", req.URL().Path), slog.Duration("timeout", t.d))
			if errors.Is(err, context.DeadlineExceeded) {
				return nil // nothing more to tell the client
			}
			return err
		}
		cause := err
		if cause == nil {
			cause = ctx.Err()
		}
		terr := &Error{Timeout: t.d, Err: cause}
		if t.handler != nil {
			return t.handler(req, res, terr)
		}
		return nexios.NewHTTPError(t.status, "request timed out").Wrap(terr)
	}
}

// isMultipart reports whether the request has a multipart body, without
// req.Raw() (which allocates on routes with path parameters).
func isMultipart(req *nexios.Request) bool {
	ct := req.Headers()["Content-Type"]
	return len(ct) > 0 && len(ct[0]) >= 10 && strings.EqualFold(ct[0][:10], "multipart/")
}
