package timeout_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/timeout"
)

// nopWriter is a ResponseWriter that keeps nothing, so benchmarks measure
// the framework and the middleware alone.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(int)             {}

func BenchmarkTimeout(b *testing.B) {
	for _, tt := range []struct {
		name string
		mw   []nexios.Middleware
	}{
		{"baseline", nil},
		{"timeout", []nexios.Middleware{mw(b, timeout.Config{Timeout: 5 * time.Second})}},
		// The inner middleware sees an earlier deadline and does nothing.
		{"nested-noop", []nexios.Middleware{mw(b, timeout.Config{Timeout: 5 * time.Second}), mw(b, timeout.Config{Timeout: time.Minute})}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			app := nexios.New(nexios.Config{})
			app.Use(tt.mw...)
			app.Get("/", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") })
			r := httptest.NewRequest("GET", "/", nil)
			w := &nopWriter{h: make(http.Header)}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				app.ServeHTTP(w, r)
			}
		})
	}
}
