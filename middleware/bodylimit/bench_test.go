package bodylimit_test

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/nexios-go/nexios/internal/benchtest"

	"github.com/nexios-go/nexios"
)

func benchApp(b *testing.B, limit int64) *nexios.App {
	cfg := nexios.Config{}
	if limit > 0 {
		cfg.MaxBodyBytes = limit
	}
	app := nexios.New(cfg)
	if limit > 0 {
		app.Use(mw(b))
	}
	app.Get("/", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") })
	app.Post("/", echoLen)
	return app
}

func BenchmarkGet(b *testing.B) {
	for _, tt := range []struct {
		name  string
		limit int64
	}{{"baseline", 0}, {"bodylimit", 1 << 20}} {
		b.Run(tt.name, func(b *testing.B) {
			app := benchApp(b, tt.limit)
			r := httptest.NewRequest("GET", "/", nil)
			w := benchtest.NewWriter()
			b.ReportAllocs()
			for b.Loop() {
				w.Reset()
				app.ServeHTTP(w, r)
			}
		})
	}
}

// BenchmarkPost reads a 512-byte body through req.Body.
func BenchmarkPost(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 512)
	for _, tt := range []struct {
		name  string
		limit int64
	}{{"baseline", 0}, {"bodylimit", 1 << 20}} {
		b.Run(tt.name, func(b *testing.B) {
			app := benchApp(b, tt.limit)
			rd := bytes.NewReader(body)
			r := httptest.NewRequest("POST", "/", rd)
			w := benchtest.NewWriter()
			b.ReportAllocs()
			for b.Loop() {
				w.Reset()
				rd.Reset(body)
				r.Body = readCloser{rd} // the core wrapped the previous one

				app.ServeHTTP(w, r)
			}
		})
	}
}

// BenchmarkRejected is a declared length over the limit.
func BenchmarkRejected(b *testing.B) {
	app := benchApp(b, 1024)
	r := httptest.NewRequest("POST", "/", bytes.NewReader(nil))
	r.ContentLength = 1 << 20
	w := benchtest.NewWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		app.ServeHTTP(w, r)
	}
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }
