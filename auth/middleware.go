package auth

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/nexios-go/nexios"
)

// Backend authenticates requests by one kind of credential.
type Backend interface {
	// Authenticate returns the user the request's credentials prove.
	// It returns nil, nil when the request carries no credential this
	// backend understands (the next backend is tried); a 4xx error (an
	// *Error such as ErrTokenExpired) when it carries one that is wrong
	// (recorded, and the next backend is tried); any other error when
	// authentication itself failed (a database down), which fails the
	// request with that error.
	Authenticate(req *nexios.Request) (nexios.User, error)
	// Challenge returns the WWW-Authenticate challenge sent with a 401
	// ("" for none). failure is the error this backend's Authenticate
	// returned for the request, or nil.
	Challenge(failure error) string
}

// BackendFunc adapts a function to a Backend without a challenge, for a
// custom credential:
//
//	auth.BackendFunc(func(req *nexios.Request) (nexios.User, error) {
//		if req.Header("X-Auth") == "" {
//			return nil, nil
//		}
//		return auth.SimpleUser{ID: "123456789"}, nil
//	})
type BackendFunc func(req *nexios.Request) (nexios.User, error)

// Authenticate calls f.
func (f BackendFunc) Authenticate(req *nexios.Request) (nexios.User, error) { return f(req) }

// Challenge returns "".
func (f BackendFunc) Challenge(error) string { return "" }

// resultKey holds the *result of the authentication middleware.
var resultKey = nexios.NewKey[*result]("auth.result")

// result is what the middleware found, for Require and Info.
type result struct {
	backends []Backend
	by       Backend // the backend that authenticated the user
	failure  error   // the first rejected credential
	failedAt int     // index of the backend that rejected it (backends may be uncomparable funcs)
}

// Info describes how the authentication middleware handled a request.
type Info struct {
	// Backend authenticated the user (nil for anonymous requests).
	Backend Backend
	// Failure is the first credential that was rejected (an *Error), even
	// when another backend then succeeded; nil when none was.
	Failure error
}

// InfoOf returns what the authentication middleware found for req.
func InfoOf(req *nexios.Request) Info {
	r := resultOf(req)
	if r == nil {
		return Info{}
	}
	return Info{Backend: r.by, Failure: r.failure}
}

func resultOf(req *nexios.Request) *result {
	return resultKey.Value(req)
}

// Middleware returns the authentication middleware, Nexios'
// AuthenticationMiddleware: it tries each backend in order and sets
// req.User() to the first user one of them proves, or leaves the request
// anonymous. It never rejects a request by itself (public pages stay
// public); Require, Required and Check do. A backend that needs a session
// (SessionBackend) needs the session middleware added before this one.
//
// It returns an error for a misconfigured backend (a nil loader, a JWT
// backend without issuer).
func Middleware(backends ...Backend) (nexios.Middleware, error) {
	if len(backends) == 0 {
		return nil, errors.New("auth: Middleware needs at least one backend")
	}
	for i, b := range backends {
		if b == nil {
			return nil, fmt.Errorf("auth: backend %d is nil", i)
		}
		if v, ok := b.(interface{ validate() error }); ok {
			if err := v.validate(); err != nil {
				return nil, fmt.Errorf("auth: backend %d (%T): %w", i, b, err)
			}
		}
	}
	backends = append([]Backend(nil), backends...)
	return func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			r := &result{backends: backends}
			resultKey.Set(req, r)
			for i, b := range backends {
				u, err := b.Authenticate(req)
				if err != nil {
					if s := nexios.StatusOf(err); s < 400 || s >= 500 {
						return err
					}
					if r.failure == nil {
						r.failure, r.failedAt = err, i
					}
					continue
				}
				if u != nil && u.IsAuthenticated() {
					r.by = b
					nexios.UserKey.Set(req, u)
					break
				}
			}
			return next(req, res)
		}
	}, nil
}

// Check returns nil when the request's user is authenticated and holds
// every scope given; otherwise the error Require answers with: 401 with
// WWW-Authenticate for an anonymous request, 403 for a missing scope.
func Check(req *nexios.Request, scopes ...string) error {
	u := req.User()
	r := resultOf(req)
	if !u.IsAuthenticated() {
		return unauthorized(r)
	}
	if HasScopes(u, scopes...) {
		return nil
	}
	var missing []string
	for _, s := range scopes {
		if !HasScopes(u, s) {
			missing = append(missing, s)
		}
	}
	e := nexios.NewHTTPError(http.StatusForbidden, "missing required scope: "+strings.Join(missing, " "))
	e.Extensions = map[string]any{"required_scopes": scopes}
	if r != nil {
		if _, ok := r.by.(*JWTBackend); ok {
			// RFC 6750 §3.1: tell a bearer client which scope it lacks.
			e.WithHeader("WWW-Authenticate", `Bearer error="insufficient_scope", scope=`+quote(strings.Join(scopes, " ")))
		}
	}
	return e
}

// unauthorized builds the 401 for an anonymous request, with the reason
// a credential was rejected and every backend's challenge.
func unauthorized(r *result) error {
	status, detail := http.StatusUnauthorized, "Not authenticated"
	var cause error
	var he *nexios.HTTPError
	if r != nil && r.failure != nil {
		cause = r.failure
		detail = r.failure.Error()
		if errors.As(r.failure, &he) {
			detail = he.Detail
		}
		switch s := nexios.StatusOf(r.failure); s {
		case http.StatusForbidden, http.StatusTooManyRequests:
			status = s // a throttled credential stays a 429
		}
	}
	e := nexios.NewHTTPError(status, detail)
	e.Err = cause
	if he != nil && status == http.StatusTooManyRequests {
		e.Extensions = he.Extensions
		for k, vs := range he.Headers { // Retry-After
			for _, v := range vs {
				e.WithHeader(k, v)
			}
		}
		return e
	}
	if ae := (*Error)(nil); errors.As(cause, &ae) {
		e.Extensions = map[string]any{"code": ae.Code}
	}
	if r == nil {
		// No authentication middleware ran: nothing says which scheme
		// would work; bearer tokens are the common case for APIs.
		return e.WithHeader("WWW-Authenticate", `Bearer realm="api"`)
	}
	for i, b := range r.backends {
		var failure error
		if r.failure != nil && i == r.failedAt {
			failure = r.failure
		}
		if c := b.Challenge(failure); c != "" {
			e.WithHeader("WWW-Authenticate", c)
		}
	}
	return e
}

// Require returns middleware that lets a request through only when its
// user is authenticated and holds every scope given: 401 (problem+json
// with WWW-Authenticate) for an anonymous request, 403 for a missing
// scope. Unlike Nexios' @auth(), an anonymous user never passes. Use it at
// app level (app.Use), on a router, or on a route (Required).
func Require(scopes ...string) nexios.Middleware {
	scopes = append([]string(nil), scopes...)
	return func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			if err := Check(req, scopes...); err != nil {
				return err
			}
			return next(req, res)
		}
	}
}

// Required is Require as a route option, which also documents the
// requirement (nexios.Authenticated): the OpenAPI document shows the API's
// security schemes with these scopes and a 401 response, from this one
// declaration. On a router, give it to nexios.RouterDefaults.
//
//	app.Get("/admin", h, auth.Required("admin"))
//	api := nexios.NewRouter("/api", nexios.RouterDefaults(auth.Required()))
func Required(scopes ...string) nexios.RouteOption {
	enforce := nexios.WithMiddleware(Require(scopes...))
	document := nexios.Authenticated(scopes...)
	return func(rt *nexios.Route) {
		enforce(rt)
		document(rt)
	}
}

// quote returns s as a quoted-string for an auth-param (RFC 9110 §11.2).
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range []byte(s) {
		if c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		if c < 0x20 || c == 0x7f {
			continue
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String()
}
