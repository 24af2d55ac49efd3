package nexios

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/nexios-go/nexios/internal/tree"
)

// Router groups routes under a path prefix with shared middleware, tags and
// route options. Mount it on an App (or another Router) with Mount. Routes
// and middleware may be added before or after mounting, until the app
// serves its first request.
type Router struct {
	prefix     string
	name       string
	tags       []string
	defaults   []RouteOption
	middleware []Middleware
	requires   []Resolver
	routes     []*Route
	children   []*Router
	parent     *Router
	app        *App // set on the root router and, once mounted, reachable via parent
}

// RouterOption configures a Router.
type RouterOption func(*Router)

// RouterName names the router; its routes' names get the prefix "name."
// for URLFor ("api.get_user").
func RouterName(name string) RouterOption { return func(r *Router) { r.name = name } }

// RouterTags adds OpenAPI tags to every route of the router.
func RouterTags(tags ...string) RouterOption {
	return func(r *Router) { r.tags = append(r.tags, tags...) }
}

// RouterDefaults applies route options to every route of the router, before
// the route's own options.
func RouterDefaults(opts ...RouteOption) RouterOption {
	return func(r *Router) { r.defaults = append(r.defaults, opts...) }
}

// NewRouter returns a router whose routes live under prefix ("/api/v1").
// An empty prefix groups routes without changing their paths. A trailing
// slash is ignored; the prefix matches whole path segments only, so a router
// at /api never sees /apiary.
func NewRouter(prefix string, opts ...RouterOption) *Router {
	r := &Router{prefix: normalizePrefix(prefix)}
	for _, o := range opts {
		o(r)
	}
	return r
}

func normalizePrefix(p string) string {
	p = strings.TrimRight(p, "/")
	if p != "" && p[0] != '/' {
		p = "/" + p
	}
	return p
}

// Prefix returns the router's own path prefix.
func (r *Router) Prefix() string { return r.prefix }

// Use adds middleware. On a Router it runs for that router's routes only; on
// the App it runs for every request, including 404 and 405. The first added
// is the outermost: it runs first and sees the response last.
func (r *Router) Use(mw ...Middleware) {
	r.mustBeOpen("Use")
	r.middleware = append(r.middleware, mw...)
}

// Get registers h for GET (and HEAD) requests to path.
func (r *Router) Get(path string, h HandlerFunc, opts ...RouteOption) *Route {
	return r.Route([]string{http.MethodGet}, path, h, opts...)
}

// Post registers h for POST requests to path.
func (r *Router) Post(path string, h HandlerFunc, opts ...RouteOption) *Route {
	return r.Route([]string{http.MethodPost}, path, h, opts...)
}

// Put registers h for PUT requests to path.
func (r *Router) Put(path string, h HandlerFunc, opts ...RouteOption) *Route {
	return r.Route([]string{http.MethodPut}, path, h, opts...)
}

// Patch registers h for PATCH requests to path.
func (r *Router) Patch(path string, h HandlerFunc, opts ...RouteOption) *Route {
	return r.Route([]string{http.MethodPatch}, path, h, opts...)
}

// Delete registers h for DELETE requests to path.
func (r *Router) Delete(path string, h HandlerFunc, opts ...RouteOption) *Route {
	return r.Route([]string{http.MethodDelete}, path, h, opts...)
}

// Head registers h for HEAD requests to path (GET routes answer HEAD
// already).
func (r *Router) Head(path string, h HandlerFunc, opts ...RouteOption) *Route {
	return r.Route([]string{http.MethodHead}, path, h, opts...)
}

// Options registers h for OPTIONS requests to path (unregistered OPTIONS
// requests get 204 with an Allow header).
func (r *Router) Options(path string, h HandlerFunc, opts ...RouteOption) *Route {
	return r.Route([]string{http.MethodOptions}, path, h, opts...)
}

// Route registers h for the given methods and path. The path may hold
// parameters: {name} (one segment), {name:int}, {name:float}, {name:uuid},
// {name:slug}, {name:path} (the rest of the path) or a registered
// converter.
//
// Like net/http.ServeMux, Route panics with a *RouteError when the pattern
// is malformed or conflicts with a registered route: both are programming
// errors found at start-up.
func (r *Router) Route(methods []string, path string, h HandlerFunc, opts ...RouteOption) *Route {
	return r.add(methods, path, h, false, opts)
}

func (r *Router) add(methods []string, path string, h HandlerFunc, mount bool, opts []RouteOption) *Route {
	r.mustBeOpen("Route")
	if h == nil {
		panic(&RouteError{Pattern: path, Err: errors.New("nil handler")})
	}
	if len(methods) == 0 {
		panic(&RouteError{Pattern: path, Err: errors.New("no methods")})
	}
	rt := &Route{path: path, handler: h, router: r, mount: mount}
	for _, m := range methods {
		if m == "" || strings.ContainsAny(m, " \t/") {
			panic(&RouteError{Pattern: path, Err: fmt.Errorf("invalid method %q", m)})
		}
		rt.methods = append(rt.methods, strings.ToUpper(m))
	}
	for _, o := range r.defaults {
		o(rt)
	}
	for _, o := range opts {
		o(rt)
	}
	r.routes = append(r.routes, rt)
	if app := r.root(); app != nil {
		app.register(rt)
	}
	return rt
}

// Mount attaches child under this router: its prefix is appended to this
// router's, its middleware runs after this router's, and its routes join
// the app. A router can be mounted once.
func (r *Router) Mount(child *Router) {
	r.mustBeOpen("Mount")
	if child == nil || child == r || child.parent != nil || child.app != nil {
		panic(&RouteError{Pattern: child.prefixOrRoot(), Err: errors.New("router is nil, already mounted or an app's root")})
	}
	child.parent = r
	r.children = append(r.children, child)
	if app := r.root(); app != nil {
		for _, rt := range child.allRoutes(nil) {
			app.register(rt)
		}
	}
}

func (r *Router) prefixOrRoot() string {
	if r == nil || r.prefix == "" {
		return "/"
	}
	return r.prefix
}

// MountHandler serves every request under prefix (the path itself and
// anything below it, on segment boundaries) with h, whatever the method.
// The prefix is stripped from the request path as http.StripPrefix does,
// and r.Pattern is the prefix. Routes registered under the prefix still win.
func (r *Router) MountHandler(prefix string, h http.Handler, opts ...RouteOption) *Route {
	return r.add([]string{anyMethod}, normalizePrefix(prefix), stripPrefixHandler(h), true, opts)
}

const anyMethod = "*"

// stripPrefixHandler hands h a shallow copy of the request whose path has
// the mount prefix (the route's full pattern, known once mounted) removed;
// the remainder always starts with '/'.
func stripPrefixHandler(h http.Handler) HandlerFunc {
	return func(req *Request, res *Response) error {
		r := req.Raw()
		prefix := strings.TrimSuffix(req.route.pattern, "/")
		r2 := new(http.Request)
		*r2 = *r
		u := *r.URL
		u.Path = ensureSlash(strings.TrimPrefix(r.URL.Path, prefix))
		if r.URL.RawPath != "" {
			u.RawPath = ensureSlash(strings.TrimPrefix(r.URL.RawPath, prefix))
		}
		r2.URL = &u
		h.ServeHTTP(res, r2)
		return nil
	}
}

func ensureSlash(p string) string {
	if p == "" || p[0] != '/' {
		return "/" + p
	}
	return p
}

func (r *Router) fullPrefix() string {
	var parts []string
	for x := r; x != nil; x = x.parent {
		parts = append(parts, x.prefix)
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString(parts[i])
	}
	return b.String()
}

// root returns the app this router is attached to, or nil.
func (r *Router) root() *App {
	for x := r; x != nil; x = x.parent {
		if x.app != nil {
			return x.app
		}
	}
	return nil
}

func (r *Router) mustBeOpen(what string) {
	if app := r.root(); app != nil {
		app.mustNotBeCompiled(what)
	}
}

func (r *Router) allRoutes(dst []*Route) []*Route {
	dst = append(dst, r.routes...)
	for _, c := range r.children {
		dst = c.allRoutes(dst)
	}
	return dst
}

// RouteError is the panic value of a route registration that fails: a
// malformed pattern, an unknown converter, a conflict with a registered
// route, or an ambiguity with one (typed parameters at the same position
// whose converters have the same rank); Existing names the other route.
type RouteError struct {
	Method   string
	Pattern  string
	Existing string
	Err      error
}

func (e *RouteError) Error() string {
	if ae, ok := errors.AsType[*tree.AmbiguousError](e.Err); ok {
		return "nexios: " + ae.Error()
	}
	if e.Existing != "" {
		return fmt.Sprintf("nexios: route %s %s conflicts with %s %s", e.Method, e.Pattern, e.Method, e.Existing)
	}
	return fmt.Sprintf("nexios: route %s %s: %v", e.Method, e.Pattern, e.Err)
}

func (e *RouteError) Unwrap() error { return e.Err }

// register inserts a route into the app's tree under its full path.
func (a *App) register(rt *Route) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mustNotBeCompiled("route registration")
	rt.app = a
	rt.pattern = joinPath(rt.router.fullPrefix(), rt.path)
	if n := rt.router.fullName(); n != "" && rt.name != "" {
		rt.name = n + "." + rt.name
	}
	segs, err := tree.Parse(rt.pattern, a.lookupConverter)
	if err != nil {
		panic(&RouteError{Method: strings.Join(rt.methods, ","), Pattern: rt.pattern, Err: err})
	}
	rt.params = rt.params[:0]
	for _, s := range segs {
		if s.Kind != tree.Static {
			rt.params = append(rt.params, ParamInfo{Name: s.Text, Converter: s.Conv})
		}
	}
	if other, ok := a.names[rt.name]; ok && rt.name != "" {
		panic(&RouteError{Method: strings.Join(rt.methods, ","), Pattern: rt.pattern, Err: fmt.Errorf("route name %q is already used by %s", rt.name, other.pattern)})
	}
	if rt.mount {
		a.insertMount(rt, segs)
	} else {
		for _, m := range rt.methods {
			if err := a.tree.Insert(m, rt.pattern, segs, rt); err != nil {
				panic(routeError(m, rt.pattern, err))
			}
		}
	}
	if rt.name != "" {
		if a.names == nil {
			a.names = make(map[string]*Route)
		}
		a.names[rt.name] = rt
	}
}

// insertMount registers a mounted handler at the prefix and at every path
// below it.
func (a *App) insertMount(rt *Route, segs []tree.Segment) {
	pattern := rt.pattern
	below := strings.TrimSuffix(pattern, "/") + "/{_rest:path}"
	belowSegs, err := tree.Parse(below, a.lookupConverter)
	if err != nil {
		panic(routeError("*", pattern, err))
	}
	if pattern != "/" {
		if err := a.tree.Insert(tree.AnyMethod, pattern, segs, rt); err != nil {
			panic(routeError("*", pattern, err))
		}
	}
	if err := a.tree.Insert(tree.AnyMethod, below, belowSegs, rt); err != nil {
		panic(routeError("*", pattern, err))
	}
}

func routeError(method, pattern string, err error) *RouteError {
	if ce, ok := errors.AsType[*tree.ConflictError](err); ok {
		return &RouteError{Method: method, Pattern: pattern, Existing: ce.Existing, Err: err}
	}
	if ae, ok := errors.AsType[*tree.AmbiguousError](err); ok {
		return &RouteError{Method: method, Pattern: pattern, Existing: ae.Existing, Err: err}
	}
	return &RouteError{Method: method, Pattern: pattern, Err: err}
}

func (r *Router) fullName() string {
	var names []string
	for x := r; x != nil; x = x.parent {
		if x.name != "" {
			names = append(names, x.name)
		}
	}
	for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
	}
	return strings.Join(names, ".")
}

// joinPath puts a route path under a prefix. The root path "/" under a
// prefix is the prefix itself (/api, not /api/).
func joinPath(prefix, p string) string {
	if p == "" {
		p = "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	if prefix == "" {
		return p
	}
	if p == "/" {
		return prefix
	}
	return prefix + p
}
