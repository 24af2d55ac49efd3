package nexios

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
)

// Dependency is a value computed from the request on first use and cached
// for the rest of the request, like Nexios' Depend. Providers may use
// other dependencies, and register cleanups with Request.Defer.
//
//	var currentUser = nexios.Depend(func(req *nexios.Request) (*User, error) {
//		user, err := users.FromToken(req.Context(), req.Header("Authorization"))
//		if err != nil {
//			return nil, nexios.NewHTTPError(401, "Invalid token")
//		}
//		return user, nil
//	})
//
//	user, err := currentUser.Get(req)
type Dependency[T any] struct {
	provide func(req *Request) (T, error)
}

// Depend declares a dependency provided by provide. Declare it once (a
// package-level variable or a field of your server type) and call Get
// wherever the value is needed.
func Depend[T any](provide func(req *Request) (T, error)) *Dependency[T] {
	return &Dependency[T]{provide: provide}
}

// ErrDependencyCycle is returned when a dependency needs itself.
var ErrDependencyCycle = errors.New("nexios: dependency cycle")

// Get returns the dependency's value for req, calling the provider on the
// first use in the request only. A provider error is returned as is, so an
// *HTTPError (401 from a current-user dependency) renders normally.
//
// A dependency is a key with a provider: its value is kept in the same
// request slots as Key values, so a cached Get does not allocate.
func (d *Dependency[T]) Get(req *Request) (T, error) {
	var zero T
	if s := req.slot(d); s != nil {
		switch {
		case s.state == slotResolving:
			return zero, fmt.Errorf("%w: %T", ErrDependencyCycle, d)
		case s.err != nil:
			return zero, s.err
		}
		v, _ := s.val.(T)
		return v, nil
	}
	req.slotFor(d).state = slotResolving
	v, err := d.provide(req)
	// The provider may have added slots (and moved the slice): look again.
	s := req.slot(d)
	s.val, s.err, s.state = v, err, slotSet
	return v, err
}

func (d *Dependency[T]) resolve(req *Request) error {
	_, err := d.Get(req)
	return err
}

// Resolver is a dependency that Requires can resolve ahead of a handler;
// every *Dependency is one.
type Resolver interface {
	resolve(req *Request) error
}

// Requires resolves deps before the route's handler runs (after its
// middleware), for dependencies whose side effect matters (an auth check)
// even when the handler does not read their value. A failing dependency's
// error goes through the error handlers.
func Requires(deps ...Resolver) RouteOption {
	return func(r *Route) { r.requires = append(r.requires, deps...) }
}

// Requires resolves deps before every route of this router (for the App:
// every route of the app, but not unmatched requests), after middleware.
func (r *Router) Requires(deps ...Resolver) {
	r.mustBeOpen("Requires")
	r.requires = append(r.requires, deps...)
}

// requiresMiddleware resolves deps in order before calling next.
func requiresMiddleware(deps []Resolver) Middleware {
	return func(next HandlerFunc) HandlerFunc {
		return func(req *Request, res *Response) error {
			for _, d := range deps {
				if err := d.resolve(req); err != nil {
					return err
				}
			}
			return next(req, res)
		}
	}
}

// Defer registers fn to run after the response is written and errors are
// handled, in reverse order of registration (like defer). Dependencies
// release what they acquired with it. A panicking fn is logged and the
// others still run.
func (q *Request) Defer(fn func()) {
	q.cleanups = append(q.cleanups, fn)
}

// runCleanups runs the deferred functions, last registered first.
func (q *Request) runCleanups() {
	for i := len(q.cleanups) - 1; i >= 0; i-- {
		q.runCleanup(q.cleanups[i])
		q.cleanups[i] = nil
	}
	q.cleanups = q.cleanups[:0]
}

func (q *Request) runCleanup(fn func()) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				return
			}
			q.app.logger.LogAttrs(q.Context(), slog.LevelError, "nexios: deferred cleanup panicked",
				slog.Any("panic", p), slog.String("path", q.r.URL.Path))
		}
	}()
	fn()
}
