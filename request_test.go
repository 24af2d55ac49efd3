package nexios_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/testclient"
)

func TestQueryGetters(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Get("/q", func(req *nexios.Request, res *nexios.Response) error {
		page, err := req.QueryInt("page", 1)
		if err != nil {
			return err
		}
		ratio, err := req.QueryFloat("ratio", 0.5)
		if err != nil {
			return err
		}
		on, err := req.QueryBool("on", false)
		if err != nil {
			return err
		}
		return res.JSON(map[string]any{
			"q": req.Query("q"), "def": req.QueryDefault("d", "dflt"), "tags": req.QueryValues("tag"),
			"page": page, "ratio": ratio, "on": on,
		})
	})
	c := testclient.New(app)
	cases := []struct {
		query  string
		status int
		want   map[string]any
	}{
		{"", 200, map[string]any{"q": "", "def": "dflt", "page": 1.0, "ratio": 0.5, "on": false}},
		{"q=hello%20world&page=3&ratio=2.5&on=yes&d=", 200, map[string]any{"q": "hello world", "def": "", "page": 3.0, "ratio": 2.5, "on": true}},
		{"q=caf%C3%A9&tag=a&tag=b", 200, map[string]any{"q": "café", "tags": []any{"a", "b"}}},
		{"q=%zz&page=2", 200, map[string]any{"q": "", "page": 2.0}}, // malformed pair skipped
		{"page=abc", 422, nil},
		{"ratio=x", 422, nil},
		{"on=maybe", 422, nil},
	}
	for _, tc := range cases {
		r := c.Get("/q?" + tc.query)
		if r.Status != tc.status {
			t.Errorf("?%s: status %d body %s", tc.query, r.Status, r.Text())
			continue
		}
		var got map[string]any
		if err := r.JSON(&got); err != nil {
			t.Fatal(err)
		}
		if tc.status == 422 {
			errs := got["errors"].([]any)
			if len(errs) != 1 || errs[0].(map[string]any)["location"] != "query" {
				t.Errorf("?%s: errors %v", tc.query, errs)
			}
			continue
		}
		for k, v := range tc.want {
			if fmt.Sprint(got[k]) != fmt.Sprint(v) {
				t.Errorf("?%s: %s = %v, want %v", tc.query, k, got[k], v)
			}
		}
	}
}

func TestHeadersCookiesClientIPValues(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	userID := nexios.NewKey[string]("user_id")
	app.Use(func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			userID.Set(req, "12345")
			return next(req, res)
		}
	})
	app.Get("/info", func(req *nexios.Request, res *nexios.Response) error {
		uid, _ := userID.Get(req)
		_, missing := nexios.NewKey[string]("user_id").Get(req)
		return res.JSON(map[string]any{
			"agent": req.Header("X-Agent"), "cookie": req.Cookie("session_id"), "nocookie": req.Cookie("nope"),
			"ip": req.ClientIP(), "scheme": req.Scheme(), "uid": uid, "wrongType": missing, "method": req.Method(),
		})
	})
	c := testclient.New(app)
	r := c.Get("/info", testclient.Header("X-Agent", "tester"), testclient.Cookie(&http.Cookie{Name: "session_id", Value: "abc123"}))
	var got map[string]any
	if err := r.JSON(&got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"agent": "tester", "cookie": "abc123", "nocookie": "", "ip": "192.0.2.1", "scheme": "http", "uid": "12345", "wrongType": false, "method": "GET"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

type signup struct {
	Name  string     `json:"name" form:"name" validate:"required,min=2"`
	Age   int        `json:"age" form:"age" validate:"gte=0,lte=150"`
	Email string     `json:"email" form:"email" validate:"omitempty,email"`
	Tags  []string   `json:"tags" form:"tag"`
	When  *time.Time `json:"when" form:"when"`
}

func TestBind(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{MaxBodyBytes: 1024})
	app.Route([]string{"GET", "POST", "DELETE"}, "/bind", func(req *nexios.Request, res *nexios.Response) error {
		var s signup
		if err := req.Bind(&s); err != nil {
			return err
		}
		return res.JSON(s)
	})
	c := testclient.New(app)
	cases := []struct {
		name   string
		method string
		path   string
		opts   []testclient.RequestOption
		status int
		check  string
	}{
		{"json ok", "POST", "/bind", []testclient.RequestOption{testclient.JSON(map[string]any{"name": "Ann", "age": 30})}, 200, `"name":"Ann"`},
		{"json+suffix", "POST", "/bind", []testclient.RequestOption{testclient.Body("application/vnd.api+json", []byte(`{"name":"Bo"}`))}, 200, `"name":"Bo"`},
		{"json invalid", "POST", "/bind", []testclient.RequestOption{testclient.JSON(map[string]any{"name": "A", "age": -1, "email": "x"})}, 422, `"field":"email"`},
		{"json malformed", "POST", "/bind", []testclient.RequestOption{testclient.Body("application/json", []byte(`{"name":`))}, 400, "malformed JSON"},
		{"json wrong type", "POST", "/bind", []testclient.RequestOption{testclient.Body("application/json", []byte(`{"name":"Ann","age":"old"}`))}, 422, `{"location":"body","field":"age","message":"must be an integer","rule":"type"}`},
		{"json empty", "POST", "/bind", []testclient.RequestOption{testclient.Body("application/json", nil)}, 422, `"rule":"required"`},
		{"json too large", "POST", "/bind", []testclient.RequestOption{testclient.Body("application/json", []byte(`{"name":"`+strings.Repeat("a", 2000)+`"}`))}, 413, "exceeds"},
		{"json too large chunked", "POST", "/bind", []testclient.RequestOption{testclient.Reader("application/json", strings.NewReader(`{"name":"`+strings.Repeat("a", 2000)+`"}`))}, 413, "exceeds"},
		{"form ok", "POST", "/bind", []testclient.RequestOption{testclient.Form(url.Values{"name": {"Cy"}, "age": {"7"}, "tag": {"a", "b"}, "when": {"2024-05-01"}})}, 200, `"tags":["a","b"]`},
		{"form bad int", "POST", "/bind", []testclient.RequestOption{testclient.Form(url.Values{"name": {"Cy"}, "age": {"x"}})}, 422, `"rule":"type"`},
		{"multipart", "POST", "/bind", []testclient.RequestOption{testclient.Multipart(map[string]string{"name": "Di", "age": "5"})}, 200, `"name":"Di"`},
		{"query on GET", "GET", "/bind?name=Ed&age=40", nil, 200, `"age":40`},
		{"query invalid", "DELETE", "/bind?name=E", nil, 422, `"location":"query"`},
		{"unsupported type", "POST", "/bind", []testclient.RequestOption{testclient.Body("text/csv", []byte("a,b"))}, 415, "unsupported"},
		{"no body", "POST", "/bind", nil, 422, `"field":"name","message":"is required"`},
		{"json not an object", "POST", "/bind", []testclient.RequestOption{testclient.Body("application/json", []byte(`[1]`))}, 422, `"message":"must be an object"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := c.Do(tc.method, tc.path, tc.opts...)
			if r.Status != tc.status || !strings.Contains(r.Text(), tc.check) {
				t.Errorf("status %d body %s; want %d containing %s", r.Status, r.Text(), tc.status, tc.check)
			}
			if tc.status >= 400 && r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("content type %q", r.Header.Get("Content-Type"))
			}
		})
	}
}

func TestBodyHelpers(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{MaxBodyBytes: 64})
	app.Post("/raw", func(req *nexios.Request, res *nexios.Response) error {
		b, err := req.Body()
		if err != nil {
			return err
		}
		again, _ := req.Body() // cached
		return res.Text(fmt.Sprintf("%d:%s:%v", len(b), req.ContentType(), string(again) == string(b)))
	})
	app.Post("/form", func(req *nexios.Request, res *nexios.Response) error {
		return res.Text(req.FormValue("a") + "|" + req.FormValue("missing"))
	})
	app.Post("/big", func(req *nexios.Request, res *nexios.Response) error {
		b, err := req.Body()
		if err != nil {
			return err
		}
		return res.Text(fmt.Sprint(len(b)))
	}, nexios.BodyLimit(1<<20))
	app.Post("/json", func(req *nexios.Request, res *nexios.Response) error {
		var v []int
		if err := req.JSON(&v); err != nil {
			return err
		}
		return res.JSON(len(v))
	})
	c := testclient.New(app)
	if r := c.Post("/raw", testclient.Body("text/plain; charset=utf-8", []byte("hello"))); r.Text() != "5:text/plain:true" {
		t.Errorf("raw: %s", r.Text())
	}
	if r := c.Post("/raw", testclient.Body("text/plain", make([]byte, 65))); r.Status != 413 {
		t.Errorf("over limit: %d", r.Status)
	}
	if r := c.Post("/big", testclient.Body("text/plain", make([]byte, 5000))); r.Text() != "5000" {
		t.Errorf("raised limit: %d %s", r.Status, r.Text())
	}
	if r := c.Post("/form", testclient.Form(url.Values{"a": {"1"}})); r.Text() != "1|" {
		t.Errorf("form: %s", r.Text())
	}
	if r := c.Post("/form", testclient.Body("application/json", []byte("{}"))); r.Text() != "|" {
		t.Errorf("form of json: %s", r.Text())
	}
	if r := c.Post("/json", testclient.Body("", []byte("[1,2,3]"))); r.Text() != "3\n" {
		t.Errorf("json: %q", r.Text())
	}
}
