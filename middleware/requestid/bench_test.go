package requestid_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nexios-go/nexios/internal/benchtest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/requestid"
)

func benchApp(b *testing.B, mws ...nexios.Middleware) *nexios.App {
	app := nexios.New(nexios.Config{})
	app.Use(mws...)
	app.Get("/plaintext", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Text("Hello, World!")
	})
	return app
}

func benchServe(b *testing.B, app http.Handler, r *http.Request) {
	w := benchtest.NewWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		app.ServeHTTP(w, r)
	}
}

func BenchmarkBaseline(b *testing.B) {
	benchServe(b, benchApp(b), httptest.NewRequest("GET", "/plaintext", nil))
}

func BenchmarkRequestID(b *testing.B) {
	for _, bc := range []struct {
		name     string
		cfg      requestid.Config
		incoming string
	}{
		{"Random", requestid.Config{}, ""},
		{"Sequential", requestid.Config{Sequential: true}, ""},
		{"Incoming", requestid.Config{}, "0123456789abcdef0123456789abcdef"},
		{"Context", requestid.Config{Context: true}, ""},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "/plaintext", nil)
			if bc.incoming != "" {
				r.Header.Set("X-Request-ID", bc.incoming)
			}
			benchServe(b, benchApp(b, nexios.Must(requestid.New(bc.cfg))), r)
		})
	}
}
