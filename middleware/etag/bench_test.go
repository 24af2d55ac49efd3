package etag_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/internal/benchtest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/etag"
)

var jsonBody = []byte(`{"items":[` + strings.Repeat(`{"id":12345,"name":"widget"},`, 30) + `{}]}`) // ~900 B

func benchApp(mw nexios.Middleware) *nexios.App {
	app := nexios.New(nexios.Config{})
	if mw != nil {
		app.Use(mw)
	}
	app.Get("/json", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Bytes("application/json", jsonBody)
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

// BenchmarkBaseline is the same app without the middleware.
func BenchmarkBaseline(b *testing.B) {
	benchServe(b, benchApp(nil), httptest.NewRequest(http.MethodGet, "/json", nil))
}

// Benchmark200 hashes the body and sends it with its tag.
func Benchmark200(b *testing.B) {
	benchServe(b, benchApp(mustNew(b, etag.Config{})), httptest.NewRequest(http.MethodGet, "/json", nil))
}

// Benchmark304 answers a matching If-None-Match.
func Benchmark304(b *testing.B) {
	app := benchApp(mustNew(b, etag.Config{}))
	w := httptest.NewRecorder()
	app.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/json", nil))
	r := httptest.NewRequest(http.MethodGet, "/json", nil)
	r.Header.Set("If-None-Match", w.Header().Get("ETag"))
	benchServe(b, app, r)
}

// BenchmarkPOST measures the bypass for methods other than GET and HEAD.
func BenchmarkPOST(b *testing.B) {
	app := nexios.New(nexios.Config{})
	app.Use(mustNew(b, etag.Config{}))
	app.Post("/json", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Bytes("application/json", jsonBody)
	})
	benchServe(b, app, httptest.NewRequest(http.MethodPost, "/json", nil))
}
