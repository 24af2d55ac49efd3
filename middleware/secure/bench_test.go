package secure_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nexios-go/nexios/internal/benchtest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/secure"
)

func benchApp(cfg *secure.Config, setServer bool) *nexios.App {
	app := nexios.New(nexios.Config{})
	if cfg != nil {
		app.Use(nexios.Must(secure.New(*cfg)))
	}
	app.Get("/", func(_ *nexios.Request, res *nexios.Response) error {
		if setServer {
			res.Header()["Server"] = serverValue
		}
		return res.Text("ok")
	})
	return app
}

var serverValue = []string{"x"}

func httpsRequest() *http.Request {
	r := httptest.NewRequest("GET", "/", nil)
	r.TLS = &tls.ConnectionState{}
	return r
}

func serve(app http.Handler, w *benchtest.Writer, r *http.Request) {
	w.Reset()
	app.ServeHTTP(w, r)
}

func bench(b *testing.B, app http.Handler, r *http.Request) {
	w := benchtest.NewWriter()
	b.ReportAllocs()
	for b.Loop() {
		serve(app, w, r)
	}
}

// BenchmarkBaseline is the same app without the middleware.
func BenchmarkBaseline(b *testing.B) { bench(b, benchApp(nil, false), httpsRequest()) }

// BenchmarkDefaults sets every default header (HSTS included) and wraps
// the writer to strip Server and X-Powered-By.
func BenchmarkDefaults(b *testing.B) { bench(b, benchApp(&secure.Config{}, false), httpsRequest()) }

// BenchmarkDefaultsRemoving has a handler that sets Server.
func BenchmarkDefaultsRemoving(b *testing.B) {
	bench(b, benchApp(&secure.Config{}, true), httpsRequest())
}

// BenchmarkKeepHeaders sets the headers without wrapping the writer.
func BenchmarkKeepHeaders(b *testing.B) {
	bench(b, benchApp(&secure.Config{KeepHeaders: true}, false), httpsRequest())
}

// TestNoAllocations pins the promise that the middleware adds no
// allocation per request.
func TestNoAllocations(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("allocation counts are not stable under -race")
	}
	w := benchtest.NewWriter()
	r := httpsRequest()
	for _, setServer := range []bool{false, true} {
		base, with := benchApp(nil, setServer), benchApp(&secure.Config{}, setServer)
		serve(base, w, r)
		serve(with, w, r)
		a := testing.AllocsPerRun(200, func() { serve(base, w, r) })
		b := testing.AllocsPerRun(200, func() { serve(with, w, r) })
		if b > a {
			t.Errorf("setServer=%v: %v allocs per request with the middleware, %v without", setServer, b, a)
		}
	}
}
