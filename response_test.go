package nexios_test

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/testclient"
)

type csvBody [][]string

func (csvBody) MediaType() string { return "text/csv" }
func (c csvBody) Encode(w io.Writer) error {
	for _, row := range c {
		if _, err := fmt.Fprintln(w, strings.Join(row, ",")); err != nil {
			return err
		}
	}
	return nil
}

type failingBody struct{}

func (failingBody) MediaType() string      { return "text/plain" }
func (failingBody) Encode(io.Writer) error { return errors.New("boom") }

type note struct {
	XMLName xml.Name `xml:"note"`
	Message string   `xml:"message"`
}

func TestResponseWriters(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	routes := map[string]nexios.HandlerFunc{
		"/json":     func(_ *nexios.Request, res *nexios.Response) error { return res.JSON(map[string]string{"a": "b"}) },
		"/created":  func(_ *nexios.Request, res *nexios.Response) error { return res.Status(201).JSON(nil) },
		"/text":     func(_ *nexios.Request, res *nexios.Response) error { return res.Status(418).Text("I'm a teapot") },
		"/html":     func(_ *nexios.Request, res *nexios.Response) error { return res.HTML("<h1>hi</h1>") },
		"/xml":      func(_ *nexios.Request, res *nexios.Response) error { return res.XML(note{Message: "Hello, World!"}) },
		"/bytes":    func(_ *nexios.Request, res *nexios.Response) error { return res.Bytes("image/png", []byte{0x89, 'P'}) },
		"/csv":      func(_ *nexios.Request, res *nexios.Response) error { return res.Send(csvBody{{"a", "b"}, {"1", "2"}}) },
		"/badbody":  func(_ *nexios.Request, res *nexios.Response) error { return res.Send(failingBody{}) },
		"/empty":    func(_ *nexios.Request, res *nexios.Response) error { return res.NoContent() },
		"/redirect": func(_ *nexios.Request, res *nexios.Response) error { return res.Redirect("/text", 0) },
		"/badredir": func(_ *nexios.Request, res *nexios.Response) error { return res.Redirect("/x", 200) },
		"/big": func(_ *nexios.Request, res *nexios.Response) error {
			return res.Text(strings.Repeat("x", 10000))
		},
		"/twice": func(_ *nexios.Request, res *nexios.Response) error {
			if err := res.Text("first"); err != nil {
				return err
			}
			if err := res.JSON("second"); !errors.Is(err, nexios.ErrResponseCommitted) {
				return fmt.Errorf("second write: %v", err)
			}
			return nil
		},
		"/headers": func(_ *nexios.Request, res *nexios.Response) error {
			res.SetHeader("X-One", "1").SetHeader("X-One", "2")
			res.Header().Add("X-Two", "a")
			return res.Text("h")
		},
		"/badstatus": func(_ *nexios.Request, res *nexios.Response) error { return res.Status(42).Text("x") },
	}
	for p, h := range routes {
		app.Get(p, h)
	}
	c := testclient.New(app, testclient.WithoutRedirects())
	cases := []struct {
		path, ct string
		status   int
		body     string
	}{
		{"/json", "application/json", 200, "{\"a\":\"b\"}\n"},
		{"/created", "application/json", 201, "null\n"},
		{"/text", "text/plain; charset=utf-8", 418, "I'm a teapot"},
		{"/html", "text/html; charset=utf-8", 200, "<h1>hi</h1>"},
		{"/xml", "application/xml; charset=utf-8", 200, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<note><message>Hello, World!</message></note>"},
		{"/bytes", "image/png", 200, "\x89P"},
		{"/csv", "text/csv", 200, "a,b\n1,2\n"},
		{"/badbody", "application/problem+json", 500, ""},
		{"/empty", "", 204, ""},
		{"/redirect", "text/html; charset=utf-8", 302, ""},
		{"/badredir", "application/problem+json", 500, ""},
		{"/twice", "text/plain; charset=utf-8", 200, "first"},
		{"/badstatus", "application/problem+json", 500, ""},
	}
	for _, tc := range cases {
		r := c.Get(tc.path)
		if r.Status != tc.status || r.Header.Get("Content-Type") != tc.ct || (tc.body != "" && r.Text() != tc.body) {
			t.Errorf("%s: %d %q %q; want %d %q %q", tc.path, r.Status, r.Header.Get("Content-Type"), r.Text(), tc.status, tc.ct, tc.body)
		}
	}
	if r := c.Get("/big"); r.Header.Get("Content-Length") != "10000" || len(r.Body) != 10000 {
		t.Errorf("big: %v %d", r.Header, len(r.Body))
	}
	if r := c.Get("/headers"); strings.Join(r.Header.Values("X-One"), ",") != "2" || r.Header.Get("X-Two") != "a" {
		t.Errorf("headers: %v", r.Header)
	}
	if r := c.Get("/redirect"); r.Header.Get("Location") != "/text" {
		t.Errorf("location %q", r.Header.Get("Location"))
	}
}

func TestCookies(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Post("/login", func(_ *nexios.Request, res *nexios.Response) error {
		if err := res.SetCookie(&http.Cookie{Name: "sid", Value: "abc", HttpOnly: true}); err != nil {
			return err
		}
		return res.Text("ok")
	})
	app.Get("/me", func(req *nexios.Request, res *nexios.Response) error { return res.Text("sid=" + req.Cookie("sid")) })
	app.Post("/logout", func(_ *nexios.Request, res *nexios.Response) error {
		res.DeleteCookie("sid")
		return res.NoContent()
	})
	app.Get("/bad", func(_ *nexios.Request, res *nexios.Response) error {
		return res.SetCookie(&http.Cookie{Name: "bad name", Value: "x"})
	})
	c := testclient.New(app)
	r := c.Post("/login")
	set := r.Header.Get("Set-Cookie")
	for _, want := range []string{"sid=abc", "Path=/", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(set, want) {
			t.Errorf("Set-Cookie %q lacks %q", set, want)
		}
	}
	if strings.Contains(set, "Secure") {
		t.Errorf("Secure set over plain HTTP: %q", set)
	}
	if got := c.Get("/me").Text(); got != "sid=abc" {
		t.Errorf("jar: %s", got)
	}
	c.Post("/logout")
	if got := c.Get("/me").Text(); got != "sid=" {
		t.Errorf("after logout: %s", got)
	}
	if r := c.Get("/bad"); r.Status != 500 {
		t.Errorf("invalid cookie: %d", r.Status)
	}
	tls := testclient.New(app, testclient.WithBaseURL("https://testserver"))
	if set := tls.Post("/login").Header.Get("Set-Cookie"); !strings.Contains(set, "Secure") {
		t.Errorf("no Secure over TLS: %q", set)
	}
}

func TestFlushAndStream(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Get("/stream", func(req *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Content-Type", "text/event-stream")
		for i := range 3 {
			fmt.Fprintf(res, "data: %d\n\n", i)
			if err := http.NewResponseController(res).Flush(); err != nil {
				return err
			}
		}
		return nil
	})
	c := testclient.New(app)
	resp, err := c.Stream(t.Context(), "GET", "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "data: 0\n\ndata: 1\n\ndata: 2\n\n" || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Errorf("stream %q %v", b, resp.Header)
	}
}

func TestEarlyHints(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Get("/", func(_ *nexios.Request, res *nexios.Response) error {
		res.Header().Set("Link", "</style.css>; rel=preload")
		res.WriteHeader(http.StatusEarlyHints)
		if res.Committed() {
			return errors.New("1xx committed the response")
		}
		return res.Text("body")
	})
	srv := httptest.NewServer(app)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(b) != "body" {
		t.Errorf("%d %q", resp.StatusCode, b)
	}
}
