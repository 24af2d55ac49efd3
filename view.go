package nexios

import (
	"fmt"
	"net/http"
)

// A view is a type whose methods named after HTTP methods handle one path:
// Nexios' APIHandler, Django's class-based views. Any of these methods
// makes the type a view:
//
//	Get(req *Request, res *Response) error
//	Head, Post, Put, Patch, Delete, Options (the same signature)
//
// and it may also implement ViewBefore, ViewAfter, ViewMiddleware and
// ViewRouteOptions. Register it with Router.View.
//
//	type UserView struct{ users *Users }
//
//	func (v *UserView) Get(req *nexios.Request, res *nexios.Response) error    { ... }
//	func (v *UserView) Delete(req *nexios.Request, res *nexios.Response) error { ... }
//
//	app.View("/users/{id:int}", &UserView{users: users})

// ViewBefore is implemented by views with a hook that runs before each of
// their methods, after middleware: an error it returns skips the method
// (and still reaches ViewAfter).
type ViewBefore interface {
	Before(req *Request, res *Response) error
}

// ViewAfter is implemented by views with a hook that runs after each of
// their methods with the error the method (or Before) returned; what it
// returns is the request's error.
type ViewAfter interface {
	After(req *Request, res *Response, err error) error
}

// ViewMiddleware is implemented by views with middleware of their own,
// run for every method of the view inside the app's and routers'
// middleware.
type ViewMiddleware interface {
	Middleware() []Middleware
}

// ViewRouteOptions is implemented by views that document (or otherwise
// configure) each method's route: RouteOptions("GET") might return
// Summary("Get a user") and Returns[User](200, "The user").
type ViewRouteOptions interface {
	RouteOptions(method string) []RouteOption
}

// viewMethod binds one HTTP method to a view's handler method, found by
// interface assertion: no reflection, a compile-time signature.
type viewMethod struct {
	method string
	find   func(v any) HandlerFunc // nil when v has no such method
}

var viewMethods = [...]viewMethod{
	{http.MethodGet, func(v any) HandlerFunc {
		if x, ok := v.(interface {
			Get(*Request, *Response) error
		}); ok {
			return x.Get
		}
		return nil
	}},
	{http.MethodHead, func(v any) HandlerFunc {
		if x, ok := v.(interface {
			Head(*Request, *Response) error
		}); ok {
			return x.Head
		}
		return nil
	}},
	{http.MethodPost, func(v any) HandlerFunc {
		if x, ok := v.(interface {
			Post(*Request, *Response) error
		}); ok {
			return x.Post
		}
		return nil
	}},
	{http.MethodPut, func(v any) HandlerFunc {
		if x, ok := v.(interface {
			Put(*Request, *Response) error
		}); ok {
			return x.Put
		}
		return nil
	}},
	{http.MethodPatch, func(v any) HandlerFunc {
		if x, ok := v.(interface {
			Patch(*Request, *Response) error
		}); ok {
			return x.Patch
		}
		return nil
	}},
	{http.MethodDelete, func(v any) HandlerFunc {
		if x, ok := v.(interface {
			Delete(*Request, *Response) error
		}); ok {
			return x.Delete
		}
		return nil
	}},
	{http.MethodOptions, func(v any) HandlerFunc {
		if x, ok := v.(interface {
			Options(*Request, *Response) error
		}); ok {
			return x.Options
		}
		return nil
	}},
}

// View registers the view v at path: one route per HTTP method v has
// (see the view methods above), so 405 with its Allow header, automatic
// HEAD (from Get) and OPTIONS follow from the methods v has, and each
// method is documented in OpenAPI like any route. opts apply to every
// method's route; a Name in them names the first (a view has one path, so
// URLFor needs one name). View panics with a *RouteError when v has no
// handler method.
func (r *Router) View(path string, v any, opts ...RouteOption) []*Route {
	before, _ := v.(ViewBefore)
	after, _ := v.(ViewAfter)
	var mw []Middleware
	if m, ok := v.(ViewMiddleware); ok {
		mw = m.Middleware()
	}
	perMethod, _ := v.(ViewRouteOptions)
	var routes []*Route
	for _, vm := range viewMethods {
		h := vm.find(v)
		if h == nil {
			continue
		}
		all := make([]RouteOption, 0, len(opts)+4)
		all = append(all, opts...)
		if len(routes) > 0 {
			all = append(all, func(rt *Route) { rt.name = "" })
		}
		if len(mw) > 0 {
			all = append(all, WithMiddleware(mw...))
		}
		if perMethod != nil {
			all = append(all, perMethod.RouteOptions(vm.method)...)
		}
		routes = append(routes, r.Route([]string{vm.method}, path, hooked(h, before, after), all...))
	}
	if len(routes) == 0 {
		panic(&RouteError{Pattern: path, Err: fmt.Errorf("view %T has no handler method (Get, Post, Put, Patch, Delete, Head or Options with the signature func(*nexios.Request, *nexios.Response) error)", v)})
	}
	return routes
}

// hooked wraps a view method in the view's Before and After hooks.
func hooked(h HandlerFunc, before ViewBefore, after ViewAfter) HandlerFunc {
	if before == nil && after == nil {
		return h
	}
	return func(req *Request, res *Response) error {
		var err error
		if before != nil {
			err = before.Before(req, res)
		}
		if err == nil {
			err = h(req, res)
		}
		if after != nil {
			err = after.After(req, res, err)
		}
		return err
	}
}
