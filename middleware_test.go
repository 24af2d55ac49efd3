package nexios_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/testclient"
)

type trail struct {
	mu    sync.Mutex
	steps []string
}

func (tr *trail) add(s string) { tr.mu.Lock(); tr.steps = append(tr.steps, s); tr.mu.Unlock() }
func (tr *trail) take() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	s := strings.Join(tr.steps, ",")
	tr.steps = nil
	return s
}

func (tr *trail) mw(name string) nexios.Middleware {
	return func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			tr.add(name + ">")
			err := next(req, res)
			tr.add("<" + name)
			return err
		}
	}
}

func TestMiddlewareOrder(t *testing.T) {
	t.Parallel()
	tr := &trail{}
	app := nexios.New(nexios.Config{})
	app.Use(tr.mw("app1"), tr.mw("app2"))
	app.Pre(tr.mw("pre"))
	api := nexios.NewRouter("/api")
	api.Use(tr.mw("router"))
	api.Get("/x", func(_ *nexios.Request, res *nexios.Response) error {
		tr.add("handler")
		return res.Text("x")
	}, nexios.WithMiddleware(tr.mw("route1"), tr.mw("route2")))
	app.Mount(api)
	other := nexios.NewRouter("/other")
	other.Use(tr.mw("other"))
	other.Get("/y", text("y"))
	app.Mount(other)

	c := testclient.New(app)
	c.Get("/api/x")
	want := "pre>,app1>,app2>,router>,route1>,route2>,handler,<route2,<route1,<router,<app2,<app1,<pre"
	if got := tr.take(); got != want {
		t.Errorf("order\n got %s\nwant %s", got, want)
	}
	// App middleware runs for unmatched requests; router middleware does not leak.
	c.Get("/missing")
	if got := tr.take(); got != "pre>,app1>,app2>,<app2,<app1,<pre" {
		t.Errorf("404 order %s", got)
	}
	c.Post("/api/x")
	if got := tr.take(); got != "pre>,app1>,app2>,<app2,<app1,<pre" {
		t.Errorf("405 order %s", got)
	}
}

func TestMiddlewareSeesPatternAndErrors(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: quiet})
	var seen sync.Map
	app.Use(func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			before := req.Pattern()
			err := next(req, res)
			// An access logger asks what status the error will render with.
			seen.Store(req.URL().Path, before+"|"+http.StatusText(nexios.ResolveStatus(res, err)))
			return err
		}
	})
	// Error-translating middleware, like Nexios' "catch ValueError → 400".
	errValue := errors.New("value error")
	app.Use(func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			if err := next(req, res); errors.Is(err, errValue) {
				return res.Status(400).JSON(map[string]string{"error": "Something went wrong"})
			} else {
				return err
			}
		}
	})
	app.Get("/users/{id:int}", text("ok"))
	app.Get("/fail", func(*nexios.Request, *nexios.Response) error { return errValue })
	app.Get("/teapot", func(*nexios.Request, *nexios.Response) error { return nexios.NewHTTPError(418, "") })
	c := testclient.New(app)
	cases := map[string]string{
		"/users/1": "/users/{id:int}|OK",
		"/fail":    "/fail|Bad Request",
		"/teapot":  "/teapot|I'm a teapot",
		"/nope":    "|Not Found",
	}
	for path, want := range cases {
		r := c.Get(path)
		got, _ := seen.Load(path)
		if got != want {
			t.Errorf("%s: middleware saw %v, want %s (status %d)", path, got, want, r.Status)
		}
	}
	if r := c.Get("/fail"); r.Text() != "{\"error\":\"Something went wrong\"}\n" {
		t.Errorf("translated error body %q", r.Text())
	}
}

func TestShortCircuit(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	auth := func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			if req.Header("Authorization") == "" {
				return res.Status(401).JSON(map[string]string{"error": "Unauthorized"})
			}
			return next(req, res)
		}
	}
	app.Get("/secret", text("secret"), nexios.WithMiddleware(auth))
	app.Get("/public", text("public"))
	c := testclient.New(app)
	if r := c.Get("/secret"); r.Status != 401 || r.Text() != "{\"error\":\"Unauthorized\"}\n" {
		t.Errorf("no token: %d %s", r.Status, r.Text())
	}
	if r := c.Get("/secret", testclient.BearerToken("t")); r.Status != 200 || r.Text() != "secret" {
		t.Errorf("token: %d %s", r.Status, r.Text())
	}
	if r := c.Get("/public"); r.Status != 200 {
		t.Errorf("route middleware leaked: %d", r.Status)
	}
}

type ctxKey struct{}

// upperWriter is a std-style response wrapper, like a compressor.
type upperWriter struct{ http.ResponseWriter }

func (u upperWriter) Write(b []byte) (int, error) {
	return u.ResponseWriter.Write([]byte(strings.ToUpper(string(b))))
}

func TestWrapMiddleware(t *testing.T) {
	t.Parallel()
	std := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Std", "1")
			ctx := context.WithValue(r.Context(), ctxKey{}, "from-std")
			next.ServeHTTP(upperWriter{w}, r.WithContext(ctx))
			w.Header().Set("X-After", "too late") // ignored once written, as in net/http
		})
	}
	var observed int
	observer := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := &statusRecorder{ResponseWriter: w}
			next.ServeHTTP(rec, r)
			observed = rec.status
		})
	}
	app := nexios.New(nexios.Config{Logger: quiet})
	app.Use(nexios.WrapMiddleware(observer), nexios.WrapMiddleware(std))
	app.Get("/v", func(req *nexios.Request, res *nexios.Response) error {
		v, _ := req.Context().Value(ctxKey{}).(string)
		return res.Text("value=" + v)
	})
	app.Get("/err", func(*nexios.Request, *nexios.Response) error { return nexios.NewHTTPError(409, "") })
	c := testclient.New(app)
	r := c.Get("/v")
	if r.Text() != "VALUE=FROM-STD" || r.Header.Get("X-Std") != "1" || observed != 200 {
		t.Errorf("wrapped: %q %v observed=%d", r.Text(), r.Header, observed)
	}
	if r := c.Get("/err"); r.Status != 409 || observed != 409 {
		t.Errorf("error inside wrapped middleware: %d observed=%d", r.Status, observed)
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = 200
	}
	return s.ResponseWriter.Write(b)
}

func TestToHTTPMiddleware(t *testing.T) {
	t.Parallel()
	mw := func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			if req.Query("deny") != "" {
				return nexios.NewHTTPError(403, "denied")
			}
			res.Header().Set("X-Nexios", "yes")
			return next(req, res)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello " + r.PathValue("name")))
	})
	h := nexios.ToHTTPMiddleware(mw)(mux)
	c := testclient.New(h)
	if r := c.Get("/hello/bob"); r.Text() != "hello bob" || r.Header.Get("X-Nexios") != "yes" {
		t.Errorf("passthrough: %d %q %v", r.Status, r.Text(), r.Header)
	}
	if r := c.Get("/hello/bob?deny=1"); r.Status != 403 || r.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("deny: %d %v", r.Status, r.Header)
	}
}

func TestAppHTTPMiddleware(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	nexios.HandleError(app, func(_ *nexios.Request, res *nexios.Response, err *nexios.HTTPError) error {
		return res.Status(err.Status).Text("custom: " + err.Detail)
	})
	deny := func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(*nexios.Request, *nexios.Response) error { return nexios.NewHTTPError(403, "no") }
	}
	h := app.HTTPMiddleware(deny)(http.NotFoundHandler())
	if r := testclient.New(h).Get("/"); r.Status != 403 || r.Text() != "custom: no" {
		t.Errorf("%d %s", r.Status, r.Text())
	}
}
