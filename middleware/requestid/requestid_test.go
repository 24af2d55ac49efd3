package requestid_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/requestid"
	"github.com/nexios-go/nexios/testclient"
)

var (
	randomID     = regexp.MustCompile(`^[0-9a-f]{32}$`)
	sequentialID = regexp.MustCompile(`^[0-9a-f]{16}-[0-9a-f]{16}$`)
)

// echo answers with the id seen by the handler through Get and FromContext.
func echo(req *nexios.Request, res *nexios.Response) error {
	return res.Text(requestid.Get(req) + "|" + requestid.FromContext(req.Context()))
}

func mw(t *testing.T, cfg requestid.Config) nexios.Middleware {
	t.Helper()
	m, err := requestid.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// levels returns one app per installation level, each serving /x.
func levels(t *testing.T, cfg requestid.Config) map[string]*nexios.App {
	apps := map[string]*nexios.App{}

	app := nexios.New(nexios.Config{})
	app.Use(mw(t, cfg))
	app.Get("/x", echo)
	apps["app"] = app

	app = nexios.New(nexios.Config{})
	r := nexios.NewRouter("")
	r.Use(mw(t, cfg))
	r.Get("/x", echo)
	app.Mount(r)
	apps["router"] = app

	app = nexios.New(nexios.Config{})
	app.Get("/x", echo, nexios.WithMiddleware(mw(t, cfg)))
	apps["route"] = app
	return apps
}

func TestIncomingAndGenerated(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", requestid.MaxIncomingLength)
	tests := []struct {
		name     string
		cfg      requestid.Config
		incoming []string // request header values
		want     string   // exact id, or "" to expect a generated one
		pattern  *regexp.Regexp
	}{
		{name: "none", pattern: randomID},
		{name: "valid", incoming: []string{"abc-123_X.y"}, want: "abc-123_X.y"},
		{name: "max length", incoming: []string{long}, want: long},
		{name: "too long", incoming: []string{long + "a"}, pattern: randomID},
		{name: "empty", incoming: []string{""}, pattern: randomID},
		{name: "space", incoming: []string{"a b"}, pattern: randomID},
		{name: "log injection", incoming: []string{"a\nlevel=ERROR msg=pwned"}, pattern: randomID},
		{name: "html", incoming: []string{"<script>alert(1)</script>"}, pattern: randomID},
		{name: "unicode", incoming: []string{"ïd"}, pattern: randomID},
		{name: "quote", incoming: []string{`a"b`}, pattern: randomID},
		{name: "first of several", incoming: []string{"first", "second"}, want: "first"},
		{name: "ignore incoming", cfg: requestid.Config{IgnoreIncoming: true}, incoming: []string{"abc"}, pattern: randomID},
		{name: "sequential", cfg: requestid.Config{Sequential: true}, pattern: sequentialID},
		{name: "generator", cfg: requestid.Config{Generator: func() string { return "gen" }}, want: "gen"},
		{name: "generator keeps valid incoming", cfg: requestid.Config{Generator: func() string { return "gen" }}, incoming: []string{"in"}, want: "in"},
		{name: "custom header", cfg: requestid.Config{Header: "x-correlation-id"}, want: "corr"},
		{name: "context", cfg: requestid.Config{Context: true}, incoming: []string{"ctx-id"}, want: "ctx-id"},
	}
	for _, tt := range tests {
		for level, app := range levels(t, tt.cfg) {
			t.Run(tt.name+"/"+level, func(t *testing.T) {
				t.Parallel()
				header := tt.cfg.Header
				if header == "" {
					header = requestid.DefaultHeader
				}
				r := httptest.NewRequest("GET", "/x", nil)
				for _, v := range tt.incoming {
					r.Header.Add(header, v)
				}
				if tt.name == "custom header" {
					r.Header.Set(header, "corr")
				}
				w := httptest.NewRecorder()
				app.ServeHTTP(w, r)
				got := w.Header().Values(header)
				if len(got) != 1 {
					t.Fatalf("response %s = %q, want one value", header, got)
				}
				id := got[0]
				if tt.want != "" && id != tt.want {
					t.Errorf("id = %q, want %q", id, tt.want)
				}
				if tt.pattern != nil && !tt.pattern.MatchString(id) {
					t.Errorf("id = %q, want a match for %s", id, tt.pattern)
				}
				wantCtx := ""
				if tt.cfg.Context {
					wantCtx = id
				}
				if body := w.Body.String(); body != id+"|"+wantCtx {
					t.Errorf("handler saw %q, want %q", body, id+"|"+wantCtx)
				}
			})
		}
	}
}

func TestUniqueUnderConcurrency(t *testing.T) {
	t.Parallel()
	for _, cfg := range []requestid.Config{{}, {Sequential: true}} {
		app := nexios.New(nexios.Config{})
		app.Use(mw(t, cfg))
		app.Get("/x", echo)
		var mu sync.Mutex
		seen := map[string]bool{}
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 200 {
					w := httptest.NewRecorder()
					app.ServeHTTP(w, httptest.NewRequest("GET", "/x", nil))
					id := w.Header().Get(requestid.DefaultHeader)
					mu.Lock()
					if seen[id] {
						t.Errorf("duplicate id %q", id)
					}
					seen[id] = true
					mu.Unlock()
				}
			})
		}
		wg.Wait()
	}
}

func TestSequentialCounts(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Use(mw(t, requestid.Config{Sequential: true}))
	app.Get("/x", echo)
	c := testclient.New(app)
	a := c.Get("/x").Header.Get("X-Request-Id")
	b := c.Get("/x").Header.Get("X-Request-Id")
	if a[:17] != b[:17] || !strings.HasSuffix(a, "0001") || !strings.HasSuffix(b, "0002") {
		t.Errorf("ids %q, %q: want one prefix and counters 1, 2", a, b)
	}
}

func TestIDOnErrorResponses(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Use(mw(t, requestid.Config{}))
	app.Get("/fail", func(*nexios.Request, *nexios.Response) error {
		return nexios.NewHTTPError(http.StatusTeapot, "")
	})
	c := testclient.New(app)
	for _, path := range []string{"/fail", "/missing"} {
		r := c.Get(path, testclient.Header("X-Request-ID", "keep-me"))
		if r.Status < 400 || r.Header.Get("X-Request-Id") != "keep-me" {
			t.Errorf("%s: status %d, id %q", path, r.Status, r.Header.Get("X-Request-Id"))
		}
	}
}

func TestSkip(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Use(mw(t, requestid.Config{Skip: func(req *nexios.Request) bool { return req.URL().Path == "/health" }}))
	app.Get("/health", echo)
	r := testclient.New(app).Get("/health")
	if r.Header.Get("X-Request-Id") != "" || r.Text() != "|" {
		t.Errorf("skipped request got id %q, body %q", r.Header.Get("X-Request-Id"), r.Text())
	}
}

func TestInvalidHeaderName(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"X Request", "X-Id:", "X\nY", "é"} {
		if _, err := requestid.New(requestid.Config{Header: h}); err == nil {
			t.Errorf("header %q: no error", h)
		}
	}
}

func TestGetWithoutMiddleware(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Get("/x", echo)
	if body := testclient.New(app).Get("/x").Text(); body != "|" {
		t.Errorf("body %q, want empty ids", body)
	}
	if id := requestid.FromContext(context.Background()); id != "" {
		t.Errorf("FromContext = %q", id)
	}
}

func TestLogHandler(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(requestid.LogHandler(slog.NewTextHandler(&buf, nil))).With("svc", "x").WithGroup("g")
	app := nexios.New(nexios.Config{})
	app.Use(mw(t, requestid.Config{Context: true}))
	app.Get("/x", func(req *nexios.Request, res *nexios.Response) error {
		log.InfoContext(req.Context(), "inside")
		return res.NoContent()
	})
	testclient.New(app).Get("/x", testclient.Header("X-Request-ID", "abc"))
	log.Info("outside")
	out := buf.String()
	if !strings.Contains(out, "msg=inside svc=x g.request_id=abc") {
		t.Errorf("log %q lacks the request id", out)
	}
	if !strings.Contains(out, "msg=outside svc=x\n") {
		t.Errorf("log %q: record without id changed", out)
	}
}

func TestValid(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]bool{
		"a": true, "A-b_c.9": true, strings.Repeat("x", 128): true,
		"": false, strings.Repeat("x", 129): false, "a/b": false, "a:b": false, "a\x00": false,
	} {
		if got := requestid.Valid(id); got != want {
			t.Errorf("Valid(%q) = %v", id, got)
		}
	}
}
