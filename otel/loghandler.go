package otel

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"

	"github.com/nexios-go/nexios/middleware/requestid"
)

// Attribute keys LogHandler adds.
const (
	LogTraceID   = "trace_id"
	LogSpanID    = "span_id"
	LogRequestID = requestid.LogAttr
)

// LogHandler wraps h so that every record logged with a request's context
// (slog.InfoContext(req.Context(), ...), the app's error log, the access
// log) carries the request's identifiers: trace_id and span_id when the
// context holds a span (sampled or not: the ids still correlate logs with
// upstream and downstream services), and request_id when the requestid
// middleware runs with Context: true.
//
//	logger := slog.New(otel.LogHandler(slog.NewJSONHandler(os.Stdout, nil)))
//	app := nexios.New(nexios.Config{Logger: logger})
//
// Records already holding one of these attributes get it once more.
func LogHandler(h slog.Handler) slog.Handler { return logHandler{h} }

type logHandler struct{ slog.Handler }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		if id := requestid.FromContext(ctx); id != "" {
			r.AddAttrs(slog.String(LogRequestID, id))
		}
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			r.AddAttrs(slog.String(LogTraceID, sc.TraceID().String()), slog.String(LogSpanID, sc.SpanID().String()))
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return logHandler{h.Handler.WithAttrs(attrs)}
}

func (h logHandler) WithGroup(name string) slog.Handler {
	return logHandler{h.Handler.WithGroup(name)}
}
