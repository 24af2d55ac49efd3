package bench

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/cors"
	"github.com/nexios-go/nexios/middleware/logger"
	"github.com/nexios-go/nexios/middleware/recover"
	"github.com/nexios-go/nexios/middleware/requestid"
	"github.com/nexios-go/nexios/middleware/secure"
)

// stackApp serves /plaintext behind the everyday middleware stack:
// requestid, an access logger writing to a discarding handler, recover,
// cors and secure headers.
func stackApp(tb testing.TB, withStack bool) http.Handler {
	app := nexios.New(nexios.Config{})
	if withStack {
		discard := slog.New(slog.DiscardHandler)
		app.Use(
			nexios.Must(requestid.New(requestid.Config{})),
			nexios.Must(logger.New(logger.Config{Logger: discard})),
			nexios.Must(recover.New(recover.Config{})),
			nexios.Must(cors.New(cors.Config{AllowOrigins: []string{"https://app.example.com"}})),
			nexios.Must(secure.New(secure.Config{})),
		)
	}
	app.Get("/plaintext", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("Hello, World!") })
	return app
}

func TestMiddlewareStack(t *testing.T) {
	r := httptest.NewRequest("GET", "/plaintext", nil)
	r.Header.Set("Origin", "https://app.example.com")
	w := httptest.NewRecorder()
	stackApp(t, true).ServeHTTP(w, r)
	for _, h := range []string{"X-Request-Id", "Access-Control-Allow-Origin", "X-Content-Type-Options", "Content-Security-Policy"} {
		if w.Header().Get(h) == "" {
			t.Errorf("stack did not set %s: %v", h, w.Header())
		}
	}
	if w.Code != 200 || w.Body.String() != "Hello, World!" {
		t.Errorf("%d %q", w.Code, w.Body)
	}
}

// BenchmarkMiddlewareStack measures what the stack adds to a plaintext
// request, from an allowed cross-origin caller (the CORS path that does
// the most work).
func BenchmarkMiddlewareStack(b *testing.B) {
	for _, bc := range []struct {
		name  string
		stack bool
	}{{"bare", false}, {"stack", true}} {
		b.Run(bc.name, func(b *testing.B) {
			h := stackApp(b, bc.stack)
			r := httptest.NewRequest("GET", "/plaintext", nil)
			r.Header.Set("Origin", "https://app.example.com")
			w := newDiscardWriter()
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, r)
			}
		})
	}
}
