package nexios

import (
	"fmt"
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
// input never reaches fn.
//
// The success response is built from the returned *Out:
//   - Out = struct{} (or a nil *Out): 204 No Content;
//   - otherwise *Out is written as JSON with the route's Status option
//     (default 200);
//   - an Out struct may carry response metadata in fields that are not
//     part of the body, tagged json:"-": an int field tagged status:""
//     sets the status when non-zero, and fields tagged header:"Name" are
//     sent as response headers — string, []string, an integer, or
//     *http.Cookie / http.Cookie / []*http.Cookie under
//     header:"Set-Cookie". They are documented like the body. (A
//     header-tagged field that is part of the body is an input field of a
//     type used as both In and Out, and stays in the body.)
//
// fn may also set headers and cookies through req.Response() before it
// returns; a response fn wrote itself is left alone.
//
// Register typed handlers with Get, Post, Put, Patch, Delete or Handle so
// that In and Out also document the route. Typed panics when Out declares
// metadata fields wrongly: a registration error, found at start-up.
func Typed[In, Out any](fn func(req *Request, in *In) (*Out, error)) HandlerFunc {
	plan := mustPlanOutput(reflect.TypeFor[Out]())
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
		status := http.StatusOK
		if req.route != nil && req.route.status != 0 {
			status = req.route.status
		}
		if plan.noContent || status == http.StatusNoContent {
			return res.NoContent()
		}
		if out == nil {
			// The route is documented with a body: answering 204 would
			// contradict the document, so the mistake is the handler's.
			return fmt.Errorf("nexios: the typed handler of %s returned neither an output nor an error: "+
				"return an error (a 404?), use a struct{} output or declare nexios.Status(http.StatusNoContent) for an empty answer", req.Pattern())
		}
		if plan.hasMeta() {
			if status, err = plan.apply(res, reflect.ValueOf(out).Elem(), status); err != nil {
				return err
			}
		}
		return res.Status(status).JSON(out)
	}
}

// Handle registers a typed handler for method and path, recording In and
// Out for the API documentation.
func Handle[In, Out any](r Registrar, method, path string, fn func(*Request, *In) (*Out, error), opts ...RouteOption) *Route {
	h := Typed(fn) // plans Out first: a malformed Out panics before registration
	all := make([]RouteOption, 0, len(opts)+1)
	all = append(all, func(rt *Route) {
		if t := reflect.TypeFor[In](); t != reflect.TypeFor[struct{}]() {
			rt.doc.Input = t
		}
		rt.typed = true
		if t := reflect.TypeFor[Out](); t == reflect.TypeFor[struct{}]() {
			rt.noContent = true
		} else {
			rt.doc.Output = t
		}
	})
	all = append(all, opts...)
	return r.Route([]string{method}, path, h, all...)
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
