package nexios_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
)

// permute calls f with every ordering of items (Heap's algorithm).
func permute[T any](items []T, f func([]T)) {
	a := append([]T(nil), items...)
	c := make([]int, len(a))
	f(a)
	for i := 0; i < len(a); {
		if c[i] < i {
			if i%2 == 0 {
				a[0], a[i] = a[i], a[0]
			} else {
				a[c[i]], a[i] = a[i], a[c[i]]
			}
			f(a)
			c[i]++
			i = 0
		} else {
			c[i] = 0
			i++
		}
	}
}

// recorder is a minimal ResponseWriter: the test serves about a hundred
// thousand requests, and httptest.ResponseRecorder would dominate its time.
type recorder struct {
	h    http.Header
	code int
	body []byte
}

func (w *recorder) Header() http.Header { return w.h }
func (w *recorder) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *recorder) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.body = append(w.body, b...)
	return len(b), nil
}

// outcome is what a request got: the body of a 200 (the pattern that served
// it and its parameters), or the status and the Location or Allow header.
func outcome(app http.Handler, r *http.Request) string {
	w := &recorder{h: http.Header{}}
	app.ServeHTTP(w, r)
	switch {
	case w.code == http.StatusOK:
		return string(w.body)
	case w.h.Get("Location") != "":
		return http.StatusText(w.code) + " → " + w.h.Get("Location")
	case w.h.Get("Allow") != "":
		return http.StatusText(w.code) + " Allow: " + w.h.Get("Allow")
	}
	return http.StatusText(w.code)
}

// TestPrecedenceIsOrderIndependent registers overlapping routes in every
// possible order and checks that every request gets the same route, with
// the same parameters, whatever the order: the seven routes that compete
// for one segment in all 5,040 orders, and two deeper routes (which make
// the lookup backtrack) inserted among them at every pair of positions in
// turn.
func TestPrecedenceIsOrderIndependent(t *testing.T) {
	t.Parallel()
	routes := []string{
		"/v/static",
		"/v/{v:int}",
		"/v/{v:float}",
		"/v/{v:uuid}",
		"/v/{v:slug}",
		"/v/{v}",
		"/v/{v:path}",
	}
	deeper := []string{"/v/{a:int}/x", "/v/{a}/y"}
	cases := []struct{ method, target, want string }{
		{"GET", "/v/static", "/v/static "},
		{"GET", "/v/42", "/v/{v:int} 42"},
		{"GET", "/v/0", "/v/{v:int} 0"},
		{"GET", "/v/4.2", "/v/{v:float} 4.2"},
		{"GET", "/v/99999999999999999999", "/v/{v:float} 99999999999999999999"}, // too big for int64
		{"GET", "/v/123e4567-e89b-12d3-a456-426614174000", "/v/{v:uuid} 123e4567-e89b-12d3-a456-426614174000"}, // also a slug
		{"GET", "/v/123E4567-E89B-12D3-A456-426614174000", "/v/{v:uuid} 123E4567-E89B-12D3-A456-426614174000"},
		{"GET", "/v/hello-world", "/v/{v:slug} hello-world"},
		{"GET", "/v/1e5", "/v/{v:slug} 1e5"},
		{"GET", "/v/Hello", "/v/{v} Hello"},
		{"GET", "/v/-1", "/v/{v} -1"},
		{"GET", "/v/4.2.1", "/v/{v} 4.2.1"},
		{"GET", "/v/a%2Fb", "/v/{v} a/b"},
		{"GET", "/v/a/b", "/v/{v:path} a/b"},
		{"GET", "/v/", "/v/{v:path} "},
		{"GET", "/v", "Moved Permanently → /v/"},
		{"GET", "/v//42", "Moved Permanently → /v/42"},
		{"POST", "/v/42", "Method Not Allowed Allow: GET, HEAD, OPTIONS"},
		{"HEAD", "/v/42", "/v/{v:int} 42"},
		{"GET", "/v/42/x", "/v/{a:int}/x 42"},
		{"GET", "/v/42/y", "/v/{a}/y 42"},         // backtracks past int, float and slug
		{"GET", "/v/static/y", "/v/{a}/y static"}, // backtracks past the static segment
		{"GET", "/v/abc/y", "/v/{a}/y abc"},
		{"GET", "/v/abc/x", "/v/{v:path} abc/x"},
		{"GET", "/v/4.2/x", "/v/{v:path} 4.2/x"},
		{"GET", "/v/42/x/z", "/v/{v:path} 42/x/z"},
		{"GET", "/v/42/x/", "/v/{v:path} 42/x/"},
	}
	reqs := make([]*http.Request, len(cases))
	for i, c := range cases {
		reqs[i] = httptest.NewRequest(c.method, c.target, nil)
	}
	handler := func(req *nexios.Request, res *nexios.Response) error {
		var vals []string
		for _, p := range req.Route().Params() {
			vals = append(vals, req.Path(p.Name))
		}
		return res.Text(req.Pattern() + " " + strings.Join(vals, ","))
	}
	orders := 0
	permute(routes, func(perm []string) {
		if t.Failed() {
			return
		}
		order := slices.Insert(slices.Clone(perm), orders%(len(perm)+1), deeper[0])
		order = slices.Insert(order, orders/(len(perm)+1)%(len(order)+1), deeper[1])
		orders++
		app := nexios.New(nexios.Config{})
		for _, p := range order {
			app.Get(p, handler)
		}
		for i, c := range cases {
			if got := outcome(app, reqs[i]); got != c.want {
				t.Errorf("routes registered as %q: %s %s = %q, want %q", order, c.method, c.target, got, c.want)
			}
		}
	})
	if orders != 5040 {
		t.Errorf("%d orders, want 7! = 5040", orders)
	}
}

func isHexSegment(s string) bool {
	return s != "" && strings.Trim(s, "0123456789abcdef") == ""
}

// TestConverterRank checks that a custom converter is tried after the
// built-ins by default, before them with a lower rank, and that two
// converters of equal rank at one position are refused in either order,
// naming both routes.
func TestConverterRank(t *testing.T) {
	t.Parallel()
	get := func(app *nexios.App, target string) string {
		return outcome(app, httptest.NewRequest("GET", target, nil))
	}
	h := func(req *nexios.Request, res *nexios.Response) error { return res.Text(req.Pattern()) }

	app := nexios.New(nexios.Config{})
	if err := app.RegisterConverter("hex", nexios.Converter{Match: isHexSegment}); err != nil {
		t.Fatal(err)
	}
	if c, _ := app.Converter("hex"); c.Rank != nexios.DefaultConverterRank {
		t.Errorf("default rank %d, want %d", c.Rank, nexios.DefaultConverterRank)
	}
	app.Get("/c/{c:hex}", h)
	app.Get("/c/{c:int}", h)
	app.Get("/c/{c:slug}", h)
	for target, want := range map[string]string{"/c/123": "/c/{c:int}", "/c/ff": "/c/{c:slug}", "/c/f-f": "/c/{c:slug}"} {
		if got := get(app, target); got != want {
			t.Errorf("default rank: GET %s = %q, want %q", target, got, want)
		}
	}

	app = nexios.New(nexios.Config{})
	if err := app.RegisterConverter("hex", nexios.Converter{Match: isHexSegment, Rank: 50}); err != nil {
		t.Fatal(err)
	}
	app.Get("/c/{c:int}", h)
	app.Get("/c/{c:hex}", h)
	for target, want := range map[string]string{"/c/123": "/c/{c:hex}", "/c/ff": "/c/{c:hex}", "/c/f-f": "Not Found"} {
		if got := get(app, target); got != want {
			t.Errorf("rank 50: GET %s = %q, want %q", target, got, want)
		}
	}

	for _, order := range [][2]string{{"/a/{x:hex}/b", "/a/{y:oct}"}, {"/a/{y:oct}", "/a/{x:hex}/b"}} {
		app := nexios.New(nexios.Config{})
		for _, name := range []string{"hex", "oct"} {
			if err := app.RegisterConverter(name, nexios.Converter{Match: isHexSegment}); err != nil {
				t.Fatal(err)
			}
		}
		app.Get(order[0], h)
		v := mustPanic(t, func() { app.Post(order[1], h) })
		re, ok := v.(*nexios.RouteError)
		if !ok {
			t.Fatalf("panic %T %v, want *RouteError", v, v)
		}
		if re.Pattern != order[1] || re.Existing != order[0] {
			t.Errorf("RouteError pattern %q existing %q, want %q and %q", re.Pattern, re.Existing, order[1], order[0])
		}
		for _, want := range []string{order[0], order[1], "same rank"} {
			if !strings.Contains(re.Error(), want) {
				t.Errorf("error %q does not mention %q", re, want)
			}
		}
		if got := get(app, "/a/ff/b"); got != order[0] && order[0] == "/a/{x:hex}/b" {
			t.Errorf("the refused route changed routing: %q", got)
		}
	}

	// A custom converter may not take a built-in's rank either.
	app = nexios.New(nexios.Config{})
	if err := app.RegisterConverter("digits", nexios.Converter{Match: isHexSegment, Rank: 100}); err != nil {
		t.Fatal(err)
	}
	app.Get("/d/{n:int}", h)
	mustPanic(t, func() { app.Get("/d/{n:digits}", h) })
}
