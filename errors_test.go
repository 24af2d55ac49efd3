package nexios_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/internal/logcapture"
	"github.com/nexios-go/nexios/testclient"
)

var quiet = slog.New(slog.DiscardHandler)

type notFoundUser struct{ id int }

func (e notFoundUser) Error() string   { return fmt.Sprintf("user %d not found", e.id) }
func (e notFoundUser) StatusCode() int { return 404 }

var errPlain = errors.New("database exploded: password=hunter2")

func TestErrorRendering(t *testing.T) {
	t.Parallel()
	for _, debug := range []bool{false, true} {
		app := nexios.New(nexios.Config{Debug: debug, Logger: quiet})
		app.Get("/http", func(*nexios.Request, *nexios.Response) error {
			return nexios.NewHTTPError(403, "Access denied").WithHeader("X-Reason", "policy")
		})
		app.Get("/default-detail", func(*nexios.Request, *nexios.Response) error { return nexios.NewHTTPError(409, "") })
		app.Get("/typed", func(*nexios.Request, *nexios.Response) error { return fmt.Errorf("lookup: %w", notFoundUser{7}) })
		app.Get("/plain", func(*nexios.Request, *nexios.Response) error { return errPlain })
		app.Get("/panic", func(*nexios.Request, *nexios.Response) error { panic("kaboom") })
		app.Get("/ext", func(*nexios.Request, *nexios.Response) error {
			return &nexios.HTTPError{Status: 402, Detail: "pay", Extensions: map[string]any{"balance": 3, "status": "ignored"}}
		})
		c := testclient.New(app)
		cases := []struct {
			path   string
			status int
			detail string
		}{
			{"/http", 403, "Access denied"},
			{"/default-detail", 409, "Conflict"},
			{"/typed", 404, "lookup: user 7 not found"},
			{"/plain", 500, map[bool]string{false: "", true: errPlain.Error()}[debug]},
			{"/panic", 500, map[bool]string{false: "", true: "panic: kaboom"}[debug]},
			{"/ext", 402, "pay"},
		}
		for _, tc := range cases {
			r := c.Get(tc.path)
			var p map[string]any
			if err := r.JSON(&p); err != nil {
				t.Fatalf("%s: %v", tc.path, err)
			}
			if r.Status != tc.status || p["status"] != float64(tc.status) || p["title"] != http.StatusText(tc.status) || p["type"] != "about:blank" {
				t.Errorf("debug=%v %s: %d %v", debug, tc.path, r.Status, p)
			}
			if got, _ := p["detail"].(string); got != tc.detail {
				t.Errorf("debug=%v %s: detail %q, want %q", debug, tc.path, got, tc.detail)
			}
			if r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: content type %q", tc.path, r.Header.Get("Content-Type"))
			}
			if _, hasStack := p["stack"]; hasStack != (debug && tc.path == "/panic") {
				t.Errorf("debug=%v %s: stack present=%v", debug, tc.path, hasStack)
			}
		}
		if r := c.Get("/http"); r.Header.Get("X-Reason") != "policy" {
			t.Error("HTTPError headers not sent")
		}
		var ext map[string]any
		c.Get("/ext").JSON(&ext)
		if ext["balance"] != 3.0 || ext["status"] != 402.0 {
			t.Errorf("extensions: %v", ext)
		}
		// The server keeps serving after a panic.
		if r := c.Get("/http"); r.Status != 403 {
			t.Error("not serving after panic")
		}
	}
}

func TestErrorHandlerOrder(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: quiet})
	var calls []string
	var mu sync.Mutex
	record := func(s string) { mu.Lock(); calls = append(calls, s); mu.Unlock() }
	nexios.HandleError(app, func(_ *nexios.Request, res *nexios.Response, err notFoundUser) error {
		record("type")
		return res.Status(404).JSON(map[string]any{"missing_user": err.id})
	})
	nexios.HandleError(app, func(_ *nexios.Request, res *nexios.Response, err *nexios.HTTPError) error {
		record("http")
		if err.Status == 418 {
			return fmt.Errorf("handler gave up: %w", err) // falls through to the default renderer
		}
		return res.Status(err.Status).JSON(map[string]any{"error": err.Detail})
	})
	app.HandleStatus(404, func(_ *nexios.Request, res *nexios.Response, err error) error {
		record("404")
		return res.Status(404).JSON(map[string]any{"not_found": err.Error()})
	})
	app.HandleStatus(500, func(_ *nexios.Request, res *nexios.Response, _ error) error {
		record("500")
		return res.Status(500).Text("custom 500")
	})
	app.Get("/user", func(*nexios.Request, *nexios.Response) error { return notFoundUser{3} })
	app.Get("/bad", func(*nexios.Request, *nexios.Response) error {
		return nexios.NewHTTPError(400, "This is a bad request!")
	})
	app.Get("/teapot", func(*nexios.Request, *nexios.Response) error { return nexios.NewHTTPError(418, "short and stout") })
	app.Get("/boom", func(*nexios.Request, *nexios.Response) error { return errPlain })
	app.Get("/abort", func(*nexios.Request, *nexios.Response) error { panic(http.ErrAbortHandler) })
	c := testclient.New(app)
	cases := []struct {
		path   string
		status int
		body   string
		calls  string
	}{
		{"/user", 404, `{"missing_user":3}`, "type"},
		{"/bad", 400, `{"error":"This is a bad request!"}`, "http"},
		{"/teapot", 418, `"detail":"short and stout"`, "http"},
		{"/nowhere", 404, `{"error":"no route matches GET /nowhere"}`, "http"},
		{"/boom", 500, "custom 500", "500"},
	}
	for _, tc := range cases {
		calls = nil
		r := c.Get(tc.path)
		if r.Status != tc.status || !strings.Contains(r.Text(), tc.body) || strings.Join(calls, ",") != tc.calls {
			t.Errorf("%s: %d %s calls=%v", tc.path, r.Status, r.Text(), calls)
		}
	}
	if r := c.Get("/abort"); r.Err == nil {
		t.Errorf("ErrAbortHandler should abort the response, got %d", r.Status)
	}
}

func TestStatusOf(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		want int
	}{
		{nexios.NewHTTPError(404, ""), 404},
		{fmt.Errorf("wrap: %w", nexios.NewHTTPError(401, "")), 401},
		{&nexios.ValidationError{}, 422},
		{&http.MaxBytesError{Limit: 1}, 413},
		{errPlain, 500},
		{&nexios.PanicError{Value: 1}, 500},
		{nexios.NewHTTPError(200, "not an error status"), 500},
	}
	for _, tc := range cases {
		if got := nexios.StatusOf(tc.err); got != tc.want {
			t.Errorf("StatusOf(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestErrorsAreLogged(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, nil))
	app := nexios.New(nexios.Config{Logger: logger})
	app.Get("/boom", func(*nexios.Request, *nexios.Response) error { return errPlain })
	app.Get("/client", func(*nexios.Request, *nexios.Response) error { return nexios.NewHTTPError(400, "x") })
	c := testclient.New(app)
	c.Get("/boom")
	c.Get("/client")
	mu.Lock()
	defer mu.Unlock()
	out := buf.String()
	if !strings.Contains(out, "database exploded") || !strings.Contains(out, "pattern=/boom") {
		t.Errorf("5xx not logged: %q", out)
	}
	if strings.Contains(out, "/client") {
		t.Errorf("4xx logged as an error: %q", out)
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestErrorHandlingDetails(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var mu sync.Mutex
	app := nexios.New(nexios.Config{Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, nil))})
	// A declining type handler passes the error on to later ones.
	nexios.HandleError(app, func(_ *nexios.Request, _ *nexios.Response, err *nexios.HTTPError) error { return err })
	nexios.HandleError(app, func(_ *nexios.Request, res *nexios.Response, err error) error {
		return res.Status(nexios.StatusOf(err)).JSON(map[string]string{"caught": err.Error()})
	})
	app.Get("/auth", func(*nexios.Request, *nexios.Response) error {
		return nexios.NewHTTPError(401, "login").WithHeader("WWW-Authenticate", "Bearer")
	})
	app.Get("/panic", func(*nexios.Request, *nexios.Response) error { panic("deep trouble") })
	c := testclient.New(app)
	r := c.Get("/auth")
	if r.Status != 401 || r.Header.Get("WWW-Authenticate") != "Bearer" || !strings.Contains(r.Text(), `"caught"`) {
		t.Errorf("auth: %d %v %s", r.Status, r.Header, r.Text())
	}
	if r := c.Get("/panic"); r.Status != 500 {
		t.Errorf("panic: %d", r.Status)
	}
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if !strings.Contains(out, "deep trouble") || !strings.Contains(out, "stack=") || !strings.Contains(out, "errors_test.go") {
		t.Errorf("panic not logged with its stack (custom handler rendered it): %q", out)
	}
	if strings.Count(out, "request failed") != 1 {
		t.Errorf("logged %d times: %q", strings.Count(out, "request failed"), out)
	}
	mustPanic(t, func() { app.HandleStatus(404, nil) }) // registration after serving
}

func TestResponseStatusEdgeCases(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: quiet})
	app.Get("/204", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Status(204).JSON(map[string]int{"a": 1})
	})
	app.Get("/103", func(_ *nexios.Request, res *nexios.Response) error { return res.Status(103).JSON(1) })
	app.Post("/json", func(req *nexios.Request, res *nexios.Response) error {
		var v struct {
			Age int `json:"age"`
		}
		return req.JSON(&v)
	})
	c := testclient.New(app)
	if r := c.Get("/204"); r.Status != 204 || r.Header.Get("Content-Type") != "" || len(r.Body) != 0 {
		t.Errorf("204: %d %v %q", r.Status, r.Header, r.Body)
	}
	if r := c.Get("/103"); r.Status != 500 {
		t.Errorf("1xx body write: %d", r.Status)
	}
	if r := c.Post("/json", testclient.JSON(map[string]string{"age": "36"})); r.Status != 422 || !strings.Contains(r.Text(), `"field":"age"`) {
		t.Errorf("req.JSON type error: %d %s", r.Status, r.Text())
	}
}

func TestPanicAfterCommitAbortsResponse(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: quiet})
	app.Get("/late", func(_ *nexios.Request, res *nexios.Response) error {
		_, _ = res.Write([]byte("partial"))
		res.Flush()
		panic("late")
	})
	if r := testclient.New(app, testclient.WithErrorLog(nil)).Get("/late"); r.Err == nil {
		t.Errorf("truncated response looked complete: %d %q", r.Status, r.Text())
	}
}

type outOfStock struct{ item string }

func (e *outOfStock) Error() string { return e.item + " is out of stock" }

// TestErrorFamily checks the one error family: every client error the
// framework produces reaches a HandleError[*HTTPError] handler (or, for
// validation failures, their own type), Config.RenderProblem changes the
// format of everything else, and only responses that end 5xx are logged.
func TestErrorFamily(t *testing.T) {
	t.Parallel()
	log := logcapture.New()
	app := nexios.New(nexios.Config{Logger: slog.New(log), MaxBodyBytes: 64,
		RenderProblem: func(_ *nexios.Request, res *nexios.Response, p *nexios.Problem) error {
			return res.JSON(map[string]any{"error": p.Detail, "code": p.Status, "fields": len(p.Errors)})
		}})
	var seen []int
	nexios.HandleError(app, func(_ *nexios.Request, _ *nexios.Response, err *nexios.HTTPError) error {
		seen = append(seen, err.Status)
		return err // decline: the problem renderer answers
	})
	nexios.HandleError(app, func(_ *nexios.Request, res *nexios.Response, err *outOfStock) error {
		return res.Status(409).JSON(map[string]string{"item": err.item})
	})
	type in struct {
		Name string `json:"name" validate:"required"`
	}
	nexios.Post(app, "/bind", func(_ *nexios.Request, v *in) (*in, error) { return v, nil })
	app.Get("/stock", func(*nexios.Request, *nexios.Response) error { return &outOfStock{"lamp"} })
	app.Get("/boom", func(*nexios.Request, *nexios.Response) error { return errors.New("db down") })
	c := testclient.New(app)
	for _, tc := range []struct {
		name   string
		r      *testclient.Response
		status int
		body   string
	}{
		{"malformed JSON", c.Post("/bind", testclient.Body("application/json", []byte("{"))), 400, `"code":400`},
		{"unsupported type", c.Post("/bind", testclient.Body("text/csv", []byte("a,b"))), 415, `"code":415`},
		{"too large", c.Post("/bind", testclient.Body("application/json", make([]byte, 100))), 413, `"code":413`},
		{"validation", c.Post("/bind", testclient.JSON(map[string]string{})), 422, `"fields":1`},
		{"not found", c.Get("/nowhere"), 404, `"code":404`},
		{"custom 4xx", c.Get("/stock"), 409, `{"item":"lamp"}`},
		{"server error", c.Get("/boom"), 500, `"code":500`},
	} {
		if tc.r.Status != tc.status || !strings.Contains(tc.r.Text(), tc.body) {
			t.Errorf("%s: %d %s, want %d with %s", tc.name, tc.r.Status, tc.r.Text(), tc.status, tc.body)
		}
	}
	if fmt.Sprint(seen) != "[400 415 413 404]" {
		t.Errorf("HandleError[*HTTPError] saw %v, want the 400, 415, 413 and 404", seen)
	}
	failed := log.ByMsg("request failed")
	if len(failed) != 1 || failed[0].Str("path") != "/boom" {
		t.Errorf("logged as failed: %v, want only /boom", failed)
	}
}
