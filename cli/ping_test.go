package cli_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nexios-go/nexios"
)

// pingApp answers only once started: its start-up hook opens what the
// handler needs.
func pingApp(started, stopped *atomic.Int32) *nexios.App {
	app := nexios.New(nexios.Config{})
	app.OnStartup(func(context.Context) error { started.Add(1); return nil })
	app.OnShutdown(func(context.Context) error { stopped.Add(1); return nil })
	app.Get("/healthz", func(_ *nexios.Request, res *nexios.Response) error {
		if started.Load() == 0 {
			return nexios.NewHTTPError(http.StatusServiceUnavailable, "not started")
		}
		return res.JSON(map[string]string{"status": "ok"})
	})
	app.Post("/echo", func(req *nexios.Request, res *nexios.Response) error {
		b, err := req.Body()
		if err != nil {
			return err
		}
		res.Header().Set("X-Seen", req.Header("X-Token"))
		return res.Status(http.StatusCreated).Text(string(b))
	})
	app.Get("/go", func(_ *nexios.Request, res *nexios.Response) error { return res.Redirect("/healthz", http.StatusFound) })
	return app
}

func TestPingInProcess(t *testing.T) {
	t.Parallel()
	var started, stopped atomic.Int32
	app := pingApp(&started, &stopped)
	r := run(t, app, nil, "ping", "/healthz")
	if r.err != nil || r.out != "HTTP/1.1 200 OK\n{\"status\":\"ok\"}\n" {
		t.Fatalf("ping /healthz: err %v, out %q", r.err, r.out)
	}
	if started.Load() != 1 || stopped.Load() != 1 {
		t.Errorf("hooks: %d start-ups, %d shutdowns", started.Load(), stopped.Load())
	}
}

func TestPingRequestOptions(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	r := run(t, pingApp(&n, &n), nil, "ping", "-X", "post", "-d", "hi there", "-H", "X-Token: abc", "-i", "/echo")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !strings.HasPrefix(r.out, "HTTP/1.1 201 Created\n") || !strings.Contains(r.out, "X-Seen: abc\r\n") || !strings.HasSuffix(r.out, "\r\n\nhi there\n") {
		t.Errorf("out %q", r.out)
	}
	// Redirects are shown, not followed.
	r = run(t, pingApp(&n, &n), nil, "ping", "-i", "/go")
	if r.err != nil || !strings.HasPrefix(r.out, "HTTP/1.1 302 Found\n") || !strings.Contains(r.out, "Location: /healthz") {
		t.Errorf("redirect: err %v, out %q", r.err, r.out)
	}
}

func TestPingFailures(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	cases := []struct {
		args []string
		code int
		out  string
		msg  string
	}{
		{[]string{"ping", "/nope"}, 1, "HTTP/1.1 404 Not Found\n", "GET /nope answered 404 Not Found"},
		{[]string{"ping"}, 2, "", "accepts 1 arg(s)"},
		{[]string{"ping", "healthz"}, 2, "", `PATH "healthz" must start with /`},
		{[]string{"ping", "-H", "nocolon", "/healthz"}, 2, "", `want "Name: value"`},
		{[]string{"ping", "--url", "ftp://x", "/healthz"}, 2, "", "want an http or https URL"},
		{[]string{"ping", "--url", "http://127.0.0.1:1", "/healthz"}, 1, "", "connection refused"},
	}
	for _, c := range cases {
		r := run(t, pingApp(&n, &n), nil, c.args...)
		if r.code != c.code || r.err == nil || !strings.Contains(r.err.Error(), c.msg) || !strings.HasPrefix(r.out, c.out) {
			t.Errorf("%v: code %d, err %v, out %q", c.args, r.code, r.err, r.out)
		}
	}
}

func TestPingRunningServer(t *testing.T) {
	t.Parallel()
	var started, stopped atomic.Int32
	started.Store(1)
	srv := httptest.NewServer(pingApp(&started, &stopped))
	defer srv.Close()
	// The app given to the command is another: --url bypasses it.
	var n atomic.Int32
	r := run(t, pingApp(&n, &n), nil, "ping", "--url", srv.URL+"/", "/healthz")
	if r.err != nil || r.out != "HTTP/1.1 200 OK\n{\"status\":\"ok\"}\n" {
		t.Errorf("err %v, out %q", r.err, r.out)
	}
	if n.Load() != 0 {
		t.Error("ping --url started the app in process")
	}
}
