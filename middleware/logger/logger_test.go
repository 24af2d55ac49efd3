package logger_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/internal/benchtest"
	"github.com/nexios-go/nexios/internal/logcapture"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/logger"
	rec "github.com/nexios-go/nexios/middleware/recover"
	"github.com/nexios-go/nexios/middleware/requestid"
	"github.com/nexios-go/nexios/testclient"
)

type conflictError struct{}

func (conflictError) Error() string { return "conflict" }

// routes registers the handlers the tests call on r.
func routes(r *nexios.Router) {
	r.Get("/users/{id:int}", func(req *nexios.Request, res *nexios.Response) error {
		return res.Text("user " + req.Path("id"))
	})
	r.Get("/teapot", func(*nexios.Request, *nexios.Response) error {
		return nexios.NewHTTPError(http.StatusTeapot, "short and stout")
	})
	r.Get("/broken", func(*nexios.Request, *nexios.Response) error {
		return errors.New("database is down")
	})
	r.Get("/conflict", func(*nexios.Request, *nexios.Response) error {
		return conflictError{} // rendered as 409 by an error handler
	})
	r.Get("/panic", func(*nexios.Request, *nexios.Response) error {
		panic("boom")
	})
	r.Get("/created", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Status(http.StatusCreated).Text("made")
	})
}

func newLogger(t *testing.T, cfg logger.Config) nexios.Middleware {
	t.Helper()
	m, err := logger.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// build returns an app with requestid, the logger (to capture) and recover
// installed at the given level.
func build(t *testing.T, level string, log *logcapture.Handler, cfg logger.Config) *nexios.App {
	t.Helper()
	cfg.Logger = slog.New(log)
	stack := []nexios.Middleware{
		nexios.Must(requestid.New(requestid.Config{})),
		newLogger(t, cfg),
		nexios.Must(rec.New(rec.Config{})),
	}
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	nexios.HandleError(app, func(_ *nexios.Request, res *nexios.Response, _ conflictError) error {
		return res.Status(http.StatusConflict).JSON(map[string]string{"error": "conflict"})
	})
	switch level {
	case "app":
		app.Use(stack...)
		routes(&app.Router)
	case "router":
		r := nexios.NewRouter("")
		r.Use(stack...)
		routes(r)
		app.Mount(r)
	case "route":
		r := nexios.NewRouter("")
		r.Get("/users/{id:int}", func(req *nexios.Request, res *nexios.Response) error {
			return res.Text("user " + req.Path("id"))
		}, nexios.WithMiddleware(stack...))
		app.Mount(r)
	}
	return app
}

func TestFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, pattern string
		status        int
		level         slog.Level
		errText       string
		bytes         int64
		levels        []string // installation levels where the case applies
	}{
		{path: "/users/7?q=1", pattern: "/users/{id:int}", status: 200, level: slog.LevelInfo, bytes: 6, levels: []string{"app", "router", "route"}},
		{path: "/created", pattern: "/created", status: 201, level: slog.LevelInfo, bytes: 4},
		{path: "/missing", pattern: "", status: 404, level: slog.LevelWarn, errText: "HTTP 404: no route matches GET /missing"},
		{path: "/teapot", pattern: "/teapot", status: 418, level: slog.LevelWarn, errText: "HTTP 418: short and stout"},
		{path: "/broken", pattern: "/broken", status: 500, level: slog.LevelError, errText: "database is down"},
		{path: "/conflict", pattern: "/conflict", status: 409, level: slog.LevelWarn, errText: "conflict"},
		{path: "/panic", pattern: "/panic", status: 500, level: slog.LevelError, errText: "panic: boom"},
	}
	for _, tt := range tests {
		levels := tt.levels
		if levels == nil {
			levels = []string{"app", "router"}
		}
		for _, level := range levels {
			if tt.pattern == "" && level != "app" {
				continue // unmatched requests run the app middleware only
			}
			t.Run(level+tt.path, func(t *testing.T) {
				t.Parallel()
				log := logcapture.New()
				app := build(t, level, log, logger.Config{UserAgent: true, Query: true})
				r := testclient.New(app).Get(tt.path, testclient.Header("X-Request-ID", "rid-1"))
				if r.Status != tt.status {
					t.Fatalf("status %d, want %d: %s", r.Status, tt.status, r.Text())
				}
				e := log.WaitFor(t, "request")
				want := map[string]string{
					"method": "GET", "pattern": tt.pattern, "status": itoa(tt.status),
					"request_id": "rid-1", "client_ip": "192.0.2.1", "user_agent": testclient.DefaultUserAgent,
				}
				want["path"], want["query"], _ = strings.Cut(tt.path, "?")
				for k, v := range want {
					if got := e.Str(k); got != v {
						t.Errorf("%s = %q, want %q", k, got, v)
					}
				}
				if e.Level != tt.level {
					t.Errorf("level %v, want %v", e.Level, tt.level)
				}
				if got := e.Attrs["bytes"].Int64(); got != int64(len(r.Body)) || tt.bytes != 0 && got != tt.bytes {
					t.Errorf("bytes = %d, body has %d", got, len(r.Body))
				}
				if e.Attrs["duration"].Duration() <= 0 {
					t.Errorf("duration = %v", e.Attrs["duration"])
				}
				if got := e.Str("error"); got != tt.errText {
					t.Errorf("error = %q, want %q", got, tt.errText)
				}
				if _, ok := e.Attrs["panic"]; ok {
					t.Errorf("panic attribute on a recovered panic")
				}
			})
		}
	}
}

func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	log := logcapture.New()
	app := build(t, "app", log, logger.Config{})
	r := testclient.New(app).Post("/users/7")
	if r.Status != http.StatusMethodNotAllowed {
		t.Fatalf("status %d", r.Status)
	}
	e := log.WaitFor(t, "request")
	if e.Str("status") != "405" || e.Level != slog.LevelWarn || e.Str("method") != "POST" || e.Str("path") != "/users/7" {
		t.Errorf("record %v", e.Attrs)
	}
	if e.Str("pattern") != "" {
		t.Errorf("pattern %q: a 405 matched no route", e.Str("pattern"))
	}
}

func TestPanicWithoutRecover(t *testing.T) {
	t.Parallel()
	log := logcapture.New()
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app.Use(newLogger(t, logger.Config{Logger: slog.New(log)}))
	routes(&app.Router)
	c := testclient.New(app)
	if r := c.Get("/panic"); r.Status != 500 {
		t.Fatalf("status %d", r.Status)
	}
	e := log.WaitFor(t, "request")
	if e.Str("status") != "500" || !e.Attrs["panic"].Bool() || e.Level != slog.LevelError {
		t.Errorf("record %v", e.Attrs)
	}
	if r := c.Get("/users/1"); r.Status != 200 {
		t.Errorf("next request: status %d", r.Status)
	}
}

func TestStreaming(t *testing.T) {
	t.Parallel()
	log := logcapture.New()
	app := nexios.New(nexios.Config{})
	app.Use(newLogger(t, logger.Config{Logger: slog.New(log)}))
	app.Get("/events", func(_ *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Content-Type", "text/event-stream")
		for i := range 3 {
			if _, err := io.WriteString(res, "data: "+itoa(i)+"\n\n"); err != nil {
				return err
			}
			res.Flush()
		}
		return nil
	})
	resp, err := testclient.New(app).Stream(context.Background(), "GET", "/events")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	e := log.WaitFor(t, "request")
	if e.Str("status") != "200" || e.Attrs["bytes"].Int64() != int64(len(body)) || len(body) != 3*len("data: 0\n\n") {
		t.Errorf("record %v, body %q", e.Attrs, body)
	}
}

func TestLevels(t *testing.T) {
	t.Parallel()
	log := logcapture.New()
	app := build(t, "app", log, logger.Config{
		Message: "access",
		Level: func(status int) slog.Level {
			if status == http.StatusNotFound {
				return slog.LevelDebug
			}
			return logger.DefaultLevel(status)
		},
	})
	testclient.New(app).Get("/missing")
	if e := log.WaitFor(t, "access"); e.Level != slog.LevelDebug {
		t.Errorf("level %v, want DEBUG", e.Level)
	}
	for status, want := range map[int]slog.Level{100: slog.LevelInfo, 200: slog.LevelInfo, 304: slog.LevelInfo, 400: slog.LevelWarn, 499: slog.LevelWarn, 500: slog.LevelError, 599: slog.LevelError} {
		if got := logger.DefaultLevel(status); got != want {
			t.Errorf("DefaultLevel(%d) = %v, want %v", status, got, want)
		}
	}
}

func TestDisabledLevelsAreNotLogged(t *testing.T) {
	t.Parallel()
	log := logcapture.New()
	log.MinLevel = slog.LevelWarn
	app := build(t, "app", log, logger.Config{})
	c := testclient.New(app)
	c.Get("/users/1")
	c.Get("/missing")
	log.WaitFor(t, "request")
	if es := log.ByMsg("request"); len(es) != 1 || es[0].Str("status") != "404" {
		t.Errorf("records %v, want only the 404", es)
	}
	// Errors are still rendered when nothing is logged.
	log.MinLevel = slog.LevelError + 1
	if r := c.Get("/teapot"); r.Status != http.StatusTeapot {
		t.Errorf("status %d", r.Status)
	}
}

func TestSkipAndAttrs(t *testing.T) {
	t.Parallel()
	log := logcapture.New()
	app := build(t, "app", log, logger.Config{
		Skip: func(req *nexios.Request) bool { return req.URL().Path == "/users/0" },
		Attrs: func(req *nexios.Request, res *nexios.Response) []slog.Attr {
			return []slog.Attr{slog.String("route_id", req.Path("id"))}
		},
	})
	c := testclient.New(app)
	c.Get("/users/0")
	c.Get("/users/5")
	log.WaitFor(t, "request")
	es := log.ByMsg("request")
	if len(es) != 1 || es[0].Str("route_id") != "5" {
		t.Errorf("records %v", es)
	}
	if _, ok := es[0].Attrs["user_agent"]; ok {
		t.Errorf("user_agent logged by default")
	}
	if _, ok := es[0].Attrs["query"]; ok {
		t.Errorf("query logged by default")
	}
}

func TestDefaultsToAppLogger(t *testing.T) {
	t.Parallel()
	log := logcapture.New()
	app := nexios.New(nexios.Config{Logger: slog.New(log)})
	app.Use(newLogger(t, logger.Config{}))
	routes(&app.Router)
	testclient.New(app).Get("/users/3")
	if e := log.WaitFor(t, "request"); e.Str("pattern") != "/users/{id:int}" {
		t.Errorf("record %v", e.Attrs)
	}
	if _, ok := log.WaitFor(t, "request").Attrs["request_id"]; ok {
		t.Errorf("request_id logged without requestid middleware")
	}
}

func TestDiscardAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	discard := slog.New(slog.DiscardHandler)
	for name, cfg := range map[string]logger.Config{
		"default levels": {Logger: discard},
		"custom levels":  {Logger: discard, Level: logger.DefaultLevel, UserAgent: true, Query: true},
		"app logger":     {},
	} {
		app := nexios.New(nexios.Config{Logger: discard})
		app.Use(newLogger(t, cfg))
		routes(&app.Router)
		w := benchtest.NewWriter()
		r := httptest.NewRequest("GET", "/created?q=2", nil)
		app.ServeHTTP(w, r)
		if n := testing.AllocsPerRun(200, func() { w.Reset(); app.ServeHTTP(w, r) }); n != 0 {
			t.Errorf("%s: %v allocs per request, want 0", name, n)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestErrorTravelsUp: the logger returns a handler's error upward (an
// outer middleware — an error reporter, a tracing span — sees it), and
// logs the status the error rendered with at the top, even one a type
// handler chose.
func TestErrorTravelsUp(t *testing.T) {
	t.Parallel()
	log := logcapture.New()
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	nexios.HandleError(app, func(_ *nexios.Request, res *nexios.Response, _ conflictError) error {
		return res.Status(http.StatusConflict).JSON(map[string]string{"error": "conflict"})
	})
	var seen error
	app.Use(func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			seen = next(req, res)
			return seen
		}
	})
	app.Use(newLogger(t, logger.Config{Logger: slog.New(log)}))
	app.Get("/conflict", func(*nexios.Request, *nexios.Response) error { return conflictError{} })
	r := testclient.New(app).Get("/conflict")
	if r.Status != http.StatusConflict {
		t.Fatalf("status %d", r.Status)
	}
	if !errors.As(seen, new(conflictError)) {
		t.Errorf("outer middleware saw %v", seen)
	}
	if e := log.WaitFor(t, "request"); e.Str("status") != "409" {
		t.Errorf("access record %v, want status 409", e.Attrs)
	}
}
