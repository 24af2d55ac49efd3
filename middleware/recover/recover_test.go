package recover_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/internal/benchtest"
	"github.com/nexios-go/nexios/internal/logcapture"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/logger"
	"github.com/nexios-go/nexios/middleware/recover"
	"github.com/nexios-go/nexios/middleware/requestid"
	"github.com/nexios-go/nexios/testclient"
)

var errSentinel = errors.New("sentinel")

func panicky(*nexios.Request, *nexios.Response) error { panic("boom") }

func newRecover(t *testing.T, cfg recover.Config) nexios.Middleware {
	t.Helper()
	m, err := recover.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// build installs mws at level ("app", "router" or "route") around h at /p
// and adds a healthy /ok route.
func build(level string, app *nexios.App, h nexios.HandlerFunc, mws ...nexios.Middleware) *nexios.App {
	ok := func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") }
	switch level {
	case "app":
		app.Use(mws...)
		app.Get("/p", h)
		app.Get("/ok", ok)
	case "router":
		r := nexios.NewRouter("")
		r.Use(mws...)
		r.Get("/p", h)
		r.Get("/ok", ok)
		app.Mount(r)
	case "route":
		app.Get("/p", h, nexios.WithMiddleware(mws...))
		app.Get("/ok", ok, nexios.WithMiddleware(mws...))
	}
	return app
}

var levels = []string{"app", "router", "route"}

func TestPanicBecomes500(t *testing.T) {
	t.Parallel()
	for _, level := range levels {
		t.Run(level, func(t *testing.T) {
			t.Parallel()
			access, core := logcapture.New(), logcapture.New()
			app := nexios.New(nexios.Config{Logger: slog.New(core)})
			build(level, app, panicky,
				nexios.Must(requestid.New(requestid.Config{})),
				nexios.Must(logger.New(logger.Config{Logger: slog.New(access)})),
				newRecover(t, recover.Config{}),
			)
			c := testclient.New(app)
			r := c.Get("/p", testclient.Header("X-Request-ID", "rid"))
			if r.Status != http.StatusInternalServerError || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("status %d, type %q", r.Status, r.Header.Get("Content-Type"))
			}
			var p map[string]any
			if err := r.JSON(&p); err != nil || p["title"] != "Internal Server Error" || p["status"] != 500.0 {
				t.Errorf("problem %v (%v)", p, err)
			}
			if _, ok := p["stack"]; ok || strings.Contains(r.Text(), "boom") {
				t.Errorf("panic details leaked without Debug: %s", r.Text())
			}

			// The app logs the panic once, with the stack captured where it
			// happened.
			e := core.WaitFor(t, "request failed")
			if e.Level != slog.LevelError || e.Str("error") != "panic: boom" || e.Str("path") != "/p" || e.Str("pattern") != "/p" {
				t.Errorf("panic record %v", e.Attrs)
			}
			if n := len(core.ByMsg("request failed")); n != 1 {
				t.Errorf("panic logged %d times", n)
			}
			if st := e.Str("stack"); !strings.Contains(st, "recover_test.panicky") {
				t.Errorf("stack does not show the panicking function:\n%s", st)
			}
			a := access.WaitFor(t, "request")
			if a.Str("status") != "500" || a.Str("error") != "panic: boom" || a.Str("request_id") != "rid" {
				t.Errorf("access record %v", a.Attrs)
			}
			if _, ok := a.Attrs["panic"]; ok {
				t.Errorf("access logger saw an unwinding panic, want an error")
			}
			if r := c.Get("/ok"); r.Status != 200 || r.Text() != "ok" {
				t.Errorf("next request: %d %q", r.Status, r.Text())
			}
		})
	}
}

func TestDebugShowsStack(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		cfg   recover.Config
		stack bool
	}{
		{"stack", recover.Config{}, true},
		{"disabled", recover.Config{DisableStack: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			log := logcapture.New()
			app := nexios.New(nexios.Config{Debug: true, Logger: slog.New(log)})
			build("app", app, panicky, newRecover(t, tc.cfg))
			r := testclient.New(app).Get("/p")
			var p struct{ Detail, Stack string }
			if err := r.JSON(&p); err != nil || r.Status != 500 {
				t.Fatalf("%d %s", r.Status, r.Text())
			}
			if p.Detail != "panic: boom" {
				t.Errorf("detail %q", p.Detail)
			}
			if got := strings.Contains(p.Stack, "recover_test.panicky"); got != tc.stack {
				t.Errorf("stack in body = %v, want %v:\n%s", got, tc.stack, p.Stack)
			}
			if st := log.WaitFor(t, "request failed").Str("stack"); strings.Contains(st, "recover_test.panicky") != tc.stack {
				t.Errorf("stack logged = %q, want one: %v", st, tc.stack)
			}
		})
	}
}

func TestStackSize(t *testing.T) {
	t.Parallel()
	var got *nexios.PanicError
	app := nexios.New(nexios.Config{})
	nexios.HandleError(app, func(_ *nexios.Request, res *nexios.Response, err *nexios.PanicError) error {
		got = err
		return res.Status(599).Text("custom")
	})
	build("app", app, panicky, newRecover(t, recover.Config{StackSize: 100}))
	r := testclient.New(app).Get("/p")
	if r.Status != 599 || r.Text() != "custom" {
		t.Errorf("custom handler not used: %d %q", r.Status, r.Text())
	}
	if got == nil || got.Value != "boom" || len(got.Stack) == 0 || len(got.Stack) > 100 {
		t.Errorf("PanicError %+v", got)
	}
	if _, err := recover.New(recover.Config{StackSize: -1}); err == nil {
		t.Error("negative StackSize accepted")
	}
}

func TestErrorValueUnwraps(t *testing.T) {
	t.Parallel()
	var seen error
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	outer := func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			seen = next(req, res)
			return seen
		}
	}
	build("app", app, func(*nexios.Request, *nexios.Response) error { panic(errSentinel) },
		outer, newRecover(t, recover.Config{}))
	testclient.New(app).Get("/p")
	var pe *nexios.PanicError
	if !errors.As(seen, &pe) || !errors.Is(seen, errSentinel) || nexios.StatusOf(seen) != 500 {
		t.Errorf("outer middleware saw %v", seen)
	}
}

func TestPanicInMiddleware(t *testing.T) {
	t.Parallel()
	log := logcapture.New()
	bad := func(nexios.HandlerFunc) nexios.HandlerFunc {
		return func(*nexios.Request, *nexios.Response) error { panic("middleware boom") }
	}
	app := nexios.New(nexios.Config{Logger: slog.New(log)})
	build("router", app, panicky, newRecover(t, recover.Config{}), bad)
	if r := testclient.New(app).Get("/p"); r.Status != 500 {
		t.Errorf("status %d", r.Status)
	}
	if e := log.WaitFor(t, "request failed"); e.Str("error") != "panic: middleware boom" {
		t.Errorf("record %v", e.Attrs)
	}
}

func TestAbortHandlerPropagates(t *testing.T) {
	t.Parallel()
	log := logcapture.New()
	app := nexios.New(nexios.Config{Logger: slog.New(log)})
	build("app", app, func(*nexios.Request, *nexios.Response) error { panic(http.ErrAbortHandler) },
		newRecover(t, recover.Config{}))
	got := catch(func() { app.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/p", nil)) })
	if got != http.ErrAbortHandler {
		t.Errorf("ServeHTTP panicked with %v, want http.ErrAbortHandler", got)
	}
	if es := log.ByMsg("request failed"); len(es) != 0 {
		t.Errorf("abort logged as a panic: %v", es)
	}
	// Through a client the response is aborted, not answered.
	if r := testclient.New(app, testclient.WithErrorLog(nil)).Get("/p"); r.Err == nil {
		t.Errorf("aborted response arrived: %d %q", r.Status, r.Text())
	}
}

func TestPanicAfterCommit(t *testing.T) {
	t.Parallel()
	core := logcapture.New()
	app := nexios.New(nexios.Config{Logger: slog.New(core)})
	build("app", app, func(_ *nexios.Request, res *nexios.Response) error {
		_, _ = io.WriteString(res, "partial")
		res.Flush()
		panic("late")
	}, newRecover(t, recover.Config{}))
	// The body is incomplete: the core aborts the response instead of
	// ending it as if whole, so the client sees an error, not a short body.
	r := testclient.New(app, testclient.WithErrorLog(nil)).Get("/p")
	if r.Err == nil {
		t.Errorf("truncated response looked complete: %d %q", r.Status, r.Text())
	}
	if e := core.WaitFor(t, "error after the response was written"); !strings.Contains(e.Str("error"), "panic: late") {
		t.Errorf("core record %v", e.Attrs)
	}
}

func TestSkip(t *testing.T) {
	t.Parallel()
	var seen error
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	inner := func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) (err error) {
			defer func() { seen = err }()
			return next(req, res)
		}
	}
	build("app", app, panicky, inner, newRecover(t, recover.Config{Skip: func(*nexios.Request) bool { return true }}))
	if r := testclient.New(app).Get("/p"); r.Status != 500 {
		t.Errorf("status %d: the core must still answer 500", r.Status)
	}
	if seen != nil {
		t.Errorf("a skipped recover converted the panic: %v", seen)
	}
}

func TestNoAllocationsWithoutPanic(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	app := build("app", nexios.New(nexios.Config{}), panicky, newRecover(t, recover.Config{}))
	w := benchtest.NewWriter()
	r := httptest.NewRequest("GET", "/ok", nil)
	app.ServeHTTP(w, r)
	if n := testing.AllocsPerRun(200, func() { w.Reset(); app.ServeHTTP(w, r) }); n != 0 {
		t.Errorf("%v allocs per request, want 0", n)
	}
}
