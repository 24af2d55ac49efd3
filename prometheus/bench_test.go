package prometheus_test

import (
	"net/http/httptest"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/internal/benchtest"
	nxprom "github.com/nexios-go/nexios/prometheus"
)

// BenchmarkPlaintext measures the cost of the HTTP metrics on the
// smallest request: the target is at most 1 µs and 2 allocations over
// the baseline.
func BenchmarkPlaintext(b *testing.B) {
	for _, bc := range []struct {
		name    string
		metrics bool
	}{{"Off", false}, {"Metrics", true}} {
		b.Run(bc.name, func(b *testing.B) {
			app := nexios.New(nexios.Config{})
			if bc.metrics {
				m, err := nxprom.New(nxprom.Config{})
				if err != nil {
					b.Fatal(err)
				}
				app.Use(m.Middleware())
			}
			app.Get("/plaintext", func(_ *nexios.Request, res *nexios.Response) error {
				return res.Text("Hello, World!")
			})
			r := httptest.NewRequest("GET", "/plaintext", nil)
			w := benchtest.NewWriter()
			b.ReportAllocs()
			for b.Loop() {
				w.Reset()
				app.ServeHTTP(w, r)
			}
			if w.Bytes == 0 {
				b.Fatal("nothing written")
			}
		})
	}
}
