package nexios

import (
	"context"
	"net/http"
)

// HandlerFunc handles a request. It writes the response through res and
// returns nil, or returns an error for the app's error handlers to render.
type HandlerFunc func(req *Request, res *Response) error

// Middleware wraps a handler. It may act before and after calling next,
// short-circuit by not calling it, and inspect, replace or swallow the error
// next returns. Chains are composed once, at the first request.
//
// Order: app (App.Use) → router → route (WithMiddleware); within a level the
// first added is the outermost.
type Middleware func(next HandlerFunc) HandlerFunc

// chain wraps h in mw, mw[0] outermost.
func chain(mw []Middleware, h HandlerFunc) HandlerFunc {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

type requestKey struct{}

// WrapMiddleware adapts net/http middleware (func(http.Handler)
// http.Handler) to a Middleware. The wrapped middleware sees the request
// and response writer; changes it makes to either (a new context, a
// compressing writer) are visible to the rest of the chain. Errors from the
// inner chain are rendered inside it, so the wrapped middleware sees the
// final status, and then returned upward like any error (marked as
// rendered), so nexios middleware outside it still sees them.
func WrapMiddleware(m func(http.Handler) http.Handler) Middleware {
	return func(next HandlerFunc) HandlerFunc {
		inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			req, _ := r.Context().Value(requestKey{}).(*Request)
			if req == nil {
				http.Error(w, "nexios: request context lost by wrapped middleware", http.StatusInternalServerError)
				return
			}
			res := req.res
			prevR, prevW := req.r, res.w
			req.r, res.w = r, w
			if err := next(req, res); err != nil {
				req.app.handleError(req, res, err)
				// Travel on, so outer middleware sees the error too.
				req.wrappedErr = &renderedError{err: err}
			}
			req.r, res.w = prevR, prevW
		})
		h := m(inner)
		return func(req *Request, res *Response) error {
			r := req.Raw()
			r = r.WithContext(context.WithValue(r.Context(), requestKey{}, req))
			h.ServeHTTP(res.w, r)
			err := req.wrappedErr
			req.wrappedErr = nil
			return err
		}
	}
}

// WrapHandler adapts an http.Handler to a HandlerFunc. The handler sees path
// parameters through r.PathValue and the route through r.Pattern.
func WrapHandler(h http.Handler) HandlerFunc {
	return func(req *Request, res *Response) error {
		h.ServeHTTP(res, req.Raw())
		return nil
	}
}

// WrapHandlerFunc adapts an http.HandlerFunc to a HandlerFunc.
func WrapHandlerFunc(h func(http.ResponseWriter, *http.Request)) HandlerFunc {
	return WrapHandler(http.HandlerFunc(h))
}

// ToHTTPMiddleware adapts a Middleware for use in a plain net/http stack
// (chi, ServeMux). Errors are rendered by a default App's error handlers;
// use App.HTTPMiddleware for your own configuration and error handlers.
func ToHTTPMiddleware(mw Middleware) func(http.Handler) http.Handler {
	return New(Config{}).HTTPMiddleware(mw)
}

// HTTPMiddleware adapts a Middleware for use in a plain net/http stack,
// with this app's configuration and error handlers.
func (a *App) HTTPMiddleware(mw Middleware) func(http.Handler) http.Handler {
	app := a
	return func(next http.Handler) http.Handler {
		h := mw(func(req *Request, res *Response) error {
			next.ServeHTTP(res, req.Raw())
			return nil
		})
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ex := app.pool.Get().(*exchange)
			ex.req.init(app, r)
			ex.res.init(w, r)
			ex.req.handler = h
			app.runHandler(&ex.req, &ex.res, h)
			app.finish(ex, w)
		})
	}
}
