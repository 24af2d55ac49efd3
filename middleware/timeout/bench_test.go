package timeout_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nexios-go/nexios/internal/benchtest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/timeout"
)

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
			w := benchtest.NewWriter()
			b.ReportAllocs()
			for b.Loop() {
				w.Reset()
				app.ServeHTTP(w, r)
			}
		})
	}
}
