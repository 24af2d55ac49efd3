package nexios

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
)

// ErrResponseCommitted is returned by a body writer such as Response.JSON
// when the status line has already been sent: a response is written once.
var ErrResponseCommitted = errors.New("nexios: response already written")

// HTTPError is an error with an HTTP status. Return it from a handler to
// answer with that status; the default renderer writes it as RFC 9457
// problem details: {"type", "title", "status", "detail"}.
type HTTPError struct {
	// Status is the HTTP status code (4xx or 5xx).
	Status int
	// Detail is the message shown to the client.
	Detail string
	// Headers are added to the error response (e.g. WWW-Authenticate, Allow).
	Headers http.Header
	// Errors lists the fields at fault (a unique constraint on "email"),
	// rendered as the problem document's "errors" array.
	Errors []FieldError
	// Extensions are extra members of the problem document.
	Extensions map[string]any
	// Err is the underlying cause; it is logged, never shown to clients.
	Err error
}

// NewHTTPError returns an error that answers with status and detail. An
// empty detail becomes the status text ("Not Found").
func NewHTTPError(status int, detail string) *HTTPError {
	if detail == "" {
		detail = http.StatusText(status)
	}
	return &HTTPError{Status: status, Detail: detail}
}

// Error implements error.
func (e *HTTPError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("HTTP %d: %s: %v", e.Status, e.Detail, e.Err)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Detail)
}

// Unwrap returns the cause.
func (e *HTTPError) Unwrap() error { return e.Err }

// StatusCode returns the HTTP status.
func (e *HTTPError) StatusCode() int { return e.Status }

// WithHeader adds a response header to the error and returns it.
func (e *HTTPError) WithHeader(key, value string) *HTTPError {
	if e.Headers == nil {
		e.Headers = make(http.Header)
	}
	e.Headers.Add(key, value)
	return e
}

// Wrap records err as the cause and returns e.
func (e *HTTPError) Wrap(err error) *HTTPError {
	e.Err = err
	return e
}

// PanicError is the error a recovered handler panic becomes. It renders as
// 500 and is logged once, with its stack, by the app; the stack is shown
// to clients only when Config.Debug is set.
type PanicError struct {
	Value any
	Stack []byte
}

// Error describes the panic value.
func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// StatusCode returns 500.
func (e *PanicError) StatusCode() int { return http.StatusInternalServerError }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// StatusOf returns the HTTP status an error renders with: the StatusCode()
// of the first error in the chain that has one, 413 for a body over its
// limit, 503 for a deadline, 499 for a cancelled request, else 500.
func StatusOf(err error) int {
	if sc, ok := errors.AsType[statusCoder](err); ok {
		if s := sc.StatusCode(); s >= 400 && s <= 599 {
			return s
		}
	}
	switch {
	case isType[*http.MaxBytesError](err):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable
	case errors.Is(err, context.Canceled):
		return 499 // client closed request; nobody reads the body
	}
	return http.StatusInternalServerError
}

// ErrorHandler handles an error returned by a handler or middleware. It
// writes a response and returns nil, or returns an error to pass on (the
// same one to decline, or another).
type ErrorHandler func(req *Request, res *Response, err error) error

type typedErrorHandler struct {
	match func(error) (bool, func(*Request, *Response) error)
}

// HandleError registers h for errors that match E with errors.As, like an
// exception handler in Nexios.
//
// Resolution order: the type handlers, in registration order (a handler
// that returns an error passes it to the type handlers after it), then the
// status handler for StatusOf(err), then the default problem+json
// renderer. Headers of an *HTTPError (Allow, WWW-Authenticate) are set
// before any handler runs. Register handlers before the app serves.
//
//	nexios.HandleError(app, func(req *nexios.Request, res *nexios.Response, err *nexios.HTTPError) error {
//		return res.Status(err.Status).JSON(map[string]any{"error": err.Detail})
//	})
func HandleError[E error](app *App, h func(req *Request, res *Response, err E) error) {
	app.mu.Lock()
	defer app.mu.Unlock()
	app.mustNotBeCompiled("HandleError")
	app.errorHandlers = append(app.errorHandlers, typedErrorHandler{
		match: func(err error) (bool, func(*Request, *Response) error) {
			target, ok := errors.AsType[E](err)
			if !ok {
				return false, nil
			}
			return true, func(req *Request, res *Response) error { return h(req, res, target) }
		},
	})
}

// HandleStatus registers h for errors whose StatusOf is status, e.g. 404 for
// unmatched paths or 405 for wrong methods. See HandleError for the order.
func (a *App) HandleStatus(status int, h ErrorHandler) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mustNotBeCompiled("HandleStatus")
	a.statusHandlers[status] = h
}

// handleError sends err through the app's error handlers and writes the
// response, unless one was already written: the error's one rendering. An
// error that ends as a server error (5xx) is logged once, with the stack of
// a panic, after the handlers chose the status; a custom error that a type
// handler answers with a 4xx is not logged. Middleware does not call it:
// it returns errors upward (see ResolveStatus for the status one will
// render with).
func (a *App) handleError(req *Request, res *Response, err error) {
	if err == nil || isType[*renderedError](err) {
		return
	}
	if res.Committed() {
		a.logError(req, err, "error after the response was written")
		return
	}
	if he, ok := errors.AsType[*HTTPError](err); ok {
		for k, vs := range he.Headers {
			for _, v := range vs {
				res.Header().Add(k, v)
			}
		}
	}
	final := err
	a.resolve(req, res, &final)
	if res.StatusCode() >= 500 {
		a.logError(req, err, "request failed")
	}
}

// resolve runs the type handlers, the status handler and the problem
// renderer until one writes the response; *err ends as the last error
// passed on.
func (a *App) resolve(req *Request, res *Response, err *error) {
	for _, th := range a.errorHandlers {
		if ok, run := th.match(*err); ok {
			herr := run(req, res)
			if herr == nil || res.Committed() {
				return
			}
			*err = herr
		}
	}
	if h, ok := a.statusHandlers[StatusOf(*err)]; ok {
		herr := h(req, res, *err)
		if herr == nil || res.Committed() {
			return
		}
		*err = herr
	}
	p := a.Problem(*err)
	if rerr := a.renderProblem(req, res, p); rerr != nil {
		a.logError(req, rerr, "writing the error response failed")
	}
}

// ResolveStatus returns the status the response has or will have once err
// is rendered at the top of the chain: the status already sent, or, when
// nothing was sent, StatusOf(err) (the response's status when err is
// nil). Middleware that reports on a response before the error renders
// (an access log, a metric, a tracing span) reads it and still returns the
// error upward. A type handler (HandleError) may still pick another status;
// middleware that must see exactly what was sent registers a Request.Defer
// function, which runs after the error was rendered.
func ResolveStatus(res *Response, err error) int {
	if err == nil || res.Committed() {
		return res.StatusCode()
	}
	return StatusOf(err)
}

// renderedError wraps an error that was already rendered inside the chain
// (by a wrapped net/http middleware, which must see the final status): it
// still travels up so outer middleware sees it, and is not rendered or
// logged again.
type renderedError struct{ err error }

func (e *renderedError) Error() string { return e.err.Error() }
func (e *renderedError) Unwrap() error { return e.err }

// Problem is an RFC 9457 problem details document: what an error renders
// as by default, and what Config.RenderProblem receives to render in the
// app's own format.
type Problem struct {
	// Type is a URI identifying the problem type; "about:blank" by default.
	Type string `json:"type"`
	// Title is the status text ("Not Found").
	Title string `json:"title"`
	// Status is the HTTP status.
	Status int `json:"status"`
	// Detail explains this occurrence. Server errors have none unless
	// Config.Debug is set.
	Detail string `json:"detail,omitempty"`
	// Instance is a URI identifying this occurrence.
	Instance string `json:"instance,omitempty"`
	// Errors lists the fields at fault.
	Errors []FieldError `json:"errors,omitempty"`
	// Stack is a panic's stack, in debug mode only.
	Stack string `json:"stack,omitempty"`
	// Extensions are extra top-level members (HTTPError.Extensions).
	Extensions map[string]any `json:"-"`
	// Err is the error the problem describes; it is never sent.
	Err error `json:"-"`
}

// MarshalJSON writes the members and the extensions at the top level;
// an extension never replaces a standard member.
func (p *Problem) MarshalJSON() ([]byte, error) {
	if len(p.Extensions) == 0 {
		return json.Marshal((*plainProblem)(p))
	}
	b, err := json.Marshal((*plainProblem)(p))
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, v := range p.Extensions {
		if _, taken := m[k]; !taken {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// Problem converts err into the problem document it renders as by
// default: an *HTTPError's status, detail, field errors and extensions; a
// *ValidationError's field errors (422); another 4xx error's message; a
// server error's message only in debug mode.
func (a *App) Problem(err error) *Problem {
	status := StatusOf(err)
	p := &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Err: err}
	if p.Title == "" {
		p.Title = "Error"
	}
	if ve, ok := errors.AsType[*ValidationError](err); ok {
		p.Detail = ve.Detail()
		p.Errors = ve.Errors
	} else if he, ok := errors.AsType[*HTTPError](err); ok {
		p.Detail = he.Detail
		p.Errors = he.Errors
		p.Extensions = he.Extensions
	} else if status < 500 || a.cfg.Debug {
		p.Detail = err.Error()
	}
	if pe, ok := errors.AsType[*PanicError](err); ok && a.cfg.Debug {
		p.Stack = string(pe.Stack)
	}
	return p
}

// renderProblem writes p with Config.RenderProblem, or as
// application/problem+json.
func (a *App) renderProblem(req *Request, res *Response, p *Problem) error {
	res.Header().Del("Content-Length")
	res.Status(p.Status)
	if a.cfg.RenderProblem != nil {
		return a.cfg.RenderProblem(req, res, p)
	}
	if len(p.Extensions) == 0 {
		// Straight into the pooled encoder, without MarshalJSON's copy.
		return res.writeJSON("application/problem+json", (*plainProblem)(p))
	}
	return res.writeJSON("application/problem+json", p)
}

// plainProblem is a Problem without its MarshalJSON: the standard members.
type plainProblem Problem

// statusCoder is an error that knows its HTTP status.
type statusCoder interface {
	error
	StatusCode() int
}

// isType reports whether err's tree holds an error of type E.
func isType[E error](err error) bool {
	_, ok := errors.AsType[E](err)
	return ok
}

func (a *App) logError(req *Request, err error, msg string) {
	if StatusOf(err) == 499 {
		return // the client went away; nothing to report
	}
	attrs := []slog.Attr{
		slog.String("method", req.r.Method),
		slog.String("path", req.r.URL.Path),
		slog.String("pattern", req.Pattern()),
		// The status sent, the one the access log records too.
		slog.Int("status", req.res.StatusCode()),
		slog.Any("error", err),
	}
	if pe, ok := errors.AsType[*PanicError](err); ok {
		attrs = append(attrs, slog.String("stack", string(pe.Stack)))
	}
	a.logger.LogAttrs(req.Context(), slog.LevelError, msg, attrs...)
}
