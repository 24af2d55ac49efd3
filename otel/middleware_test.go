package otel_test

import (
	"errors"
	"strconv"
	"testing"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/nexios-go/nexios"
	nxotel "github.com/nexios-go/nexios/otel"
	"github.com/nexios-go/nexios/testclient"
)

func TestServerSpans(t *testing.T) {
	t.Parallel()
	const incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	tests := []struct {
		name       string
		method     string
		path       string
		header     string
		public     bool
		wantName   string
		wantStatus int
		wantError  bool
		wantRoute  string
		wantMethod string
		wantParent bool
		wantLink   bool
	}{
		{name: "ok", method: "GET", path: "/items/42", wantName: "GET /items/{id:int}", wantStatus: 200, wantRoute: "/items/{id:int}", wantMethod: "GET"},
		{name: "client error is not a span error", method: "GET", path: "/items/abc", wantName: "GET", wantStatus: 404, wantMethod: "GET"},
		{name: "server error", method: "POST", path: "/fail", wantName: "POST /fail", wantStatus: 500, wantError: true, wantRoute: "/fail", wantMethod: "POST"},
		{name: "panic", method: "GET", path: "/panic", wantName: "GET /panic", wantStatus: 500, wantError: true, wantRoute: "/panic", wantMethod: "GET"},
		{name: "unknown method", method: "BREW", path: "/items/1", wantName: "HTTP", wantStatus: 405, wantMethod: "_OTHER"},
		{name: "continues the caller", method: "GET", path: "/items/1", header: incoming, wantName: "GET /items/{id:int}", wantStatus: 200, wantRoute: "/items/{id:int}", wantMethod: "GET", wantParent: true},
		{name: "public endpoint links", method: "GET", path: "/items/1", header: incoming, public: true, wantName: "GET /items/{id:int}", wantStatus: 200, wantRoute: "/items/{id:int}", wantMethod: "GET", wantLink: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			exp := tracetest.NewInMemoryExporter()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
			app := nexios.New(nexios.Config{Logger: quietLogger()})
			app.Use(nexios.Must(nxotel.Middleware(nxotel.Config{TracerProvider: tp, Propagator: propagation.TraceContext{}, PublicEndpoint: tt.public})))
			var handlerSpan trace.SpanContext
			app.Get("/items/{id:int}", func(req *nexios.Request, res *nexios.Response) error {
				handlerSpan = trace.SpanContextFromContext(req.Context())
				return res.Text("item")
			})
			app.Post("/fail", func(*nexios.Request, *nexios.Response) error { return errors.New("boom") })
			app.Get("/panic", func(*nexios.Request, *nexios.Response) error { panic("boom") })
			var opts []testclient.RequestOption
			if tt.header != "" {
				opts = append(opts, testclient.Header("traceparent", tt.header))
			}
			r := testclient.New(app).Do(tt.method, tt.path, opts...)
			if r.Status != tt.wantStatus {
				t.Fatalf("status %d, want %d", r.Status, tt.wantStatus)
			}
			spans := exp.GetSpans()
			if len(spans) != 1 {
				t.Fatalf("%d spans", len(spans))
			}
			s := spans[0]
			if s.Name != tt.wantName || s.SpanKind != trace.SpanKindServer {
				t.Errorf("span %q kind %v, want %q server", s.Name, s.SpanKind, tt.wantName)
			}
			if got := attr(&s, "http.response.status_code"); got != itoa(tt.wantStatus) {
				t.Errorf("status attribute %s", got)
			}
			if got := attr(&s, "http.route"); got != tt.wantRoute {
				t.Errorf("http.route %q, want %q", got, tt.wantRoute)
			}
			if got := attr(&s, "http.request.method"); got != tt.wantMethod {
				t.Errorf("http.request.method %q", got)
			}
			if (s.Status.Code == codes.Error) != tt.wantError {
				t.Errorf("span status %v", s.Status)
			}
			if tt.wantError && attr(&s, "error.type") == "" {
				t.Error("no error.type on a failed span")
			}
			if got := s.Parent.IsValid() && s.Parent.TraceID().String() == "4bf92f3577b34da6a3ce929d0e0e4736"; got != tt.wantParent {
				t.Errorf("continues the caller = %v", got)
			}
			if got := len(s.Links) == 1; got != tt.wantLink {
				t.Errorf("links %v", s.Links)
			}
			if handlerSpan.IsValid() && handlerSpan.SpanID() != s.SpanContext.SpanID() {
				t.Error("the handler's context does not carry the server span")
			}
		})
	}
}

func TestSkipAndUnsampled(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithSampler(sdktrace.NeverSample()))
	app := nexios.New(nexios.Config{})
	app.Use(nexios.Must(nxotel.Middleware(nxotel.Config{TracerProvider: tp, Skip: func(req *nexios.Request) bool { return req.Pattern() == "/livez" }})))
	var ids []trace.SpanContext
	handler := func(req *nexios.Request, res *nexios.Response) error {
		ids = append(ids, trace.SpanContextFromContext(req.Context()))
		return res.Text("ok")
	}
	app.Get("/livez", handler)
	app.Get("/", handler)
	c := testclient.New(app)
	c.Get("/livez")
	c.Get("/")
	if len(exp.GetSpans()) != 0 {
		t.Errorf("unsampled or skipped requests exported spans")
	}
	if ids[0].IsValid() {
		t.Error("a skipped request has a span")
	}
	// Unsampled requests still carry ids, for log correlation.
	if !ids[1].IsValid() || ids[1].IsSampled() {
		t.Errorf("unsampled span context %v", ids[1])
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
