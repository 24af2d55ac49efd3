package requestid

import (
	"context"
	"log/slog"
)

// LogAttr is the attribute key the request id is logged under, by
// LogHandler and by the logger and recover middleware.
const LogAttr = "request_id"

// LogHandler wraps h so that every record logged with a context carrying a
// request id (Config.Context: true) gets a request_id attribute:
//
//	logger := slog.New(requestid.LogHandler(slog.NewJSONHandler(os.Stdout, nil)))
//	logger.InfoContext(req.Context(), "charging card") // ... "request_id":"…"
//
// Records without an id in their context pass through unchanged.
func LogHandler(h slog.Handler) slog.Handler { return logHandler{h} }

type logHandler struct{ slog.Handler }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := FromContext(ctx); id != "" {
		r.AddAttrs(slog.String(LogAttr, id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return logHandler{h.Handler.WithAttrs(attrs)}
}

func (h logHandler) WithGroup(name string) slog.Handler {
	return logHandler{h.Handler.WithGroup(name)}
}
