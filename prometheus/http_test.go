package prometheus_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	nxprom "github.com/nexios-go/nexios/prometheus"
	"github.com/nexios-go/nexios/testclient"
)

type conflict struct{}

func (conflict) Error() string { return "conflict" }

func newApp(t *testing.T) (*nexios.App, *nxprom.Metrics) {
	t.Helper()
	m, err := nxprom.New(nxprom.Config{})
	if err != nil {
		t.Fatal(err)
	}
	app := nexios.New(nexios.Config{Logger: quietLogger()})
	app.Use(m.Middleware())
	m.Instrument(app)
	return app, m
}

func TestREDPerRoutePattern(t *testing.T) {
	t.Parallel()
	app, m := newApp(t)
	inFlight := make(chan float64, 1)
	app.Get("/users/{id:int}", func(req *nexios.Request, res *nexios.Response) error {
		return res.Text("user " + req.Path("id"))
	})
	app.Get("/busy", func(req *nexios.Request, res *nexios.Response) error {
		inFlight <- value(t, m.Registry(), "http_server_active_requests", nil)
		return res.Text("ok")
	})
	// A type handler turns the error into a 409: the metric must say 409,
	// not the 500 the error alone would give.
	nexios.HandleError(app, func(req *nexios.Request, res *nexios.Response, _ conflict) error {
		res.Status(http.StatusConflict)
		return res.Text("taken")
	})
	app.Post("/claim", func(*nexios.Request, *nexios.Response) error { return conflict{} })
	app.Get("/boom", func(*nexios.Request, *nexios.Response) error { panic("boom") })
	app.Get("/fail", func(*nexios.Request, *nexios.Response) error { return errors.New("db down") })

	c := testclient.New(app)
	for _, path := range []string{"/users/1", "/users/2", "/users/3"} {
		if r := c.Get(path); r.Status != 200 {
			t.Fatalf("%s: %d", path, r.Status)
		}
	}
	c.Get("/busy")
	c.Post("/claim")
	c.Get("/boom")
	c.Get("/fail")
	c.Get("/no/such/path/1")
	c.Get("/no/such/path/2")
	c.Do("BREW", "/users/1")

	reg := m.Registry()
	const dur = "http_server_request_duration_seconds"
	for _, tc := range []struct {
		labels map[string]string
		want   float64
	}{
		{map[string]string{"method": "GET", "route": "/users/{id:int}", "code": "200"}, 3},
		{map[string]string{"method": "POST", "route": "/claim", "code": "409"}, 1},
		{map[string]string{"method": "GET", "route": "/boom", "code": "500"}, 1},
		{map[string]string{"method": "GET", "route": "/fail", "code": "500"}, 1},
		{map[string]string{"method": "GET", "route": nxprom.Unmatched, "code": "404"}, 2},
		{map[string]string{"method": "OTHER", "route": nxprom.Unmatched, "code": "405"}, 1},
	} {
		if got := value(t, reg, dur, tc.labels); got != tc.want {
			t.Errorf("%v: %v requests, want %v; series: %v", tc.labels, got, tc.want, seriesOf(t, reg, dur))
		}
	}
	for _, s := range seriesOf(t, reg, dur) {
		if strings.Contains(s, "/users/1") || strings.Contains(s, "/no/such") || strings.Contains(s, "BREW") {
			t.Errorf("a raw path or method became a label: %s", s)
		}
	}
	if got := <-inFlight; got != 1 {
		t.Errorf("in flight during a request: %v", got)
	}
	if got := value(t, reg, "http_server_active_requests", nil); got != 0 {
		t.Errorf("in flight after: %v", got)
	}
	size := sample(t, reg, "http_server_response_body_size_bytes", map[string]string{"route": "/users/{id:int}"})
	if size == nil || size.Histogram.GetSampleSum() != float64(len("user 1")*3) {
		t.Errorf("response sizes: %v", size)
	}
}

func TestSkip(t *testing.T) {
	t.Parallel()
	m, err := nxprom.New(nxprom.Config{Skip: func(req *nexios.Request) bool { return req.Pattern() == "/livez" }})
	if err != nil {
		t.Fatal(err)
	}
	app := nexios.New(nexios.Config{})
	app.Use(m.Middleware())
	app.Get("/livez", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") })
	testclient.New(app).Get("/livez")
	if s := seriesOf(t, m.Registry(), "http_server_request_duration_seconds"); len(s) != 0 {
		t.Errorf("skipped request recorded: %v", s)
	}
}

func TestRegisterBehindAGuard(t *testing.T) {
	t.Parallel()
	app, m := newApp(t)
	guard := func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			if req.Header("Authorization") != "Bearer scrape" {
				return nexios.NewHTTPError(http.StatusUnauthorized, "scrape token required")
			}
			return next(req, res)
		}
	}
	m.Register(app, "/metrics", guard)
	c := testclient.New(app)
	if r := c.Get("/metrics"); r.Status != http.StatusUnauthorized {
		t.Fatalf("unauthenticated scrape: %d", r.Status)
	}
	r := c.Get("/metrics", testclient.Header("Authorization", "Bearer scrape"))
	if r.Status != 200 || !strings.Contains(r.Text(), "go_goroutines") || !strings.Contains(r.Text(), "http_server_request_duration_seconds") {
		t.Fatalf("scrape: %d %.300s", r.Status, r.Body)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestListenSeparately(t *testing.T) {
	t.Parallel()
	app, m := newApp(t)
	addr := freeAddr(t)
	m.Listen(app, addr)
	if err := app.Startup(t.Context()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("scrape: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := app.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get("http://" + addr + "/metrics"); err == nil {
		t.Error("the metrics listener outlived the app")
	}
}

// TestListenFailureDoesNotStopTheApp is GoFr's mistake avoided: a busy
// metrics port must not take the app down.
func TestListenFailureDoesNotStopTheApp(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	var logs strings.Builder
	m, err := nxprom.New(nxprom.Config{})
	if err != nil {
		t.Fatal(err)
	}
	app := nexios.New(nexios.Config{Logger: newTextLogger(&logs)})
	m.Listen(app, busy.Addr().String())
	app.Get("/", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("up") })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ln) }()
	var resp *http.Response
	for i := 0; ; i++ {
		resp, err = http.Get("http://" + ln.Addr().String() + "/")
		if err == nil || i > 200 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("app not serving: %v", err)
	}
	resp.Body.Close()
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "metrics listener not started") {
		t.Errorf("the failure was not logged: %s", logs.String())
	}
}
