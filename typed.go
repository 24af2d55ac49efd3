package nexios

import (
	"net/http"
	"reflect"
)

// Registrar is where routes are registered: an *App or a *Router.
type Registrar interface {
	Route(methods []string, path string, h HandlerFunc, opts ...RouteOption) *Route
}

// Typed adapts a typed handler to a HandlerFunc. Before fn runs, the
// request is bound into a new In (path, query, header, cookie and form
// fields by their tags, the JSON body into the rest) and validated: bad
// input never reaches fn. A non-nil *Out is written as JSON with the
// route's Status (default 200); a nil *Out with a nil error answers 204.
//
// Register typed handlers with Get, Post, Put, Patch, Delete or Handle so
// that In and Out also document the route.
func Typed[In, Out any](fn func(req *Request, in *In) (*Out, error)) HandlerFunc {
	return func(req *Request, res *Response) error {
		in := new(In)
		if err := req.Bind(in); err != nil {
			return err
		}
		out, err := fn(req, in)
		if err != nil {
			return err
		}
		if res.Committed() {
			return nil // fn wrote its own response
		}
		if out == nil {
			return res.NoContent()
		}
		status := http.StatusOK
		if req.route != nil && req.route.doc.Status != 0 {
			status = req.route.doc.Status
		}
		return res.Status(status).JSON(out)
	}
}

// Handle registers a typed handler for method and path, recording In and
// Out for the API documentation.
func Handle[In, Out any](r Registrar, method, path string, fn func(*Request, *In) (*Out, error), opts ...RouteOption) *Route {
	all := make([]RouteOption, 0, len(opts)+1)
	all = append(all, func(rt *Route) {
		if t := reflect.TypeFor[In](); t != reflect.TypeFor[struct{}]() {
			rt.doc.Input = t
		}
		rt.doc.Output = reflect.TypeFor[Out]()
	})
	all = append(all, opts...)
	return r.Route([]string{method}, path, Typed(fn), all...)
}

// Get registers a typed GET handler. See Typed.
func Get[In, Out any](r Registrar, path string, fn func(*Request, *In) (*Out, error), opts ...RouteOption) *Route {
	return Handle(r, http.MethodGet, path, fn, opts...)
}

// Post registers a typed POST handler. See Typed.
func Post[In, Out any](r Registrar, path string, fn func(*Request, *In) (*Out, error), opts ...RouteOption) *Route {
	return Handle(r, http.MethodPost, path, fn, opts...)
}

// Put registers a typed PUT handler. See Typed.
func Put[In, Out any](r Registrar, path string, fn func(*Request, *In) (*Out, error), opts ...RouteOption) *Route {
	return Handle(r, http.MethodPut, path, fn, opts...)
}

// Patch registers a typed PATCH handler. See Typed.
func Patch[In, Out any](r Registrar, path string, fn func(*Request, *In) (*Out, error), opts ...RouteOption) *Route {
	return Handle(r, http.MethodPatch, path, fn, opts...)
}

// Delete registers a typed DELETE handler. See Typed.
func Delete[In, Out any](r Registrar, path string, fn func(*Request, *In) (*Out, error), opts ...RouteOption) *Route {
	return Handle(r, http.MethodDelete, path, fn, opts...)
}
