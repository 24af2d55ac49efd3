package otel_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/logger"
	"github.com/nexios-go/nexios/middleware/requestid"
	nxotel "github.com/nexios-go/nexios/otel"
	"github.com/nexios-go/nexios/testclient"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s.b.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// TestLogsCarryRequestAndTraceIDs checks the promise on logs: every line
// of a request — the handler's own, the error log, the access log —
// carries the same request_id, trace_id and span_id, and the access log
// and the error log agree on the status sent.
func TestLogsCarryRequestAndTraceIDs(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(t.Context())
	var buf syncBuffer
	log := slog.New(nxotel.LogHandler(slog.NewJSONHandler(&buf, nil)))

	app := nexios.New(nexios.Config{Logger: log})
	app.Use(nexios.Must(requestid.New(requestid.Config{Context: true})))
	app.Use(nexios.Must(nxotel.Middleware(nxotel.Config{TracerProvider: tp, Propagator: propagation.TraceContext{}})))
	app.Use(nexios.Must(logger.New(logger.Config{})))
	// A status handler turns every 500 into a 503: the error log and the
	// access log must both say 503.
	app.HandleStatus(http.StatusInternalServerError, func(req *nexios.Request, res *nexios.Response, err error) error {
		res.Status(http.StatusServiceUnavailable)
		return res.Text("try later")
	})
	app.Get("/orders/{id}", func(req *nexios.Request, res *nexios.Response) error {
		log.InfoContext(req.Context(), "loading order")
		return errors.New("database unavailable")
	})

	r := testclient.New(app).Get("/orders/7", testclient.Header("X-Request-ID", "req-7"))
	if r.Status != http.StatusServiceUnavailable {
		t.Fatalf("status %d", r.Status)
	}
	recs := buf.records(t)
	byMsg := map[string]map[string]any{}
	for _, rec := range recs {
		byMsg[rec["msg"].(string)] = rec
	}
	handler, failed, access := byMsg["loading order"], byMsg["request failed"], byMsg["request"]
	if handler == nil || failed == nil || access == nil {
		t.Fatalf("missing log lines: %v", recs)
	}
	spans := exp.GetSpans()
	if len(spans) != 1 {
		t.Fatalf("%d spans", len(spans))
	}
	traceID, spanID := spans[0].SpanContext.TraceID().String(), spans[0].SpanContext.SpanID().String()
	for name, rec := range map[string]map[string]any{"handler": handler, "error": failed, "access": access} {
		if rec["request_id"] != "req-7" || rec["trace_id"] != traceID || rec["span_id"] != spanID {
			t.Errorf("%s log: request_id=%v trace_id=%v span_id=%v; want req-7 %s %s", name, rec["request_id"], rec["trace_id"], rec["span_id"], traceID, spanID)
		}
	}
	if failed["status"] != float64(503) || access["status"] != float64(503) {
		t.Errorf("error log status %v, access log status %v, want 503 both", failed["status"], access["status"])
	}
	if got := attr(&spans[0], "http.response.status_code"); got != "503" {
		t.Errorf("span status code %s", got)
	}
}

func TestLogHandlerWithoutIDs(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	log := slog.New(nxotel.LogHandler(slog.NewJSONHandler(&buf, nil))).With("component", "worker")
	log.InfoContext(t.Context(), "tick")
	log.Info("no context")
	for _, rec := range buf.records(t) {
		if _, ok := rec["trace_id"]; ok {
			t.Errorf("trace_id without a span: %v", rec)
		}
		if _, ok := rec["request_id"]; ok {
			t.Errorf("request_id without one: %v", rec)
		}
		if rec["component"] != "worker" {
			t.Errorf("attributes lost: %v", rec)
		}
	}
}
