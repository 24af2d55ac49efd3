package nexios_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
)

// echoParams answers with the route pattern and its parameters.
func echoParams(req *nexios.Request, res *nexios.Response) error {
	return res.JSON(map[string]any{"pattern": req.Pattern(), "params": req.PathParams()})
}

func TestRoutingPriorityAndConverters(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	for _, p := range []string{
		"/items/new",
		"/items/{id:int}",
		"/items/{id:uuid}",
		"/items/{name}",
		"/items/{rest:path}",
		"/prices/{p:float}",
		"/posts/{s:slug}",
		"/",
	} {
		app.Get(p, echoParams)
	}
	cases := []struct {
		path, pattern string
		params        map[string]any
	}{
		{"/items/new", "/items/new", map[string]any{}},
		{"/items/42", "/items/{id:int}", map[string]any{"id": "42"}},
		{"/items/123e4567-e89b-12d3-a456-426614174000", "/items/{id:uuid}", map[string]any{"id": "123e4567-e89b-12d3-a456-426614174000"}},
		{"/items/widget", "/items/{name}", map[string]any{"name": "widget"}},
		{"/items/a/b/c.txt", "/items/{rest:path}", map[string]any{"rest": "a/b/c.txt"}},
		{"/items/99999999999999999999", "/items/{name}", map[string]any{"name": "99999999999999999999"}}, // overflows int64
		{"/items/-1", "/items/{name}", map[string]any{"name": "-1"}},
		{"/prices/19.99", "/prices/{p:float}", map[string]any{"p": "19.99"}},
		{"/posts/hello-world-2", "/posts/{s:slug}", map[string]any{"s": "hello-world-2"}},
		{"/items/caf%C3%A9", "/items/{name}", map[string]any{"name": "café"}},
		{"/items/a%2Fb", "/items/{name}", map[string]any{"name": "a/b"}},
		{"/items/hello%20world", "/items/{name}", map[string]any{"name": "hello world"}},
		{"/", "/", map[string]any{}},
	}
	for _, c := range cases {
		w := call(t, app, "GET", c.path, "")
		if w.Code != 200 {
			t.Errorf("GET %s: status %d body %s", c.path, w.Code, w.Body)
			continue
		}
		got := decode(t, w)
		if got["pattern"] != c.pattern {
			t.Errorf("GET %s: pattern %v, want %s", c.path, got["pattern"], c.pattern)
		}
		params := got["params"].(map[string]any)
		if len(params) != len(c.params) {
			t.Errorf("GET %s: params %v, want %v", c.path, params, c.params)
		}
		for k, v := range c.params {
			if params[k] != v {
				t.Errorf("GET %s: param %s = %v, want %v", c.path, k, params[k], v)
			}
		}
	}
	// Converter mismatches do not match: 404.
	for _, p := range []string{"/prices/abc", "/prices/1.", "/posts/Hello", "/posts/a--b", "/posts/-a", "/nope"} {
		if w := call(t, app, "GET", p, ""); w.Code != 404 {
			t.Errorf("GET %s: status %d, want 404", p, w.Code)
		}
	}
}

func TestMethodHandling(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Get("/r", text("get"))
	app.Post("/r", text("post"))
	app.Route([]string{"put", "PATCH"}, "/r", text("put-or-patch"))
	app.Options("/custom-options", text("mine"))
	app.Head("/head-only", func(_ *nexios.Request, res *nexios.Response) error {
		res.Header().Set("X-Head", "yes")
		return res.NoContent()
	})
	cases := []struct {
		method, path string
		status       int
		body, allow  string
	}{
		{"GET", "/r", 200, "get", ""},
		{"POST", "/r", 200, "post", ""},
		{"PUT", "/r", 200, "put-or-patch", ""},
		{"PATCH", "/r", 200, "put-or-patch", ""},
		{"HEAD", "/r", 200, "get", ""}, // the recorder keeps the body; net/http drops it on the wire
		{"DELETE", "/r", 405, "", "GET, HEAD, POST, PUT, PATCH, OPTIONS"},
		{"OPTIONS", "/r", 204, "", "GET, HEAD, POST, PUT, PATCH, OPTIONS"},
		{"OPTIONS", "/custom-options", 200, "mine", ""},
		{"GET", "/head-only", 405, "", "HEAD, OPTIONS"},
		{"HEAD", "/head-only", 204, "", ""},
		{"OPTIONS", "/missing", 404, "", ""},
	}
	for _, c := range cases {
		w := call(t, app, c.method, c.path, "")
		if w.Code != c.status {
			t.Errorf("%s %s: status %d, want %d", c.method, c.path, w.Code, c.status)
		}
		if c.body != "" && w.Body.String() != c.body {
			t.Errorf("%s %s: body %q, want %q", c.method, c.path, w.Body, c.body)
		}
		if got := w.Header().Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
		if c.status >= 400 && !strings.HasPrefix(w.Header().Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s %s: error content type %q", c.method, c.path, w.Header().Get("Content-Type"))
		}
	}
}

func TestCustomNotFoundAndMethodNotAllowed(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Get("/x", text("x"))
	app.NotFound(func(req *nexios.Request, res *nexios.Response) error {
		return res.Status(404).JSON(map[string]string{"error": "nothing at " + req.URL().Path})
	})
	app.MethodNotAllowed(func(_ *nexios.Request, res *nexios.Response) error {
		return res.Status(405).Text("no")
	})
	if w := call(t, app, "GET", "/y", ""); w.Code != 404 || decode(t, w)["error"] != "nothing at /y" {
		t.Errorf("404: %d %s", w.Code, w.Body)
	}
	if w := call(t, app, "POST", "/x", ""); w.Code != 405 || w.Body.String() != "no" || w.Header().Get("Allow") == "" {
		t.Errorf("405: %d %s %v", w.Code, w.Body, w.Header())
	}
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Get("/a", text("a"))
	app.Get("/b/", text("b"))
	app.Post("/c", text("c"))
	cases := []struct {
		method, path string
		status       int
		location     string
	}{
		{"GET", "/a/", 301, "/a"},
		{"GET", "/b", 301, "/b/"},
		{"POST", "/c/", 308, "/c"},
		{"GET", "/a/?q=1", 301, "/a?q=1"},
		{"GET", "//a", 301, "/a"},
		{"GET", "/x/../a", 301, "/a"},
		{"GET", "/./a", 301, "/a"},
		{"GET", "/zzz/", 404, ""},
	}
	for _, c := range cases {
		w := call(t, app, c.method, c.path, "")
		if w.Code != c.status || w.Header().Get("Location") != c.location {
			t.Errorf("%s %s: %d %q, want %d %q", c.method, c.path, w.Code, w.Header().Get("Location"), c.status, c.location)
		}
	}
	off := nexios.New(nexios.Config{DisableTrailingSlashRedirect: true, DisableCleanPathRedirect: true})
	off.Get("/a", text("a"))
	for _, p := range []string{"/a/", "/x/../a"} {
		if w := call(t, off, "GET", p, ""); w.Code != 404 {
			t.Errorf("disabled redirects: GET %s = %d", p, w.Code)
		}
	}
}

func TestRoutersAndMounts(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	var trail []string
	mark := func(name string) nexios.Middleware {
		return func(next nexios.HandlerFunc) nexios.HandlerFunc {
			return func(req *nexios.Request, res *nexios.Response) error {
				trail = append(trail, name)
				return next(req, res)
			}
		}
	}
	api := nexios.NewRouter("/api/", nexios.RouterName("api"), nexios.RouterTags("api"))
	api.Use(mark("api"))
	api.Get("/", text("api root"))
	v1 := nexios.NewRouter("/v1", nexios.RouterName("v1"))
	v1.Get("/users/{id:int}", echoParams, nexios.Name("user"), nexios.Tags("users"), nexios.WithMiddleware(mark("route")))
	api.Mount(v1)
	app.Mount(api)
	v1.Use(mark("v1")) // added after mounting: still applies
	v1.Get("/late", text("late"))

	static := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("static:" + r.URL.Path + ":" + r.Pattern))
	})
	app.MountHandler("/static", static)
	app.Get("/static/override", text("override"))

	cases := []struct {
		path   string
		status int
		body   string
	}{
		{"/api", 200, "api root"},
		{"/api/", 301, ""},
		{"/api/v1/late", 200, "late"},
		{"/apiary", 404, ""},
		{"/static", 200, "static:/:/static"},
		{"/static/css/site.css", 200, "static:/css/site.css:/static"},
		{"/static/override", 200, "override"},
		{"/staticx", 404, ""},
	}
	for _, c := range cases {
		w := call(t, app, "GET", c.path, "")
		if w.Code != c.status || (c.body != "" && w.Body.String() != c.body) {
			t.Errorf("GET %s: %d %q, want %d %q", c.path, w.Code, w.Body, c.status, c.body)
		}
	}
	trail = nil
	w := call(t, app, "GET", "/api/v1/users/7", "")
	if w.Code != 200 || decode(t, w)["pattern"] != "/api/v1/users/{id:int}" {
		t.Fatalf("nested route: %d %s", w.Code, w.Body)
	}
	if got := strings.Join(trail, ","); got != "api,v1,route" {
		t.Errorf("middleware order %s", got)
	}
	if u, err := app.URLFor("api.v1.user", map[string]any{"id": 7}); err != nil || u != "/api/v1/users/7" {
		t.Errorf("URLFor = %q, %v", u, err)
	}
	var found bool
	for _, rt := range app.Routes() {
		if rt.Name() == "api.v1.user" {
			found = true
			if got := strings.Join(rt.Tags(), ","); got != "api,users" {
				t.Errorf("tags %s", got)
			}
			if ps := rt.Params(); len(ps) != 1 || ps[0].Name != "id" || ps[0].Converter != "int" {
				t.Errorf("params %+v", ps)
			}
		}
	}
	if !found {
		t.Error("route missing from Routes()")
	}
}

func TestURLFor(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Get("/items/{id:int}/{name}", text(""), nexios.Name("item"))
	app.Get("/files/{p:path}", text(""), nexios.Name("file"))
	app.Get("/static", func(req *nexios.Request, res *nexios.Response) error {
		u, err := req.URLFor("item", map[string]any{"id": 3, "name": "a b"})
		if err != nil {
			return err
		}
		return res.Text(u)
	}, nexios.Name("static"))
	cases := []struct {
		name   string
		params map[string]any
		want   string
		ok     bool
	}{
		{"item", map[string]any{"id": 5, "name": "x/y"}, "/items/5/x%2Fy", true},
		{"file", map[string]any{"p": "a b/c"}, "/files/a%20b/c", true},
		{"static", nil, "/static", true},
		{"item", map[string]any{"id": "abc", "name": "x"}, "", false},
		{"item", map[string]any{"id": 1}, "", false},
		{"item", map[string]any{"id": 1, "name": "x", "extra": 1}, "", false},
		{"nope", nil, "", false},
	}
	for _, c := range cases {
		got, err := app.URLFor(c.name, c.params)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("URLFor(%s, %v) = %q, %v", c.name, c.params, got, err)
		}
	}
	if _, err := app.URLFor("nope", nil); !errors.Is(err, nexios.ErrRouteNotFound) {
		t.Errorf("unknown name error %v", err)
	}
	if w := call(t, app, "GET", "/static", ""); w.Body.String() != "/items/3/a%20b" {
		t.Errorf("req.URLFor: %s", w.Body)
	}
}

func TestRegistrationErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup func(app *nexios.App)
		want  []string
	}{
		{"conflict", func(app *nexios.App) {
			app.Get("/users/{id}", text(""))
			app.Get("/users/{name}", text(""))
		}, []string{"/users/{name}", "/users/{id}"}},
		{"typed conflict across routers", func(app *nexios.App) {
			app.Get("/api/{id:int}", text(""))
			r := nexios.NewRouter("/api")
			r.Get("/{n:int}", text(""))
			app.Mount(r)
		}, []string{"/api/{n:int}", "/api/{id:int}"}},
		{"unknown converter", func(app *nexios.App) { app.Get("/x/{id:nope}", text("")) }, []string{"unknown converter"}},
		{"bad segment", func(app *nexios.App) { app.Get("/x/a{id}", text("")) }, []string{"exactly one"}},
		{"duplicate name", func(app *nexios.App) {
			app.Get("/a", text(""), nexios.Name("n"))
			app.Get("/b", text(""), nexios.Name("n"))
		}, []string{"already used"}},
		{"nil handler", func(app *nexios.App) { app.Get("/a", nil) }, []string{"nil handler"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			v := mustPanic(t, func() { c.setup(nexios.New(nexios.Config{})) })
			re, ok := v.(*nexios.RouteError)
			if !ok {
				t.Fatalf("panic value %T %v, want *RouteError", v, v)
			}
			for _, w := range c.want {
				if !strings.Contains(re.Error(), w) {
					t.Errorf("error %q does not mention %q", re, w)
				}
			}
		})
	}
	app := nexios.New(nexios.Config{})
	app.Get("/a", text("a"))
	call(t, app, "GET", "/a", "")
	mustPanic(t, func() { app.Get("/b", text("b")) })
}

func TestCustomConverter(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	err := app.RegisterConverter("hex", nexios.Converter{Match: func(s string) bool {
		return strings.Trim(s, "0123456789abcdef") == ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"int", "str", "path", "hex", ""} {
		if app.RegisterConverter(name, nexios.Converter{Match: func(string) bool { return true }}) == nil {
			t.Errorf("registering %q again succeeded", name)
		}
	}
	if app.RegisterConverter("nomatch", nexios.Converter{}) == nil {
		t.Error("converter without Match accepted")
	}
	app.Get("/color/{c:hex}", echoParams)
	if w := call(t, app, "GET", "/color/ff00aa", ""); w.Code != 200 {
		t.Errorf("hex: %d", w.Code)
	}
	if w := call(t, app, "GET", "/color/zz", ""); w.Code != 404 {
		t.Errorf("non-hex: %d", w.Code)
	}
}

func TestStdlibInterop(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Get("/users/{id:int}/files/{p:path}", nexios.WrapHandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.Pattern + "|" + r.PathValue("id") + "|" + r.PathValue("p")))
	}))
	w := call(t, app, "GET", "/users/9/files/a/b", "")
	if w.Body.String() != "/users/{id:int}/files/{p:path}|9|a/b" {
		t.Errorf("got %q", w.Body)
	}
}

func TestAutoOptionsRunsRouteMiddleware(t *testing.T) {
	t.Parallel()
	tr := &trail{}
	app := nexios.New(nexios.Config{})
	api := nexios.NewRouter("/api")
	api.Use(tr.mw("router"))
	api.Get("/items/{id:int}", text("item"), nexios.WithMiddleware(tr.mw("route")))
	app.Mount(api)
	preflight := func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			if req.Method() == http.MethodOptions {
				res.Header().Set("X-Preflight", req.Pattern())
				return res.NoContent()
			}
			return next(req, res)
		}
	}
	app.Get("/cors", text("x"), nexios.WithMiddleware(preflight))
	w := call(t, app, "OPTIONS", "/api/items/3", "")
	if w.Code != 204 || w.Header().Get("Allow") != "GET, HEAD, OPTIONS" || tr.take() != "router>,route>,<route,<router" {
		t.Errorf("auto OPTIONS: %d %v", w.Code, w.Header())
	}
	w = call(t, app, "OPTIONS", "/cors", "")
	if w.Code != 204 || w.Header().Get("X-Preflight") != "/cors" {
		t.Errorf("route-level preflight: %d %v", w.Code, w.Header())
	}
	// Other methods that do not match never run route middleware.
	call(t, app, "DELETE", "/api/items/3", "")
	if got := tr.take(); got != "" {
		t.Errorf("405 ran route middleware: %s", got)
	}
}
