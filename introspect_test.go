package nexios_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
)

// tagMiddleware appends its tag to the X-Trace header, so a test can see
// the order the chain ran in.
func tagMiddleware(tag string) nexios.Middleware {
	return func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			res.Header().Add("X-Trace", tag)
			return next(req, res)
		}
	}
}

func TestRouteMiddlewareListsTheChainInOrder(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Pre(tagMiddleware("pre"))
	app.Use(tagMiddleware("app"))
	outer := nexios.NewRouter("/api")
	outer.Use(tagMiddleware("outer"))
	inner := nexios.NewRouter("/v1")
	inner.Use(tagMiddleware("inner"))
	rt := inner.Get("/x", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") },
		nexios.WithMiddleware(tagMiddleware("route")))
	outer.Mount(inner)
	app.Mount(outer)
	plain := app.Get("/plain", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") })

	// Run each listed middleware around a recording handler: the order of
	// the tags is the order of the list.
	trace := func(mws []nexios.Middleware) string {
		h := func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") }
		for i := len(mws) - 1; i >= 0; i-- {
			h = mws[i](h)
		}
		probe := nexios.New(nexios.Config{})
		probe.Get("/", h)
		w := call(t, probe, http.MethodGet, "/", "")
		return strings.Join(w.Header().Values("X-Trace"), ",")
	}
	if got := trace(rt.Middleware()); got != "pre,app,outer,inner,route" {
		t.Errorf("listed chain = %q", got)
	}
	if got := trace(plain.Middleware()); got != "pre,app" {
		t.Errorf("listed chain of a root route = %q", got)
	}
	// The listing is the chain the request really runs through.
	w := call(t, app, http.MethodGet, "/api/v1/x", "")
	if got := strings.Join(w.Header().Values("X-Trace"), ","); got != "pre,app,outer,inner,route" {
		t.Errorf("served chain = %q", got)
	}
}

func TestSetLogger(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	app := nexios.New(nexios.Config{})
	l := slog.New(slog.NewJSONHandler(&buf, nil))
	app.SetLogger(l)
	if app.Logger() != l || app.Config().Logger != l {
		t.Fatal("SetLogger did not replace the logger")
	}
	app.Get("/boom", func(*nexios.Request, *nexios.Response) error { panic("boom") })
	call(t, app, http.MethodGet, "/boom", "")
	if !strings.Contains(buf.String(), `"level":"ERROR"`) {
		t.Errorf("the panic was not logged through the new logger: %q", buf.String())
	}
	defer func() {
		if recover() == nil {
			t.Error("SetLogger after the first request did not panic")
		}
	}()
	app.SetLogger(l)
}
