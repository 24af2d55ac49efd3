package cors_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nexios-go/nexios/internal/benchtest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/cors"
)

func benchApp(withCORS bool) *nexios.App {
	app := nexios.New(nexios.Config{})
	if withCORS {
		app.Use(nexios.Must(cors.New(cors.Config{
			AllowOrigins:     []string{"https://app.example.com", "https://*.example.org"},
			AllowHeaders:     []string{"Content-Type", "Authorization"},
			ExposeHeaders:    []string{"X-Total-Count"},
			AllowCredentials: true,
			MaxAge:           time.Hour,
		})))
	}
	app.Route([]string{"GET", "PUT"}, "/api/items", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Text("ok")
	})
	return app
}

func bench(b *testing.B, app http.Handler, r *http.Request) {
	w := benchtest.NewWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		app.ServeHTTP(w, r)
	}
}

func request(method string, h ...string) *http.Request {
	r := httptest.NewRequest(method, "/api/items", nil)
	for i := 0; i < len(h); i += 2 {
		r.Header.Set(h[i], h[i+1])
	}
	return r
}

// BenchmarkBaseline is the same app without the middleware.
func BenchmarkBaseline(b *testing.B) {
	bench(b, benchApp(false), request("GET", "Origin", "https://app.example.com"))
}

func BenchmarkNoOrigin(b *testing.B) {
	bench(b, benchApp(true), request("GET"))
}

func BenchmarkAllowedOrigin(b *testing.B) {
	bench(b, benchApp(true), request("GET", "Origin", "https://app.example.com"))
}

func BenchmarkWildcardOrigin(b *testing.B) {
	bench(b, benchApp(true), request("GET", "Origin", "https://shop.example.org"))
}

func BenchmarkDisallowedOrigin(b *testing.B) {
	bench(b, benchApp(true), request("GET", "Origin", "https://evil.example"))
}

func BenchmarkPreflight(b *testing.B) {
	bench(b, benchApp(true), request("OPTIONS", "Origin", "https://app.example.com",
		"Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "authorization,content-type"))
}

// BenchmarkBaselineOptions is an OPTIONS request without the middleware
// (the core's automatic OPTIONS answer), the baseline for Preflight.
func BenchmarkBaselineOptions(b *testing.B) {
	bench(b, benchApp(false), request("OPTIONS", "Origin", "https://app.example.com",
		"Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "authorization,content-type"))
}
