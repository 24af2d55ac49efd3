package etag_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/etag"
	"github.com/nexios-go/nexios/testclient"
)

const body = `{"message":"hello"}`

var bigBody = strings.Repeat("0123456789abcdef", 256) // 4 KiB

func mustNew(t testing.TB, cfg etag.Config) nexios.Middleware {
	t.Helper()
	mw, err := etag.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return mw
}

type router interface {
	Get(string, nexios.HandlerFunc, ...nexios.RouteOption) *nexios.Route
	Post(string, nexios.HandlerFunc, ...nexios.RouteOption) *nexios.Route
}

func registerFixtures(r router, opts ...nexios.RouteOption) {
	r.Get("/json", func(_ *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Cache-Control", "max-age=60")
		res.Header().Set("Vary", "Accept")
		return res.Bytes("application/json", []byte(body))
	}, opts...)
	r.Get("/big", func(_ *nexios.Request, res *nexios.Response) error { return res.Text(bigBody) }, opts...)
	r.Post("/json", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Bytes("application/json", []byte(body))
	}, opts...)
	r.Get("/created", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Status(http.StatusCreated).Text(body)
	}, opts...)
	r.Get("/error", func(_ *nexios.Request, _ *nexios.Response) error {
		return nexios.NewHTTPError(http.StatusConflict, "conflict")
	}, opts...)
	r.Get("/own", func(_ *nexios.Request, res *nexios.Response) error {
		res.Header().Set("ETag", `"v42"`)
		res.Header().Set("Cache-Control", "no-cache")
		return res.Text(body)
	}, opts...)
	r.Get("/stream", func(_ *nexios.Request, res *nexios.Response) error {
		io.WriteString(res, "part one;")
		if err := res.FlushError(); err != nil {
			return err
		}
		_, err := io.WriteString(res, "part two")
		return err
	}, opts...)
	r.Get("/written-then-error", func(_ *nexios.Request, res *nexios.Response) error {
		if err := res.Text(body); err != nil {
			return err
		}
		return fmt.Errorf("late failure")
	}, opts...)
	r.Get("/panic", func(_ *nexios.Request, _ *nexios.Response) error { panic("boom") }, opts...)
	r.Get("/early", func(_ *nexios.Request, res *nexios.Response) error {
		res.Writer().WriteHeader(http.StatusEarlyHints) // res.WriteHeader would mark the response committed
		return res.Text(body)
	}, opts...)
	r.Get("/hijack", func(_ *nexios.Request, res *nexios.Response) error {
		io.WriteString(res, "buffered, then dropped")
		conn, brw, err := res.Hijack()
		if err != nil {
			return err
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 8\r\n\r\nhijacked")
		return brw.Flush()
	}, opts...)
	r.Get("/empty", func(_ *nexios.Request, _ *nexios.Response) error { return nil }, opts...)
}

func newApp(t testing.TB, cfg etag.Config) *nexios.App {
	app := nexios.New(nexios.Config{Logger: discardLogger()})
	app.Use(mustNew(t, cfg))
	registerFixtures(app)
	return app
}

func TestETag(t *testing.T) {
	t.Parallel()
	c := testclient.New(newApp(t, etag.Config{}))
	r := c.Get("/json")
	tag := r.Header.Get("ETag")
	if r.Status != http.StatusOK || r.Text() != body {
		t.Fatalf("GET: %d %q", r.Status, r.Text())
	}
	if !strings.HasPrefix(tag, `W/"`) || !strings.HasSuffix(tag, `"`) {
		t.Fatalf("ETag = %q, want a weak tag", tag)
	}
	if again := c.Get("/json").Header.Get("ETag"); again != tag {
		t.Fatalf("ETag not stable: %q then %q", tag, again)
	}
	opaque := strings.TrimPrefix(tag, "W/")

	tests := []struct {
		name, method, inm string
		want              int
	}{
		{"match", "GET", tag, http.StatusNotModified},
		{"strong form of the weak tag", "GET", opaque, http.StatusNotModified},
		{"no match", "GET", `W/"nope"`, http.StatusOK},
		{"list with spaces", "GET", ` "a" ,  W/"b",` + tag + ` , "c"`, http.StatusNotModified},
		{"list without match", "GET", `"a", "b"`, http.StatusOK},
		{"star", "GET", "*", http.StatusNotModified},
		{"malformed", "GET", "garbage", http.StatusOK},
		{"HEAD match", "HEAD", tag, http.StatusNotModified},
		{"HEAD no match", "HEAD", `"x"`, http.StatusOK},
		{"POST ignores the condition", "POST", tag, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := c.Do(tt.method, "/json", testclient.Header("If-None-Match", tt.inm))
			if r.Status != tt.want {
				t.Fatalf("status %d, want %d", r.Status, tt.want)
			}
			switch {
			case tt.method == "POST":
				if r.Header.Get("ETag") != "" || r.Text() != body {
					t.Errorf("POST: ETag %q, body %q", r.Header.Get("ETag"), r.Text())
				}
			case tt.want == http.StatusNotModified:
				if len(r.Body) != 0 || r.Header.Get("Content-Type") != "" || r.Header.Get("Content-Length") != "" {
					t.Errorf("304 with body %q, Content-Type %q, Content-Length %q",
						r.Body, r.Header.Get("Content-Type"), r.Header.Get("Content-Length"))
				}
				if r.Header.Get("ETag") != tag || r.Header.Get("Cache-Control") != "max-age=60" || r.Header.Get("Vary") != "Accept" {
					t.Errorf("304 lost cache headers: %v", r.Header)
				}
			default:
				if r.Header.Get("ETag") != tag {
					t.Errorf("ETag %q, want %q", r.Header.Get("ETag"), tag)
				}
				if tt.method == "GET" && r.Text() != body {
					t.Errorf("body %q", r.Text())
				}
			}
		})
	}
}

func TestStrongAndFormat(t *testing.T) {
	t.Parallel()
	weak := testclient.New(newApp(t, etag.Config{})).Get("/big")
	strong := testclient.New(newApp(t, etag.Config{Strong: true})).Get("/big")
	wt, st := weak.Header.Get("ETag"), strong.Header.Get("ETag")
	if wt != "W/"+st || strings.HasPrefix(st, "W/") {
		t.Fatalf("weak %q, strong %q", wt, st)
	}
	if !strings.HasPrefix(st, `"1000-`) || len(st) != len(`"1000-`)+16+1 {
		t.Fatalf("strong tag %q, want \"<hex length>-<16 hex digits>\"", st)
	}
	if strong.Header.Get("Content-Length") != "4096" || strong.Text() != bigBody {
		t.Fatalf("Content-Length %q, %d body bytes", strong.Header.Get("Content-Length"), len(strong.Body))
	}
	// Weak comparison: the weak form of a strong tag matches too.
	c := testclient.New(newApp(t, etag.Config{Strong: true}))
	if r := c.Get("/big", testclient.Header("If-None-Match", "W/"+st)); r.Status != http.StatusNotModified {
		t.Fatalf("W/ form of a strong tag: %d", r.Status)
	}
	// Different bodies, different tags.
	if a, b := c.Get("/big").Header.Get("ETag"), c.Get("/own").Header.Get("ETag"); a == b {
		t.Fatalf("same tag %q for different bodies", a)
	}
}

func TestPassThrough(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path string
		cfg        etag.Config
		inm        string
		wantStatus int
		wantBody   string
		wantTag    string
	}{
		{name: "201", path: "/created", wantStatus: http.StatusCreated, wantBody: body},
		{name: "error", path: "/error", wantStatus: http.StatusConflict},
		{name: "error with If-None-Match *", path: "/error", inm: "*", wantStatus: http.StatusConflict},
		{name: "over MaxBodySize", path: "/big", cfg: etag.Config{MaxBodySize: 100}, wantStatus: http.StatusOK, wantBody: bigBody},
		{name: "exactly MaxBodySize is tagged", path: "/big", cfg: etag.Config{MaxBodySize: len(bigBody)}, wantStatus: http.StatusOK, wantBody: bigBody, wantTag: "any"},
		{name: "flushed stream", path: "/stream", inm: "*", wantStatus: http.StatusOK, wantBody: "part one;part two"},
		{name: "written then error", path: "/written-then-error", wantStatus: http.StatusOK, wantBody: body},
		{name: "handler's own ETag", path: "/own", wantStatus: http.StatusOK, wantBody: body, wantTag: `"v42"`},
		{name: "handler's own ETag, matched", path: "/own", inm: `W/"v42"`, wantStatus: http.StatusNotModified, wantTag: `"v42"`},
		{name: "handler's own ETag, not matched", path: "/own", inm: `"v41"`, wantStatus: http.StatusOK, wantBody: body, wantTag: `"v42"`},
		{name: "skip", path: "/json", cfg: etag.Config{Skip: func(*nexios.Request) bool { return true }}, inm: "*", wantStatus: http.StatusOK, wantBody: body},
		{name: "panic before writing", path: "/panic", wantStatus: http.StatusInternalServerError},
		{name: "nothing written", path: "/empty", wantStatus: http.StatusOK},
		{name: "informational first", path: "/early", wantStatus: http.StatusOK, wantBody: body, wantTag: "any"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := testclient.New(newApp(t, tt.cfg))
			var opts []testclient.RequestOption
			if tt.inm != "" {
				opts = append(opts, testclient.Header("If-None-Match", tt.inm))
			}
			r := c.Get(tt.path, opts...)
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			if r.Status != tt.wantStatus {
				t.Fatalf("status %d, want %d", r.Status, tt.wantStatus)
			}
			if tt.wantBody != "" && r.Text() != tt.wantBody {
				t.Fatalf("body %q, want %q", r.Text(), tt.wantBody)
			}
			got := r.Header.Get("ETag")
			switch tt.wantTag {
			case "any":
				if got == "" {
					t.Fatal("no ETag")
				}
			default:
				if got != tt.wantTag {
					t.Fatalf("ETag %q, want %q", got, tt.wantTag)
				}
			}
		})
	}
}

// TestFlushStreams checks that a flushed response reaches the client before
// the handler finishes.
func TestFlushStreams(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	app := nexios.New(nexios.Config{})
	app.Use(mustNew(t, etag.Config{}))
	app.Get("/sse", func(req *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(res, "data: 1\n\n")
		res.Flush()
		select {
		case <-release:
		case <-req.Context().Done():
		}
		_, err := io.WriteString(res, "data: 2\n\n")
		return err
	})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	resp, err := testclient.New(app).Stream(ctx, http.MethodGet, "/sse")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, len("data: 1\n\n"))
	if _, err := io.ReadFull(resp.Body, first); err != nil || string(first) != "data: 1\n\n" {
		t.Fatalf("first event %q, %v", first, err)
	}
	close(release)
	rest, _ := io.ReadAll(resp.Body)
	if string(rest) != "data: 2\n\n" || resp.Header.Get("ETag") != "" {
		t.Fatalf("rest %q, ETag %q", rest, resp.Header.Get("ETag"))
	}
}

func TestLevels(t *testing.T) {
	t.Parallel()
	mw := mustNew(t, etag.Config{})
	app := nexios.New(nexios.Config{})
	app.Get("/plain", func(_ *nexios.Request, res *nexios.Response) error { return res.Text(body) })
	api := nexios.NewRouter("/api")
	api.Use(mw)
	registerFixtures(api)
	app.Mount(api)
	route := nexios.NewRouter("/route")
	registerFixtures(route, nexios.WithMiddleware(mw))
	app.Mount(route)
	c := testclient.New(app)

	if r := c.Get("/plain"); r.Header.Get("ETag") != "" {
		t.Fatalf("middleware ran where it was not installed: %q", r.Header.Get("ETag"))
	}
	for _, prefix := range []string{"/api", "/route"} {
		r := c.Get(prefix + "/json")
		tag := r.Header.Get("ETag")
		if tag == "" {
			t.Fatalf("%s: no ETag", prefix)
		}
		if r := c.Get(prefix+"/json", testclient.Header("If-None-Match", tag)); r.Status != http.StatusNotModified {
			t.Fatalf("%s: conditional GET = %d", prefix, r.Status)
		}
		if r := c.Get(prefix+"/error", testclient.Header("If-None-Match", "*")); r.Status != http.StatusConflict {
			t.Fatalf("%s: error = %d", prefix, r.Status)
		}
		if r := c.Post(prefix+"/json", testclient.Header("If-None-Match", tag)); r.Status != http.StatusOK || r.Header.Get("ETag") != "" {
			t.Fatalf("%s: POST = %d, ETag %q", prefix, r.Status, r.Header.Get("ETag"))
		}
	}
}

// TestHijack takes the connection over from a buffered response: nothing
// buffered leaks onto it.
func TestHijack(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(newApp(t, etag.Config{}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/hijack")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(b) != "hijacked" || resp.Header.Get("ETag") != "" {
		t.Fatalf("%d %q ETag %q", resp.StatusCode, b, resp.Header.Get("ETag"))
	}
}

func TestConfigError(t *testing.T) {
	t.Parallel()
	if _, err := etag.New(etag.Config{MaxBodySize: -1}); err == nil {
		t.Fatal("negative MaxBodySize accepted")
	}
}
