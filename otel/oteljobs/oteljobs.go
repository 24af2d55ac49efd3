// Package oteljobs traces durable jobs (package jobs, on River) with
// rivercontrib/otelriver, and makes a job's work continue the trace of the
// request that enqueued it:
//
//	c, err := jobs.New(d, jobs.Config{Middleware: oteljobs.Middleware(oteljobs.Config{})})
//
// Enqueueing makes a producer span (river.insert_many) under the caller's
// span and stores its W3C trace context in the job's metadata; working the
// job makes a consumer span (river.work) whose parent is that producer
// span, so the HTTP request, its SQL, the job and whatever the job does
// (a mail sent, more queries) form one trace. otelriver on its own only
// links the work span to the enqueuing trace; set LinkOnly for that
// behaviour (a separate trace per job, as some prefer for jobs that run
// long after their request, or periodic ones).
package oteljobs

import (
	"context"
	"encoding/json"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/riverqueue/rivercontrib/otelriver"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Config configures job tracing. The zero value uses the global tracer
// and meter providers and continues traces across the queue.
type Config struct {
	// TracerProvider makes the spans (default: the global one).
	TracerProvider trace.TracerProvider
	// MeterProvider receives otelriver's metrics (default: the global
	// one, a no-op unless set). Package prometheus/jobmetrics exports job
	// metrics to Prometheus without OpenTelemetry metrics.
	MeterProvider metric.MeterProvider
	// LinkOnly starts a new trace for each job's work, linked to the
	// enqueuing span instead of continuing its trace.
	LinkOnly bool
	// KindInSpanName names work spans "river.work/<kind>" rather than
	// "river.work".
	KindInSpanName bool
}

// Middleware returns the River middleware for jobs.Config.Middleware:
// otelriver's, with trace propagation on, preceded unless LinkOnly by one
// that makes the enqueuing span the parent of the work span.
func Middleware(cfg Config) []rivertype.Middleware {
	otelMW := otelriver.NewMiddleware(&otelriver.MiddlewareConfig{
		EnableTracePropagation:      true,
		EnableWorkSpanJobKindSuffix: cfg.KindInSpanName,
		TracerProvider:              cfg.TracerProvider,
		MeterProvider:               cfg.MeterProvider,
	})
	if cfg.LinkOnly {
		return []rivertype.Middleware{otelMW}
	}
	// River enters middleware in list order: the parent must be in the
	// context before otelriver starts the work span.
	return []rivertype.Middleware{&continueTrace{}, otelMW}
}

// continueTrace puts the trace context stored in a job's metadata at
// enqueue time into the context its work runs with.
type continueTrace struct {
	river.MiddlewareDefaults
}

// Work implements rivertype.WorkerMiddleware.
func (continueTrace) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	if sc := SpanContext(job.Metadata); sc.IsValid() {
		ctx = trace.ContextWithRemoteSpanContext(ctx, sc)
	}
	return doInner(ctx)
}

// SpanContext returns the W3C trace context stored in a job's metadata
// (the "traceparent" and "tracestate" keys otelriver writes), or an
// invalid one when there is none or the metadata is not a JSON object.
func SpanContext(metadata []byte) trace.SpanContext {
	if len(metadata) == 0 {
		return trace.SpanContext{}
	}
	var meta struct {
		TraceParent string `json:"traceparent"`
		TraceState  string `json:"tracestate"`
	}
	if err := json.Unmarshal(metadata, &meta); err != nil || meta.TraceParent == "" {
		return trace.SpanContext{}
	}
	carrier := propagation.MapCarrier{"traceparent": meta.TraceParent}
	if meta.TraceState != "" {
		carrier["tracestate"] = meta.TraceState
	}
	return trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), carrier))
}
