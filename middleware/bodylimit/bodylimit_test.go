package bodylimit_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/bodylimit"
	"github.com/nexios-go/nexios/testclient"
)

func mw(t testing.TB) nexios.Middleware {
	t.Helper()
	m, err := bodylimit.New(bodylimit.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// echoLen reads the body with req.Body and answers with its length.
func echoLen(req *nexios.Request, res *nexios.Response) error {
	b, err := req.Body()
	if err != nil {
		return err
	}
	return res.Text(strconv.Itoa(len(b)))
}

// rawLen reads req.Raw().Body directly.
func rawLen(req *nexios.Request, res *nexios.Response) error {
	b, err := io.ReadAll(req.Raw().Body)
	if err != nil {
		return err
	}
	return res.Text(strconv.Itoa(len(b)))
}

type sendMode int

const (
	sized   sendMode = iota // Content-Length
	chunked                 // unknown length
)

func send(c *testclient.Client, path string, n int, mode sendMode) *testclient.Response {
	body := bytes.Repeat([]byte("x"), n)
	if mode == chunked {
		return c.Post(path, testclient.Reader("application/octet-stream", bytes.NewReader(body)))
	}
	return c.Post(path, testclient.Body("application/octet-stream", body))
}

// TestLimitAtEveryLevel: under, exactly at and over the one body-size
// setting, declared or chunked, read through req.Body or req.Raw().Body,
// set for the app, a router or a route, with and without the middleware.
func TestLimitAtEveryLevel(t *testing.T) {
	t.Parallel()
	const limit = 1024
	tests := []struct {
		name string
		n    int
		mode sendMode
		want int
	}{
		{"under", 1000, sized, 200},
		{"exactly", limit, sized, 200},
		{"over by one", limit + 1, sized, 413},
		{"far over", 1 << 20, sized, 413},
		{"chunked under", 1000, chunked, 200},
		{"chunked exactly", limit, chunked, 200},
		{"chunked over", limit + 1, chunked, 413},
		{"empty", 0, sized, 200},
	}
	for _, level := range []string{"app", "router", "route"} {
		for _, reader := range []string{"body", "raw", "middleware"} {
			h := echoLen
			if reader == "raw" {
				h = rawLen
			}
			app := nexios.New(nexios.Config{})
			if reader == "middleware" {
				app.Use(mw(t))
			}
			switch level {
			case "app":
				app = nexios.New(nexios.Config{MaxBodyBytes: limit})
				if reader == "middleware" {
					app.Use(mw(t))
				}
				app.Post("/r/x", h)
			case "router":
				r := nexios.NewRouter("/r", nexios.RouterDefaults(nexios.BodyLimit(limit)))
				r.Post("/x", h)
				app.Mount(r)
			case "route":
				app.Post("/r/x", h, nexios.BodyLimit(limit))
			}
			app.Post("/free", h)
			c := testclient.New(app)
			for _, tt := range tests {
				t.Run(level+"/"+reader+"/"+tt.name, func(t *testing.T) {
					t.Parallel()
					r := send(c, "/r/x", tt.n, tt.mode)
					if r.Status != tt.want {
						t.Fatalf("status %d, want %d: %s", r.Status, tt.want, r.Text())
					}
					if tt.want == 200 && r.Text() != strconv.Itoa(tt.n) {
						t.Fatalf("handler read %s bytes, want %d", r.Text(), tt.n)
					}
					if tt.want == 413 && r.Header.Get("Content-Type") != "application/problem+json" {
						t.Fatalf("413 Content-Type %q", r.Header.Get("Content-Type"))
					}
					// Routes outside the router or route keep the app default (10 MiB).
					if r := send(c, "/free", tt.n, tt.mode); level != "app" && r.Status != 200 {
						t.Fatalf("unlimited route: %d", r.Status)
					}
				})
			}
		}
	}
}

// countingBody records how much of it was read.
type countingBody struct {
	r    io.Reader
	read int
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read += n
	return n, err
}
func (b *countingBody) Close() error { return nil }

// TestUpFrontRejection: a declared length over the limit is rejected
// before the handler runs and without reading one byte of the body.
func TestUpFrontRejection(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{MaxBodyBytes: 1 << 20})
	app.Use(mw(t))
	called := false
	app.Post("/", func(_ *nexios.Request, res *nexios.Response) error { called = true; return res.NoContent() })
	body := &countingBody{r: bytes.NewReader(make([]byte, 3<<20))}
	r := httptest.NewRequest("POST", "/", body)
	r.ContentLength = 3 << 20
	w := httptest.NewRecorder()
	app.ServeHTTP(w, r)
	if w.Code != 413 || called || body.read != 0 {
		t.Fatalf("status %d, handler called %v, %d bytes read", w.Code, called, body.read)
	}
	want := "request body of 3145728 bytes (3 MiB) exceeds the limit of 1048576 bytes (1 MiB)"
	if !strings.Contains(w.Body.String(), want) || !strings.Contains(w.Body.String(), `"limit":1048576`) {
		t.Fatalf("body %s", w.Body.String())
	}
	if w.Header().Get("Connection") != "close" {
		t.Errorf("413 without Connection: close")
	}

	// Without the middleware, the core refuses the declared length at the
	// first read, still without reading.
	bare := nexios.New(nexios.Config{MaxBodyBytes: 1 << 20})
	bare.Post("/", echoLen)
	body = &countingBody{r: bytes.NewReader(make([]byte, 3<<20))}
	r = httptest.NewRequest("POST", "/", body)
	r.ContentLength = 3 << 20
	w = httptest.NewRecorder()
	bare.ServeHTTP(w, r)
	if w.Code != 413 || body.read != 0 || w.Header().Get("Connection") != "close" {
		t.Fatalf("core: status %d, %d bytes read, Connection %q", w.Code, body.read, w.Header().Get("Connection"))
	}
}

// TestRawBodyLimited: a handler reading req.Raw().Body of a chunked body
// gets at most the limit, then *http.MaxBytesError, rendered 413.
func TestRawBodyLimited(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{MaxBodyBytes: -1}) // no app limit: only the route's
	var got int
	var gotErr error
	app.Post("/", func(req *nexios.Request, _ *nexios.Response) error {
		b, err := io.ReadAll(req.Raw().Body)
		got, gotErr = len(b), err
		return err
	}, nexios.BodyLimit(100))
	r := send(testclient.New(app), "/", 5000, chunked)
	var mbe *http.MaxBytesError
	if r.Status != 413 || got > 100 || !errors.As(gotErr, &mbe) || mbe.Limit != 100 {
		t.Fatalf("status %d, read %d, err %v", r.Status, got, gotErr)
	}
}

// TestPrecedence: a route's limit overrides its router's, which overrides
// the app's, larger or smaller.
func TestPrecedence(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{MaxBodyBytes: 1000})
	app.Use(mw(t))
	app.Post("/app", echoLen)
	app.Post("/larger", echoLen, nexios.BodyLimit(5000))
	app.Post("/smaller", echoLen, nexios.BodyLimit(100))
	app.Post("/unlimited", echoLen, nexios.BodyLimit(-1))
	up := nexios.NewRouter("/upload", nexios.RouterDefaults(nexios.BodyLimit(10000)))
	up.Post("/big", echoLen)
	up.Post("/small", echoLen, nexios.BodyLimit(10))
	app.Mount(up)
	c := testclient.New(app)
	tests := []struct {
		path string
		n    int
		mode sendMode
		want int
	}{
		{"/app", 1000, sized, 200},
		{"/app", 1001, sized, 413},
		{"/smaller", 100, sized, 200},
		{"/smaller", 101, sized, 413},
		{"/smaller", 101, chunked, 413},
		{"/larger", 5000, sized, 200},
		{"/larger", 5000, chunked, 200},
		{"/larger", 5001, sized, 413},
		{"/larger", 5001, chunked, 413},
		{"/unlimited", 20000, chunked, 200},
		{"/upload/big", 10000, sized, 200},
		{"/upload/big", 10001, chunked, 413},
		{"/upload/small", 10, sized, 200},
		{"/upload/small", 11, sized, 413},
	}
	for _, tt := range tests {
		if r := send(c, tt.path, tt.n, tt.mode); r.Status != tt.want {
			t.Errorf("%s %d bytes (mode %d): %d, want %d: %s", tt.path, tt.n, tt.mode, r.Status, tt.want, r.Text())
		}
	}
}

func TestBodilessAndSkip(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{MaxBodyBytes: 10})
	m, err := bodylimit.New(bodylimit.Config{Skip: func(req *nexios.Request) bool {
		return req.Header("X-Trusted") == "yes"
	}})
	if err != nil {
		t.Fatal(err)
	}
	app.Use(m)
	app.Get("/", echoLen)
	app.Post("/", echoLen)
	app.Post("/ignores-body", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") })
	c := testclient.New(app)
	if r := c.Get("/"); r.Status != 200 || r.Text() != "0" {
		t.Fatalf("GET: %d %q", r.Status, r.Text())
	}
	if r := c.Post("/"); r.Status != 200 || r.Text() != "0" {
		t.Fatalf("empty POST: %d %q", r.Status, r.Text())
	}
	// Skipped: not rejected early, but the body limit still holds when read.
	if r := c.Post("/", testclient.Body("text/plain", make([]byte, 50)), testclient.Header("X-Trusted", "yes")); r.Status != 413 {
		t.Fatalf("skipped, read: %d", r.Status)
	}
	if r := c.Post("/ignores-body", testclient.Body("text/plain", make([]byte, 50)), testclient.Header("X-Trusted", "yes")); r.Status != 200 {
		t.Fatalf("skipped, not read: %d", r.Status)
	}
	if r := c.Post("/ignores-body", testclient.Body("text/plain", make([]byte, 50))); r.Status != 413 {
		t.Fatalf("not skipped, not read: %d", r.Status)
	}
}

// TestDecoders: JSON, Bind and form decoding see the limit too.
func TestDecoders(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{MaxBodyBytes: 64})
	app.Use(mw(t))
	app.Post("/json", func(req *nexios.Request, res *nexios.Response) error {
		var v map[string]any
		if err := req.JSON(&v); err != nil {
			return err
		}
		return res.NoContent()
	})
	app.Post("/form", func(req *nexios.Request, res *nexios.Response) error {
		if _, err := req.Form(); err != nil {
			return err
		}
		return res.NoContent()
	})
	c := testclient.New(app)
	big := strings.Repeat("x", 100)
	for _, tt := range []struct {
		name string
		r    *testclient.Response
		want int
	}{
		{"json small", c.Post("/json", testclient.JSON(map[string]string{"a": "b"})), 204},
		{"json chunked big", c.Post("/json", testclient.Reader("application/json", strings.NewReader(`{"a":"`+big+`"}`))), 413},
		{"multipart chunked big", c.Post("/form", testclient.Reader("multipart/form-data; boundary=XX",
			strings.NewReader("--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"+big+"\r\n--XX--\r\n"))), 413},
	} {
		if tt.r.Status != tt.want {
			t.Errorf("%s: %d, want %d: %s", tt.name, tt.r.Status, tt.want, tt.r.Text())
		}
	}
}

// TestGetWithBody: a GET built by hand with a body but no Content-Length
// header is not rejected up front, but reading it is still limited.
func TestGetWithBody(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{MaxBodyBytes: 10})
	app.Use(mw(t))
	app.Get("/", echoLen)
	app.Get("/ignore", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") })
	for path, want := range map[string]int{"/": 413, "/ignore": 200} {
		w := httptest.NewRecorder()
		app.ServeHTTP(w, httptest.NewRequest("GET", path, strings.NewReader(strings.Repeat("x", 50))))
		if w.Code != want {
			t.Errorf("%s: %d, want %d", path, w.Code, want)
		}
	}
}
