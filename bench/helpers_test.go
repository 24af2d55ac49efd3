package bench

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

// route is one line of github-routes.txt.
type route struct {
	Method string
	Path   string   // as in the file: /repos/{owner}/{repo}
	Params []string // wildcard names in order: owner, repo
}

// colonPath converts {x} segments to :x for gin, echo and httprouter.
func (r route) colonPath() string {
	segs := strings.Split(r.Path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = ":" + s[1:len(s)-1]
		}
	}
	return strings.Join(segs, "/")
}

// samplePath fills every wildcard with sampleValue(name).
func (r route) samplePath() string {
	segs := strings.Split(r.Path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = sampleValue(s[1 : len(s)-1])
		}
	}
	return strings.Join(segs, "/")
}

// sampleValue is the value a request puts in the wildcard called name. The
// values differ from each other and from every static segment, so a router
// that binds the wrong segment to a name is caught by TestRoutesMatch.
func sampleValue(name string) string {
	switch name {
	case "user":
		return "gordon"
	case "owner":
		return "octocat"
	case "repo":
		return "hello-world"
	case "id":
		return "42"
	case "number":
		return "1347"
	case "sha":
		return "6dcb09b5b57875f3"
	}
	return "v-" + name
}

func (r route) String() string { return r.Method + " " + r.Path }

func loadRoutes(file string) ([]route, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var routes []route
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		method, path, ok := strings.Cut(line, " ")
		path = strings.TrimSpace(path)
		if !ok || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \t") {
			return nil, fmt.Errorf("%s:%d: want METHOD PATH, got %q", file, n, line)
		}
		rt := route{Method: method, Path: path}
		for _, s := range strings.Split(path, "/") {
			if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
				rt.Params = append(rt.Params, s[1:len(s)-1])
			}
		}
		if seen[rt.String()] {
			return nil, fmt.Errorf("%s:%d: duplicate route %s", file, n, rt)
		}
		seen[rt.String()] = true
		routes = append(routes, rt)
	}
	return routes, sc.Err()
}

var githubRoutesOnce = sync.OnceValues(func() ([]route, error) {
	return loadRoutes("github-routes.txt")
})

// githubRoutes returns the 203 routes of the GitHub v3 API.
func githubRoutes(tb testing.TB) []route {
	tb.Helper()
	routes, err := githubRoutesOnce()
	if err != nil {
		tb.Fatal(err)
	}
	if len(routes) != 203 {
		tb.Fatalf("github-routes.txt: %d routes, want 203", len(routes))
	}
	return routes
}

// hitFunc is told which route a router dispatched to (its index in the
// route list) and how to read that route's path parameters.
type hitFunc func(index int, param func(name string) string)

// routerImpl builds one framework's router for a route list. With a nil hit
// every handler does nothing (benchmarks); otherwise each handler reports
// itself to hit (TestRoutesMatch).
type routerImpl struct {
	name  string
	build func(routes []route, hit hitFunc) http.Handler
}

var routerImpls []routerImpl

func registerRouter(name string, build func([]route, hitFunc) http.Handler) {
	if !slices.Contains(Frameworks, name) {
		panic("bench: unknown framework " + name)
	}
	routerImpls = append(routerImpls, routerImpl{name, build})
	slices.SortStableFunc(routerImpls, func(a, b routerImpl) int {
		return slices.Index(Frameworks, a.name) - slices.Index(Frameworks, b.name)
	})
}

// discardWriter is a reusable no-op http.ResponseWriter. It only counts
// the body bytes, so tests can check that the benchmarked code really
// writes its response through it.
type discardWriter struct {
	h http.Header
	n int
}

func newDiscardWriter() *discardWriter { return &discardWriter{h: make(http.Header)} }

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	return len(p), nil
}
func (w *discardWriter) WriteString(s string) (int, error) {
	w.n += len(s)
	return len(s), nil
}
func (w *discardWriter) WriteHeader(int) {}

// reset empties the header map (keeping its storage) and the byte count
// between requests, so every request sets its headers from scratch as it
// would on a new connection.
func (w *discardWriter) reset() {
	clear(w.h)
	w.n = 0
}

func newRequest(method, target string) *http.Request {
	return httptest.NewRequest(method, target, nil)
}
