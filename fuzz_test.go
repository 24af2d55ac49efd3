package nexios_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/nexios-go/nexios"
)

func fuzzApp() *nexios.App {
	app := nexios.New(nexios.Config{Logger: quiet, MaxBodyBytes: 4096})
	app.Get("/", text("root"))
	app.Get("/items/{id:int}", func(req *nexios.Request, res *nexios.Response) error {
		id, err := req.PathInt("id")
		if err != nil {
			return err
		}
		return res.JSON(id)
	})
	app.Get("/prices/{p:float}", func(req *nexios.Request, res *nexios.Response) error {
		p, err := req.PathFloat("p")
		if err != nil {
			return err
		}
		return res.JSON(p)
	})
	app.Get("/u/{id:uuid}", echoParams)
	app.Get("/s/{slug:slug}", echoParams)
	app.Get("/n/{name}", echoParams)
	app.Get("/w/{rest:path}", echoParams)
	app.Post("/json", func(req *nexios.Request, res *nexios.Response) error {
		var v struct {
			Name string `json:"name" validate:"required,max=10"`
			Age  int    `json:"age" validate:"gte=0"`
		}
		if err := req.Bind(&v); err != nil {
			return err
		}
		return res.JSON(v)
	})
	return app
}

// FuzzServePath sends arbitrary paths and queries through the whole app:
// every answer must be a well-formed 2xx/3xx/4xx, never a panic or a 5xx.
func FuzzServePath(f *testing.F) {
	for _, s := range []string{"/", "/items/1", "/items/99999999999999999999", "/prices/1.5", "/u/123e4567-e89b-12d3-a456-426614174000",
		"/s/a-b", "/n/%2F", "/w/a/../b", "//", "/items/1?x=%zz", "/n/caf%C3%A9", "/w/", "/%00", "/items/%31"} {
		f.Add(s)
	}
	app := fuzzApp()
	f.Fuzz(func(t *testing.T, target string) {
		u, err := url.ParseRequestURI(target)
		if err != nil || !strings.HasPrefix(u.Path, "/") {
			return // net/http answers 400 before any handler runs
		}
		r := &http.Request{Method: "GET", URL: u, Header: http.Header{}, RequestURI: target, Host: "x", Body: http.NoBody}
		w := httptest.NewRecorder()
		app.ServeHTTP(w, r)
		if w.Code >= 500 || w.Code < 200 {
			t.Fatalf("%q: status %d %s", target, w.Code, w.Body)
		}
	})
}

// FuzzBindJSON posts arbitrary bodies: 2xx, 400, 413 or 422 only.
func FuzzBindJSON(f *testing.F) {
	for _, s := range []string{`{"name":"a","age":1}`, `{"name":`, `[]`, `null`, `{"age":"x"}`, `{"name":"` + strings.Repeat("a", 20) + `"}`, "", "\x00"} {
		f.Add(s, "application/json")
	}
	f.Add("name=a", "application/x-www-form-urlencoded")
	f.Add("--x\r\n", "multipart/form-data; boundary=x")
	app := fuzzApp()
	f.Fuzz(func(t *testing.T, body, ct string) {
		r := httptest.NewRequest("POST", "/json", strings.NewReader(body))
		r.Header.Set("Content-Type", ct)
		w := httptest.NewRecorder()
		app.ServeHTTP(w, r)
		switch w.Code {
		case 200, 400, 413, 415, 422:
		default:
			t.Fatalf("body %q ct %q: status %d %s", body, ct, w.Code, w.Body)
		}
	})
}

// FuzzConverters checks that what a converter accepts, the typed getter
// parses.
func FuzzConverters(f *testing.F) {
	for _, s := range []string{"0", "42", "9223372036854775807", "9223372036854775808", "1.5", "1e5", "-1", "a-b", "Ab", "123e4567-e89b-12d3-a456-426614174000"} {
		f.Add(s)
	}
	app := fuzzApp()
	f.Fuzz(func(t *testing.T, seg string) {
		esc := url.PathEscape(seg)
		for _, prefix := range []string{"/items/", "/prices/", "/u/", "/s/", "/n/"} {
			r := httptest.NewRequest("GET", "/", nil)
			r.URL = &url.URL{Path: prefix + seg, RawPath: prefix + esc}
			w := httptest.NewRecorder()
			app.ServeHTTP(w, r)
			if w.Code >= 500 {
				t.Fatalf("%s%q: %d %s", prefix, seg, w.Code, w.Body)
			}
		}
	})
}
