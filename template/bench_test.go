package template_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/template"
)

var homeData = map[string]any{
	"title":   "Home",
	"content": "Welcome!",
	"features": []map[string]string{
		{"name": "Fast", "description": "Built for speed"},
		{"name": "Secure", "description": "Security first"},
	},
}

// BenchmarkRender renders a page that extends a layout and includes a
// partial, straight into io.Discard.
func BenchmarkRender(b *testing.B) {
	e, err := template.New(template.Config{FS: site()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := e.Render(io.Discard, "pages/home.html", homeData); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderRequest renders the same page through res.Render, with a
// global and a context processor, so the data map is built per request.
func BenchmarkRenderRequest(b *testing.B) {
	for _, reload := range []bool{false, true} {
		name := "cached"
		if reload {
			name = "reload"
		}
		b.Run(name, func(b *testing.B) {
			e, err := template.New(template.Config{
				FS:      site(),
				Reload:  reload,
				Globals: map[string]any{"site": "Nexios"},
				ContextProcessors: []template.ContextProcessor{func(req *nexios.Request) (map[string]any, error) {
					return map[string]any{"user": "ada"}, nil
				}},
			})
			if err != nil {
				b.Fatal(err)
			}
			app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
			template.Use(app, e)
			app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
				return template.Render(res, "pages/home.html", homeData)
			})
			req := httptest.NewRequest("GET", "/", nil)
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				app.ServeHTTP(w, req)
			}
		})
	}
}

type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
