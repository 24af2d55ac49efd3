package otel_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/internal/benchtest"
	nxotel "github.com/nexios-go/nexios/otel"
)

// discard is an exporter that drops spans: the benchmark measures making
// and ending them, not shipping them.
type discard struct{}

func (discard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discard) Shutdown(context.Context) error                             { return nil }

// BenchmarkPlaintext measures the cost of tracing on the smallest
// request: off, on with every request sampled, and on with none sampled
// (the span context still flows, for logs).
func BenchmarkPlaintext(b *testing.B) {
	for _, bc := range []struct {
		name    string
		sampler sdktrace.Sampler // nil: tracing off
	}{{"Off", nil}, {"Sampled", sdktrace.AlwaysSample()}, {"Unsampled", sdktrace.NeverSample()}} {
		b.Run(bc.name, func(b *testing.B) {
			app := nexios.New(nexios.Config{})
			if bc.sampler != nil {
				tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(bc.sampler), sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(discard{})))
				b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
				app.Use(nexios.Must(nxotel.Middleware(nxotel.Config{TracerProvider: tp, Propagator: propagation.TraceContext{}})))
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
