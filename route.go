package nexios

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Route is a registered route. Its accessors serve introspection (route
// listings, OpenAPI); route options configure it at registration.
type Route struct {
	methods    []string
	path       string // as given to the router
	pattern    string // full pattern, router prefixes included
	name       string
	handler    HandlerFunc
	middleware []Middleware
	tags       []string
	params     []ParamInfo
	values     map[any]any // Key values at route scope
	status     int         // success status of a typed handler (Status)
	typed      bool        // registered with Handle/Get/Post/…
	noContent  bool        // a typed handler whose Out is struct{}
	doc        RouteDoc
	requires   []Resolver
	router     *Router
	app        *App
	mount      bool
	compiled   HandlerFunc
	// optionsCompiled answers automatic OPTIONS requests through the same
	// router and route middleware.
	optionsCompiled HandlerFunc
}

// ParamInfo describes a path parameter of a route.
type ParamInfo struct {
	Name      string
	Converter string // "str", "int", "float", "uuid", "slug", "path" or a registered name
}

// RouteOption configures a route at registration.
type RouteOption func(*Route)

// Name names the route for URLFor. Inside a named router the full name is
// "router.name".
func Name(name string) RouteOption { return func(r *Route) { r.name = name } }

// WithMiddleware adds route-level middleware; it runs inside the app's and
// the routers' middleware, the first listed outermost.
func WithMiddleware(mw ...Middleware) RouteOption {
	return func(r *Route) { r.middleware = append(r.middleware, mw...) }
}

// Tags adds OpenAPI tags to the route.
func Tags(tags ...string) RouteOption {
	return func(r *Route) { r.tags = append(r.tags, tags...) }
}

// Methods returns the route's methods ("*" for a mounted handler).
func (r *Route) Methods() []string { return slices.Clone(r.methods) }

// Pattern returns the full path pattern, router prefixes included.
func (r *Route) Pattern() string { return r.pattern }

// Name returns the route's full name, or "".
func (r *Route) Name() string { return r.name }

// Params returns the route's path parameters in order.
func (r *Route) Params() []ParamInfo { return slices.Clone(r.params) }

// Tags returns the route's tags, the routers' tags first.
func (r *Route) Tags() []string {
	var tags []string
	for x := r.router; x != nil; x = x.parent {
		tags = append(slices.Clone(x.tags), tags...)
	}
	for _, t := range r.tags {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	return tags
}

// IsMount reports whether the route serves a mounted http.Handler.
func (r *Route) IsMount() bool { return r.mount }

// SuccessStatus returns the status the route's handler answers with on
// success, as far as the route knows it: the Status option, else for a
// typed handler 204 when its output is struct{} and 200 otherwise. It is
// 0 for a plain handler without a Status option, whose handler decides.
func (r *Route) SuccessStatus() int {
	switch {
	case r.status != 0:
		return r.status
	case r.noContent:
		return http.StatusNoContent
	case r.typed:
		return http.StatusOK
	}
	return 0
}

// Router returns the router the route was registered on.
func (r *Route) Router() *Router { return r.router }

// Middleware returns the middleware that run around the route's handler,
// outermost first: the app's (Pre, then Use), its routers' from the
// outermost, then its own (WithMiddleware). It serves route listings,
// which name each middleware after the function that made it.
func (r *Route) Middleware() []Middleware {
	var routers []*Router
	for x := r.router; x != nil; x = x.parent {
		routers = append(routers, x)
	}
	var out []Middleware
	if r.app != nil {
		out = append(out, r.app.pre...)
	}
	for i := len(routers) - 1; i >= 0; i-- {
		out = append(out, routers[i].middleware...)
	}
	return append(out, r.middleware...)
}

// compile composes router and route middleware around the handler, the
// outermost router first.
func (r *Route) compile() {
	var routers []*Router
	var requires []Resolver
	for x := r.router; x != nil; x = x.parent {
		requires = append(append([]Resolver(nil), x.requires...), requires...)
		if x.app == nil { // the root router's middleware is the app's, run for every request
			routers = append(routers, x)
		}
	}
	requires = append(requires, r.requires...)
	wrap := func(h HandlerFunc) HandlerFunc {
		h = chain(r.middleware, h)
		for _, x := range routers { // innermost first, so the outermost wraps last
			h = chain(x.middleware, h)
		}
		return h
	}
	handler := r.handler
	if len(requires) > 0 {
		handler = requiresMiddleware(requires)(handler)
	}
	r.compiled = wrap(handler)
	r.optionsCompiled = wrap(autoOptions)
}

// Routes lists every registered route, in registration order per router.
func (a *App) Routes() []*Route { return a.allRoutes(nil) }

// ErrRouteNotFound is returned by URLFor for an unknown route name.
var ErrRouteNotFound = errors.New("nexios: no route with that name")

// URLFor builds the path of the named route with its parameters filled in
// and escaped. Every parameter must be given, and each value must satisfy
// the parameter's converter.
//
//	app.URLFor("get_item", map[string]any{"item_id": 42}) // "/api/items/42"
func (a *App) URLFor(name string, params map[string]any) (string, error) {
	var rt *Route
	for _, r := range a.allRoutes(nil) {
		if r.name == name && r.app == a {
			rt = r
			break
		}
	}
	if rt == nil {
		return "", fmt.Errorf("%w: %q", ErrRouteNotFound, name)
	}
	for k := range params {
		if !slices.ContainsFunc(rt.params, func(p ParamInfo) bool { return p.Name == k }) {
			return "", fmt.Errorf("nexios: route %q has no parameter %q", name, k)
		}
	}
	var b strings.Builder
	parts := strings.Split(rt.pattern[1:], "/")
	pi := 0
	for _, part := range parts {
		b.WriteByte('/')
		if !strings.HasPrefix(part, "{") {
			b.WriteString(part)
			continue
		}
		info := rt.params[pi]
		pi++
		v, ok := params[info.Name]
		if !ok {
			return "", fmt.Errorf("nexios: route %q needs parameter %q", name, info.Name)
		}
		s := formatParam(v)
		if err := a.checkParam(info, s); err != nil {
			return "", fmt.Errorf("nexios: route %q: %w", name, err)
		}
		if info.Converter == "path" {
			segs := strings.Split(s, "/")
			for i, seg := range segs {
				segs[i] = url.PathEscape(seg)
			}
			b.WriteString(strings.Join(segs, "/"))
		} else {
			b.WriteString(url.PathEscape(s))
		}
	}
	return b.String(), nil
}

func (a *App) checkParam(info ParamInfo, s string) error {
	switch info.Converter {
	case "path":
		return nil
	case "str":
		if s == "" {
			return fmt.Errorf("parameter %q must not be empty", info.Name)
		}
		return nil
	}
	if c, ok := a.converters[info.Converter]; ok && !c.Match(s) {
		return fmt.Errorf("parameter %q: %q is not a valid %s", info.Name, s, info.Converter)
	}
	return nil
}

func formatParam(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}
