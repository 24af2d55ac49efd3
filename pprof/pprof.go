// Package pprof serves the runtime profiles of net/http/pprof on a Nexios
// app, behind the guard you give, in one line:
//
//	pprof.Register(app, "/debug/pprof", auth.Required("ops"))
//
// Profiles expose the program's internals (stacks, heap contents, command
// line) and a CPU profile costs the server while it runs: never mount
// them without a guard on a public listener. Register refuses to mount
// them without one; pass pprof.Unguarded explicitly for an internal-only
// listener.
package pprof

import (
	"errors"
	"net/http"
	"net/http/pprof"
	"strings"

	"github.com/nexios-go/nexios"
)

// Unguarded is a guard that lets every request through, for an app that
// only an internal network reaches. It must be passed on purpose.
func Unguarded(next nexios.HandlerFunc) nexios.HandlerFunc { return next }

// ErrNoGuard is returned by Register when no guard is given.
var ErrNoGuard = errors.New("pprof: refusing to serve profiles without a guard (pass auth middleware, or pprof.Unguarded for an internal listener)")

// Register serves the profiles under prefix ("/debug/pprof"): the index
// at prefix/, cmdline, profile (CPU, ?seconds=N), symbol, trace, and
// every named profile (heap, goroutine, allocs, block, mutex,
// threadcreate). guards run first, in order; the routes are left out of
// the OpenAPI document. It returns ErrNoGuard when guards is empty.
func Register(app *nexios.App, prefix string, guards ...nexios.Middleware) error {
	if len(guards) == 0 {
		return ErrNoGuard
	}
	prefix = "/" + strings.Trim(prefix, "/")
	opts := []nexios.RouteOption{nexios.ExcludeFromSchema(), nexios.WithMiddleware(guards...)}
	get := func(path string, h http.HandlerFunc) {
		app.Get(prefix+path, nexios.WrapHandlerFunc(h), opts...)
	}
	get("/", index(prefix))
	get("/cmdline", pprof.Cmdline)
	get("/profile", pprof.Profile)
	get("/symbol", pprof.Symbol)
	app.Post(prefix+"/symbol", nexios.WrapHandlerFunc(pprof.Symbol), opts...)
	get("/trace", pprof.Trace)
	get("/{name}", func(w http.ResponseWriter, r *http.Request) {
		pprof.Handler(r.PathValue("name")).ServeHTTP(w, r)
	})
	return nil
}

// index serves net/http/pprof's index page, which expects to be mounted
// at /debug/pprof/: its links are relative, so any prefix works.
func index(prefix string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/debug/pprof/"
		pprof.Index(w, r2)
	}
}
