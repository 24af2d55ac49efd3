package otelredis_test

import (
	"os"
	"strings"
	"testing"

	goredis "github.com/redis/go-redis/v9"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/nexios-go/nexios/otel/otelredis"
)

func client(t *testing.T) *goredis.Client {
	t.Helper()
	url := os.Getenv("NEXIOS_TEST_REDIS_URL")
	if url == "" {
		t.Skip("NEXIOS_TEST_REDIS_URL is not set; Redis tests skipped (e.g. redis://127.0.0.1:6379/0)")
	}
	opts, err := goredis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := goredis.NewClient(opts)
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

func TestCommandsAreSpansUnderTheCaller(t *testing.T) {
	for _, statements := range []bool{false, true} {
		exp := tracetest.NewInMemoryExporter()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
		rdb := client(t)
		if err := otelredis.Instrument(rdb, otelredis.Config{TracerProvider: tp, Statements: statements}); err != nil {
			t.Fatal(err)
		}
		ctx, parent := tp.Tracer("test").Start(t.Context(), "request")
		key := "otelredis-test:" + t.Name()
		if err := rdb.Set(ctx, key, "secret-token", 0).Err(); err != nil {
			t.Fatal(err)
		}
		if err := rdb.Del(ctx, key).Err(); err != nil {
			t.Fatal(err)
		}
		parent.End()
		var set *tracetest.SpanStub
		spans := exp.GetSpans()
		for i := range spans {
			if spans[i].Name == "set" {
				set = &spans[i]
			}
		}
		if set == nil {
			t.Fatalf("no span for SET among %d spans", len(spans))
		}
		if set.Parent.SpanID() != parent.SpanContext().SpanID() || set.SpanContext.TraceID() != parent.SpanContext().TraceID() {
			t.Errorf("SET span is not a child of the request span")
		}
		leaked := false
		for _, a := range set.Attributes {
			if a.Value.String() != "" && strings.Contains(a.Value.String(), "secret-token") {
				leaked = true
			}
		}
		if leaked != statements {
			t.Errorf("Statements=%v: arguments recorded = %v", statements, leaked)
		}
		_ = tp.Shutdown(t.Context())
	}
}
