package nexios_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/internal/benchtest"

	"github.com/nexios-go/nexios"
)

func benchServe(b *testing.B, app http.Handler, r *http.Request) {
	w := benchtest.NewWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		app.ServeHTTP(w, r)
	}
}

func BenchmarkPlaintext(b *testing.B) {
	app := nexios.New(nexios.Config{})
	app.Get("/plaintext", text("Hello, World!"))
	benchServe(b, app, httptest.NewRequest("GET", "/plaintext", nil))
}

func BenchmarkParamInt(b *testing.B) {
	app := nexios.New(nexios.Config{})
	app.Get("/users/{id:int}", func(req *nexios.Request, res *nexios.Response) error {
		if _, err := req.PathInt("id"); err != nil {
			return err
		}
		return res.Text("ok")
	})
	benchServe(b, app, httptest.NewRequest("GET", "/users/12345", nil))
}

func BenchmarkJSON(b *testing.B) {
	type msg struct {
		Message string `json:"message"`
	}
	app := nexios.New(nexios.Config{})
	app.Get("/json", func(_ *nexios.Request, res *nexios.Response) error {
		return res.JSON(msg{Message: "Hello, World!"})
	})
	benchServe(b, app, httptest.NewRequest("GET", "/json", nil))
}

func BenchmarkNotFound(b *testing.B) {
	app := nexios.New(nexios.Config{})
	app.Get("/a", text("a"))
	benchServe(b, app, httptest.NewRequest("GET", "/missing/path", nil))
}

func BenchmarkBindJSON(b *testing.B) {
	type user struct {
		Name  string `json:"name" validate:"required,min=2"`
		Email string `json:"email" validate:"required,email"`
		Age   int    `json:"age" validate:"gte=0,lte=150"`
	}
	app := nexios.New(nexios.Config{})
	app.Post("/users", func(req *nexios.Request, res *nexios.Response) error {
		var u user
		if err := req.Bind(&u); err != nil {
			return err
		}
		return res.NoContent()
	})
	body := `{"name":"Ann","email":"ann@example.com","age":30}`
	w := benchtest.NewWriter()
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("POST", "/users", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		app.ServeHTTP(w, r)
	}
}

func TestHotPathAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	app := nexios.New(nexios.Config{})
	app.Get("/plaintext", text("Hello, World!"))
	app.Get("/users/{id:int}/posts/{slug:slug}", func(req *nexios.Request, res *nexios.Response) error {
		if _, err := req.PathInt("id"); err != nil {
			return err
		}
		return res.Text(req.Path("slug"))
	})
	type msg struct {
		Message string `json:"message"`
	}
	app.Get("/json", func(_ *nexios.Request, res *nexios.Response) error {
		return res.JSON(msg{Message: "Hello, World!"})
	})
	w := benchtest.NewWriter()
	for _, target := range []string{"/plaintext", "/users/42/posts/hello-world", "/json"} {
		r := httptest.NewRequest("GET", target, nil)
		app.ServeHTTP(w, r) // warm the pools
		if n := testing.AllocsPerRun(200, func() { w.Reset(); app.ServeHTTP(w, r) }); n != 0 {
			t.Errorf("%s: %v allocs per request, want 0", target, n)
		}
	}
}

// BenchmarkKeyGetSet sets and reads a per-request typed value, as
// middleware hands data to a handler: no allocation.
func BenchmarkKeyGetSet(b *testing.B) {
	type tenant struct{ ID int }
	key := nexios.NewKey[*tenant]("tenant")
	t := &tenant{ID: 7}
	app := nexios.New(nexios.Config{})
	app.Use(func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			key.Set(req, t)
			return next(req, res)
		}
	})
	app.Get("/t", func(req *nexios.Request, res *nexios.Response) error {
		if v, ok := key.Get(req); !ok || v.ID != 7 {
			return nexios.NewHTTPError(500, "no tenant")
		}
		return res.Text("ok")
	})
	benchServe(b, app, httptest.NewRequest("GET", "/t", nil))
}
