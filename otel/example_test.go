package otel_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/nexios-go/nexios"
	nxotel "github.com/nexios-go/nexios/otel"
	"github.com/nexios-go/nexios/testclient"
)

func Example() {
	// In production: sdktrace.WithBatcher(an OTLP exporter); see
	// docs/observability.md.
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())

	app := nexios.New(nexios.Config{})
	app.Use(nexios.Must(nxotel.Middleware(nxotel.Config{TracerProvider: tp, Propagator: propagation.TraceContext{}})))
	app.Get("/orders/{id:int}", func(req *nexios.Request, res *nexios.Response) error {
		return res.Text("order " + req.Path("id"))
	})
	testclient.New(app).Get("/orders/7",
		testclient.Header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))

	s := exp.GetSpans()[0]
	fmt.Println(s.Name)
	fmt.Println(s.SpanContext.TraceID()) // the caller's trace, continued
	// Output:
	// GET /orders/{id:int}
	// 4bf92f3577b34da6a3ce929d0e0e4736
}

func ExampleLogHandler() {
	logger := slog.New(nxotel.LogHandler(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // deterministic output
			}
			return a
		},
	})))
	tp := sdktrace.NewTracerProvider()
	defer tp.Shutdown(context.Background())
	ctx, span := tp.Tracer("example").Start(context.Background(), "work")
	defer span.End()
	logger.InfoContext(ctx, "charging card")
	// level=INFO msg="charging card" trace_id=… span_id=…
	logger.Info("no request")
	// level=INFO msg="no request"
}
