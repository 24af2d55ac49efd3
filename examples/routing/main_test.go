package main

import (
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/openapi/openapitest"
	"github.com/nexios-go/nexios/testclient"
)

const notFound = `{"type":"about:blank","title":"Not Found","status":404,"detail":"no route matches GET `

func TestRoutes(t *testing.T) {
	t.Parallel()
	app := newApp()
	c := openapitest.Client(t, app, testclient.WithoutRedirects())
	// An OpenAPI path parameter cannot be empty (kin-openapi, like most
	// tools, reads "" as missing), so the empty {wildcard_path:path} is
	// sent through the plain client.
	plain := testclient.New(app, testclient.WithoutRedirects())

	// Handlers answer with maps, which encoding/json writes with sorted keys:
	// {"type":"path","wildcard_path":...}. JSON objects are unordered, so
	// this is the seed's document.
	cases := []struct {
		name      string
		path      string
		status    int
		body      string
		location  string
		unchecked bool // through plain, not c
	}{
		{name: "int", path: "/products/42", status: http.StatusOK, body: `{"product_id":42,"type":"integer"}`},
		{name: "static beats int", path: "/products/featured", status: http.StatusOK, body: `{"featured":[1,2,3]}`},
		{name: "not an int", path: "/products/abc", status: http.StatusNotFound, body: notFound + `/products/abc"}`},
		{name: "str", path: "/categories/books", status: http.StatusOK, body: `{"category_name":"books","type":"string"}`},
		{name: "str is decoded", path: "/categories/home%20garden", status: http.StatusOK, body: `{"category_name":"home garden","type":"string"}`},
		{name: "str is one segment", path: "/categories/a/b", status: http.StatusNotFound, body: notFound + `/categories/a/b"}`},
		{name: "path", path: "/wildcard/a/b/c", status: http.StatusOK, body: `{"type":"path","wildcard_path":"a/b/c"}`},
		{name: "path, one segment", path: "/wildcard/readme.txt", status: http.StatusOK, body: `{"type":"path","wildcard_path":"readme.txt"}`},
		{name: "path may be empty", path: "/wildcard/", status: http.StatusOK, body: `{"type":"path","wildcard_path":""}`, unchecked: true},
		{name: "custom converter", path: "/archive/2024", status: http.StatusOK, body: `{"type":"year","year":2024}`},
		{name: "custom converter rejects", path: "/archive/24", status: http.StatusNotFound, body: notFound + `/archive/24"}`},
		{name: "uuid in a router", path: "/api/v1/users/0b1e5f7c-7d1a-4c55-9a36-1f0b3f1a2b3c", status: http.StatusOK,
			body: `{"pattern":"/api/v1/users/{user_id:uuid}","user_id":"0b1e5f7c-7d1a-4c55-9a36-1f0b3f1a2b3c"}`},
		{name: "not a uuid", path: "/api/v1/users/42", status: http.StatusNotFound, body: notFound + `/api/v1/users/42"}`},
		{name: "slug", path: "/api/v1/posts/hello-world", status: http.StatusOK, body: `{"slug":"hello-world"}`},
		{name: "not a slug", path: "/api/v1/posts/Hello_World", status: http.StatusNotFound, body: notFound + `/api/v1/posts/Hello_World"}`},
		{name: "links", path: "/links", status: http.StatusOK,
			body: `{"archive":"/archive/2024","post":"/api/v1/posts/hello-world","product":"/products/42",` +
				`"user":"/api/v1/users/0b1e5f7c-7d1a-4c55-9a36-1f0b3f1a2b3c"}`},
		// Redirects to the routed form (301 for GET, 308 for other methods).
		{name: "trailing slash", path: "/products/42/", status: http.StatusMovedPermanently, location: "/products/42"},
		{name: "missing slash before an empty path", path: "/wildcard", status: http.StatusMovedPermanently, location: "/wildcard/"},
		{name: "unclean path", path: "/products//7", status: http.StatusMovedPermanently, location: "/products/7"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client := c
			if tc.unchecked {
				client = plain
			}
			r := client.Get(tc.path)
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			if r.Status != tc.status {
				t.Errorf("status = %d, want %d (body %q)", r.Status, tc.status, r.Text())
			}
			if tc.location != "" {
				if got := r.Header.Get("Location"); got != tc.location {
					t.Errorf("Location = %q, want %q", got, tc.location)
				}
				return
			}
			wantCT := "application/json"
			if tc.status >= http.StatusBadRequest {
				wantCT = "application/problem+json"
			}
			if got := r.Header.Get("Content-Type"); got != wantCT {
				t.Errorf("Content-Type = %q, want %q", got, wantCT)
			}
			if got := r.Text(); got != tc.body+"\n" {
				t.Errorf("body = %q, want %q", got, tc.body+"\n")
			}
		})
	}
}

func TestRouterMiddlewareScope(t *testing.T) {
	t.Parallel()
	c := openapitest.Client(t, newApp())
	if r := c.Get("/api/v1/posts/hello"); r.Header.Get("X-API-Version") != "1" {
		t.Errorf("router route: X-API-Version = %q, want 1", r.Header.Get("X-API-Version"))
	}
	if r := c.Get("/products/1"); r.Header.Get("X-API-Version") != "" {
		t.Errorf("app route: X-API-Version = %q, want none", r.Header.Get("X-API-Version"))
	}
}

func TestURLFor(t *testing.T) {
	t.Parallel()
	app := newApp()
	cases := []struct {
		name   string
		params map[string]any
		want   string
		ok     bool
	}{
		{"get_product", map[string]any{"product_id": 7}, "/products/7", true},
		{"v1.get_post", map[string]any{"slug": "go-1-26"}, "/api/v1/posts/go-1-26", true},
		{"get_product", map[string]any{"product_id": "seven"}, "", false}, // fails the int converter
		{"get_product", nil, "", false},                                   // missing parameter
		{"get_user", map[string]any{"user_id": "x"}, "", false},           // the full name is v1.get_user
	}
	for _, tc := range cases {
		got, err := app.URLFor(tc.name, tc.params)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("URLFor(%q, %v) = %q, %v; want %q, ok=%v", tc.name, tc.params, got, err, tc.want, tc.ok)
		}
	}
	if _, err := app.URLFor("nope", nil); !errors.Is(err, nexios.ErrRouteNotFound) {
		t.Errorf("unknown name: err = %v, want ErrRouteNotFound", err)
	}
}

func TestRouteListing(t *testing.T) {
	t.Parallel()
	var user *nexios.Route
	var patterns []string
	for _, rt := range newApp().Routes() {
		patterns = append(patterns, rt.Pattern())
		if rt.Name() == "v1.get_user" {
			user = rt
		}
	}
	for _, p := range []string{"/products/{product_id:int}", "/wildcard/{wildcard_path:path}", "/api/v1/posts/{slug:slug}"} {
		if !slices.Contains(patterns, p) {
			t.Errorf("Routes() lacks %s: %v", p, patterns)
		}
	}
	if user == nil {
		t.Fatal("no route named v1.get_user")
	}
	if got := user.Tags(); !slices.Equal(got, []string{"v1"}) {
		t.Errorf("tags = %v, want [v1]", got)
	}
	if got := user.Params(); len(got) != 1 || got[0] != (nexios.ParamInfo{Name: "user_id", Converter: "uuid"}) {
		t.Errorf("params = %+v", got)
	}
}

func TestConflictPanics(t *testing.T) {
	t.Parallel()
	app := newApp()
	defer func() {
		var re *nexios.RouteError
		err, _ := recover().(error)
		if !errors.As(err, &re) || re.Existing != "/products/{product_id:int}" {
			t.Errorf("recovered %v, want a *RouteError naming the existing route", err)
		}
	}()
	// Same method, same shape: the two would match exactly the same requests.
	app.Get("/products/{id:int}", func(*nexios.Request, *nexios.Response) error { return nil })
}
