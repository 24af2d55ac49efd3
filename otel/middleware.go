// Package otel traces a Nexios app with OpenTelemetry: a server span per
// request, named from the matched route pattern and carrying the stable
// HTTP semantic conventions, with the incoming W3C trace context
// continued; and a slog handler that stamps every log record of a request
// with its trace_id, span_id and request_id.
//
//	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter)) // or otlp.Setup
//	app.Use(nexios.Must(requestid.New(requestid.Config{Context: true})))
//	app.Use(nexios.Must(otel.Middleware(otel.Config{TracerProvider: tp})))
//
// The rest of a request's trace comes from its sub-packages, each one
// line at start-up: oteldb (SQL queries of the data layer, through
// bunotel), oteljobs (River: enqueue and work spans, the work continuing
// the enqueuing request's trace), otelmail (a span per mail sent) and
// otelredis (go-redis commands). Together they make one trace of a
// request that writes a row, enqueues a job and sends a mail from it.
//
// The package name clashes with go.opentelemetry.io/otel: import it as
// nxotel.
package otel

import (
	"errors"
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/nexios-go/nexios"
)

// ScopeName is the instrumentation scope of the spans this package makes.
const ScopeName = "github.com/nexios-go/nexios/otel"

// Config configures the tracing middleware. The zero value traces every
// request with the global tracer provider and propagator
// (otel.SetTracerProvider, otel.SetTextMapPropagator).
type Config struct {
	// TracerProvider makes the spans. Default: the global one.
	TracerProvider trace.TracerProvider
	// Propagator reads the incoming trace context. Default: the global
	// one (set it to propagation.TraceContext{} for W3C traceparent, or
	// a composite with Baggage).
	Propagator propagation.TextMapPropagator
	// Skip, when it returns true, serves the request without a span:
	// health probes, metric scrapes.
	Skip func(*nexios.Request) bool
	// PublicEndpoint starts a new trace for every request, linked to the
	// incoming trace context instead of continuing it: for a service
	// facing the internet, whose callers must not choose the trace (and
	// the sampling decision) of its spans.
	PublicEndpoint bool
}

// Middleware returns the tracing middleware. Install it early (after
// requestid, before the access logger), with app.Use so that unmatched
// requests are traced too. The request's context carries the span from
// then on: queries, jobs enqueued, outgoing calls and logs made with it
// join the trace.
func Middleware(cfg Config) (nexios.Middleware, error) {
	tp := cfg.TracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	prop := cfg.Propagator
	if prop == nil {
		prop = otel.GetTextMapPropagator()
	}
	if prop == nil {
		return nil, errors.New("otel: no propagator")
	}
	t := &tracer{
		tracer: tp.Tracer(ScopeName),
		prop:   prop,
		skip:   cfg.Skip,
		public: cfg.PublicEndpoint,
	}
	return t.middleware, nil
}

type tracer struct {
	tracer trace.Tracer
	prop   propagation.TextMapPropagator
	skip   func(*nexios.Request) bool
	public bool
}

func (t *tracer) middleware(next nexios.HandlerFunc) nexios.HandlerFunc {
	return func(req *nexios.Request, res *nexios.Response) error {
		if t.skip != nil && t.skip(req) {
			return next(req, res)
		}
		r := req.Raw()
		ctx := t.prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		method, known := methodName(r.Method)
		pattern := req.Pattern()
		name := method
		if !known {
			name = "HTTP"
		}
		if pattern != "" {
			name += " " + pattern
		}
		opts := make([]trace.SpanStartOption, 0, 3)
		opts = append(opts, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(startAttrs(req, r, method, known, pattern)...))
		if t.public {
			if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
				opts = append(opts, trace.WithNewRoot(), trace.WithLinks(trace.Link{SpanContext: sc}))
			}
		}
		ctx, span := t.tracer.Start(ctx, name, opts...)
		req.WithContext(ctx)

		finished := false
		defer func() {
			if !finished { // a panic unwinds: the core answers 500
				end(span, res, http.StatusInternalServerError, nil)
			}
		}()
		err := next(req, res)
		finished = true
		if err != nil && !res.Committed() {
			// An error handler may still choose the status: end the
			// span once the error was rendered.
			req.Defer(func() { end(span, res, res.StatusCode(), err) })
			return err
		}
		end(span, res, res.StatusCode(), err)
		return err
	}
}

// end records the outcome and ends the span. Server spans are errors for
// 5xx only: a 4xx is the client's mistake (semantic conventions).
func end(span trace.Span, res *nexios.Response, status int, err error) {
	if span.IsRecording() {
		span.SetAttributes(
			semconv.HTTPResponseStatusCode(status),
			semconv.HTTPResponseBodySize(int(res.Size())),
		)
		if status >= 500 {
			errType := strconv.Itoa(status)
			if err != nil {
				span.RecordError(err)
				var pe *nexios.PanicError
				if errors.As(err, &pe) {
					errType = "panic"
				}
			}
			span.SetAttributes(semconv.ErrorTypeKey.String(errType))
			span.SetStatus(codes.Error, http.StatusText(status))
		}
	}
	span.End()
}

// startAttrs are the attributes known when the span starts, where a
// sampler can see them.
func startAttrs(req *nexios.Request, r *http.Request, method string, known bool, pattern string) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 10)
	if known {
		attrs = append(attrs, semconv.HTTPRequestMethodKey.String(method))
	} else {
		attrs = append(attrs, semconv.HTTPRequestMethodKey.String("_OTHER"), semconv.HTTPRequestMethodOriginal(r.Method))
	}
	attrs = append(attrs,
		semconv.URLPath(r.URL.Path),
		semconv.URLScheme(req.Scheme()),
		semconv.ServerAddress(r.Host),
		semconv.ClientAddress(req.ClientIP()),
		semconv.NetworkProtocolVersion(protocolVersion(r)),
	)
	if pattern != "" {
		attrs = append(attrs, semconv.HTTPRoute(pattern))
	}
	if ua := r.UserAgent(); ua != "" {
		attrs = append(attrs, semconv.UserAgentOriginal(ua))
	}
	return attrs
}

// methodName returns the method and whether it is a standard one; other
// methods are reported as _OTHER so that clients cannot inflate the
// cardinality of span names.
func methodName(m string) (string, bool) {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m, true
	}
	return m, false
}

func protocolVersion(r *http.Request) string {
	switch {
	case r.ProtoMajor == 1 && r.ProtoMinor == 1:
		return "1.1"
	case r.ProtoMajor == 2:
		return "2"
	case r.ProtoMajor == 1 && r.ProtoMinor == 0:
		return "1.0"
	}
	return strconv.Itoa(r.ProtoMajor) + "." + strconv.Itoa(r.ProtoMinor)
}
