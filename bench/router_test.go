package bench

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
)

// Router benchmarks on the GitHub v3 API (203 routes), in the style of the
// classic go-http-routing-benchmark: every route has a handler that does
// nothing, and each benchmark calls the router's ServeHTTP with a pre-built
// request and a reusable no-op ResponseWriter. Sub-benchmarks are named
// after the framework (BenchmarkGitHubAll/gin) so benchstat lines them up.

const (
	staticPath   = "/user/repos"          // GET, no params
	paramRoute   = "/users/{user}"        // GET, exactly one param
	param5Route  = "/{a}/{b}/{c}/{d}/{e}" // the only route of its router
	param5Target = "/test/test/test/test/test"
)

var param5Routes = []route{{Method: "GET", Path: param5Route, Params: []string{"a", "b", "c", "d", "e"}}}

// Routers with no-op handlers, built once per framework and route set.
var (
	routerCacheMu sync.Mutex
	routerCache   = map[string]http.Handler{}
)

func cachedRouter(tb testing.TB, set string, impl routerImpl, routes []route) http.Handler {
	tb.Helper()
	routerCacheMu.Lock()
	defer routerCacheMu.Unlock()
	key := set + "/" + impl.name
	if h, ok := routerCache[key]; ok {
		return h
	}
	h := impl.build(routes, nil)
	routerCache[key] = h
	return h
}

func githubRouter(tb testing.TB, impl routerImpl) http.Handler {
	return cachedRouter(tb, "github", impl, githubRoutes(tb))
}

func param5Router(tb testing.TB, impl routerImpl) http.Handler {
	return cachedRouter(tb, "param5", impl, param5Routes)
}

// paramTarget is the request path for the one-param benchmark.
func paramTarget(tb testing.TB) string {
	tb.Helper()
	for _, rt := range githubRoutes(tb) {
		if rt.Method == "GET" && rt.Path == paramRoute {
			if len(rt.Params) != 1 {
				tb.Fatalf("%s has %d params, want 1", rt, len(rt.Params))
			}
			return rt.samplePath() // /users/gordon
		}
	}
	tb.Fatalf("GET %s is not in github-routes.txt", paramRoute)
	return ""
}

func benchRequest(b *testing.B, h http.Handler, r *http.Request) {
	w := newDiscardWriter()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		h.ServeHTTP(w, r)
	}
}

func BenchmarkGitHubStatic(b *testing.B) {
	for _, impl := range routerImpls {
		b.Run(impl.name, func(b *testing.B) {
			benchRequest(b, githubRouter(b, impl), newRequest("GET", staticPath))
		})
	}
}

func BenchmarkGitHubParam(b *testing.B) {
	for _, impl := range routerImpls {
		b.Run(impl.name, func(b *testing.B) {
			benchRequest(b, githubRouter(b, impl), newRequest("GET", paramTarget(b)))
		})
	}
}

func BenchmarkParam5(b *testing.B) {
	for _, impl := range routerImpls {
		b.Run(impl.name, func(b *testing.B) {
			benchRequest(b, param5Router(b, impl), newRequest("GET", param5Target))
		})
	}
}

// BenchmarkGitHubAll requests each of the 203 routes once per iteration.
func BenchmarkGitHubAll(b *testing.B) {
	routes := githubRoutes(b)
	reqs := make([]*http.Request, len(routes))
	for i, rt := range routes {
		reqs[i] = newRequest(rt.Method, rt.samplePath())
	}
	for _, impl := range routerImpls {
		b.Run(impl.name, func(b *testing.B) {
			h := githubRouter(b, impl)
			w := newDiscardWriter()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				for _, r := range reqs {
					h.ServeHTTP(w, r)
				}
			}
		})
	}
}

// matcher builds impl's router for routes with handlers that record which
// route served a request and what it bound to each parameter.
type matcher struct {
	t      *testing.T
	routes []route
	h      http.Handler
	index  int
	params []string
}

func newMatcher(t *testing.T, impl routerImpl, routes []route) *matcher {
	m := &matcher{t: t, routes: routes}
	m.h = impl.build(routes, func(i int, param func(string) string) {
		if m.index != -1 {
			t.Errorf("route %d called after route %d for one request", i, m.index)
		}
		m.index = i
		m.params = m.params[:0]
		for _, name := range routes[i].Params {
			m.params = append(m.params, param(name))
		}
	})
	return m
}

// serve sends method target and returns the index of the route whose
// handler ran (-1 for none) and the parameters it saw.
func (m *matcher) serve(method, target string) (int, []string) {
	m.index, m.params = -1, m.params[:0]
	m.h.ServeHTTP(httptest.NewRecorder(), newRequest(method, target))
	return m.index, m.params
}

func (m *matcher) expect(method, target string, want int, wantParams []string) {
	m.t.Helper()
	got, params := m.serve(method, target)
	switch {
	case got != want && want == -1:
		m.t.Errorf("%s %s: served by %s, want no route", method, target, m.routes[got])
	case got != want && got == -1:
		m.t.Errorf("%s %s: no route ran, want %s", method, target, m.routes[want])
	case got != want:
		m.t.Errorf("%s %s: served by %s, want %s", method, target, m.routes[got], m.routes[want])
	case want != -1 && !slices.Equal(params, wantParams):
		m.t.Errorf("%s %s (%s): params %q, want %q", method, target, m.routes[want], params, wantParams)
	}
}

// TestRoutesMatch checks that every framework sends every GitHub route to
// its own handler with the right parameters, and that requests matching no
// route reach no handler — so a fast but wrong router cannot win.
func TestRoutesMatch(t *testing.T) {
	routes := githubRoutes(t)
	for _, impl := range routerImpls {
		t.Run(impl.name, func(t *testing.T) {
			m := newMatcher(t, impl, routes)
			for i, rt := range routes {
				var want []string
				for _, p := range rt.Params {
					want = append(want, sampleValue(p))
				}
				m.expect(rt.Method, rt.samplePath(), i, want)
			}
			// Requests no route matches: unknown paths, a segment too many or
			// too few, a method not in the set, a method the path lacks.
			for _, r := range [][2]string{
				{"GET", "/nope"},
				{"GET", "/user/nope"},
				{"GET", "/users/gordon/nope"},
				{"GET", "/users/gordon/repos/extra"},
				{"GET", "/repos/octocat"},
				{"GET", "/legacy/issues/search/o/r/s"},
				{"PATCH", "/user/repos"},
				{"PUT", "/users/gordon"},
				{"DELETE", "/events"},
			} {
				m.expect(r[0], r[1], -1, nil)
			}

			p5 := newMatcher(t, impl, param5Routes)
			p5.expect("GET", param5Target, 0, []string{"test", "test", "test", "test", "test"})
			p5.expect("GET", "/1/2/3/4/5", 0, []string{"1", "2", "3", "4", "5"})
			p5.expect("GET", "/1/2/3/4", -1, nil)
			if impl.name == "echo" {
				// Echo puts the rest of the path into a trailing parameter
				// when nothing else matches (labstack/echo#2501, by design).
				p5.expect("GET", "/1/2/3/4/5/6", 0, []string{"1", "2", "3", "4", "5/6"})
			} else {
				p5.expect("GET", "/1/2/3/4/5/6", -1, nil)
			}
		})
	}
}

// TestBenchmarkRouters checks that the no-op routers the benchmarks time
// answer every benchmark request with a success status (not 404 or 405).
func TestBenchmarkRouters(t *testing.T) {
	routes := githubRoutes(t)
	for _, impl := range routerImpls {
		t.Run(impl.name, func(t *testing.T) {
			check := func(h http.Handler, method, target string) {
				t.Helper()
				w := httptest.NewRecorder()
				h.ServeHTTP(w, newRequest(method, target))
				if w.Code >= 300 {
					t.Errorf("%s %s: status %d", method, target, w.Code)
				}
			}
			gh := githubRouter(t, impl)
			check(gh, "GET", staticPath)
			check(gh, "GET", paramTarget(t))
			for _, rt := range routes {
				check(gh, rt.Method, rt.samplePath())
			}
			check(param5Router(t, impl), "GET", param5Target)
		})
	}
}
