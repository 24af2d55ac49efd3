// Package logger writes a structured access log through log/slog: one
// record per request, with the method, path, route pattern, final status,
// body size, duration, request id, client IP and, optionally, the user
// agent and query string.
//
//	app.Use(nexios.Must(requestid.New(requestid.Config{})))
//	app.Use(nexios.Must(logger.New(logger.Config{})))
//	app.Use(nexios.Must(recover.New(recover.Config{})))
//
// An error returned by the rest of the chain is not rendered here: it
// keeps travelling up to the app, which renders it once, at the top. The
// logger returns it unchanged and writes its record from a Request.Defer
// function, after the error was rendered, so the record shows the status
// the client actually received (an error handler may still choose it).
// Install it outermost, right after requestid, so that its duration
// covers the whole chain.
package logger

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/requestid"
)

// Attribute keys of the access log record.
const (
	KeyMethod    = "method"
	KeyPath      = "path"
	KeyPattern   = "pattern"
	KeyStatus    = "status"
	KeyBytes     = "bytes"
	KeyDuration  = "duration"
	KeyRequestID = requestid.LogAttr
	KeyClientIP  = "client_ip"
	KeyUserAgent = "user_agent"
	KeyQuery     = "query"
	KeyError     = "error"
	KeyPanic     = "panic"
)

// Config configures the access logger. The zero value is valid: the app's
// logger, message "request", Info below 400, Warn for 4xx, Error for 5xx,
// no user agent, no query string.
type Config struct {
	// Skip, when it returns true, lets the request through unlogged (health
	// checks, metrics scrapes). It runs before the handler, so it sees the
	// request but not the response. Default: nil, log every request.
	Skip func(*nexios.Request) bool

	// Logger receives the records. Default: the app's logger
	// (req.App().Logger(), Config.Logger of the app).
	Logger *slog.Logger

	// Message is the record's message. Default: "request".
	Message string

	// Level chooses the level of a request's record from its final status.
	// Default: nil, Info below 400, Warn for 4xx and Error for 5xx.
	Level func(status int) slog.Level

	// UserAgent adds the User-Agent header as user_agent. Default false.
	UserAgent bool

	// Query adds the raw query string as query. Default false: query
	// strings often carry tokens or personal data.
	Query bool

	// Attrs, when set, returns extra attributes for the record, after the
	// response is written. It runs only for records that are logged.
	Attrs func(req *nexios.Request, res *nexios.Response) []slog.Attr
}

// DefaultLevel is the level mapping used when Config.Level is nil.
func DefaultLevel(status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

// New returns the access logger middleware configured by cfg.
func New(cfg Config) (nexios.Middleware, error) {
	l := &accessLog{cfg: cfg, msg: cfg.Message, level: cfg.Level}
	if l.msg == "" {
		l.msg = "request"
	}
	if l.level == nil {
		l.level = DefaultLevel
		// The most severe level the default mapping uses: a logger that is
		// disabled for it logs nothing, and the clock is not read.
		l.ceiling, l.hasCeiling = slog.LevelError, true
	}
	return func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			return l.serve(next, req, res)
		}
	}, nil
}

type accessLog struct {
	cfg        Config
	msg        string
	level      func(int) slog.Level
	ceiling    slog.Level
	hasCeiling bool
}

func (l *accessLog) logger(req *nexios.Request) *slog.Logger {
	if l.cfg.Logger != nil {
		return l.cfg.Logger
	}
	return req.App().Logger()
}

func (l *accessLog) serve(next nexios.HandlerFunc, req *nexios.Request, res *nexios.Response) error {
	if l.cfg.Skip != nil && l.cfg.Skip(req) {
		return next(req, res)
	}
	log := l.logger(req)
	if l.hasCeiling && !log.Enabled(req.Context(), l.ceiling) {
		return next(req, res) // nothing will be logged
	}
	start := time.Now()
	finished := false
	defer func() {
		if !finished {
			// A panic is unwinding through the chain (no recover middleware
			// inside this one). Log it as the 500 the core will answer with,
			// and let it continue.
			status := http.StatusInternalServerError
			if res.Committed() {
				status = res.StatusCode()
			}
			l.log(log, req, res, status, time.Since(start), nil, true)
		}
	}()
	err := next(req, res)
	finished = true
	if err != nil && !res.Committed() {
		// The error travels up and is rendered at the top of the chain,
		// where an error handler may still choose its status: log once it
		// has been sent, so the record shows what the client got.
		req.Defer(func() { l.log(log, req, res, res.StatusCode(), time.Since(start), err, false) })
		return err
	}
	l.log(log, req, res, res.StatusCode(), time.Since(start), err, false)
	return err
}

// log writes the record, building attributes only when the level is
// enabled.
func (l *accessLog) log(log *slog.Logger, req *nexios.Request, res *nexios.Response, status int, d time.Duration, err error, panicked bool) {
	ctx := req.Context()
	level := l.level(status)
	if !log.Enabled(ctx, level) {
		return
	}
	l.write(ctx, log, level, req, res, status, d, err, panicked)
}

func (l *accessLog) write(ctx context.Context, log *slog.Logger, level slog.Level, req *nexios.Request, res *nexios.Response, status int, d time.Duration, err error, panicked bool) {
	var buf [16]slog.Attr
	attrs := append(buf[:0],
		slog.String(KeyMethod, req.Method()),
		slog.String(KeyPath, req.URL().Path),
		slog.String(KeyPattern, req.Pattern()),
		slog.Int(KeyStatus, status),
		slog.Int64(KeyBytes, res.Size()),
		slog.Duration(KeyDuration, d),
	)
	if id := requestid.Get(req); id != "" {
		attrs = append(attrs, slog.String(KeyRequestID, id))
	}
	attrs = append(attrs, slog.String(KeyClientIP, req.ClientIP()))
	if l.cfg.UserAgent {
		attrs = append(attrs, slog.String(KeyUserAgent, req.Header("User-Agent")))
	}
	if l.cfg.Query {
		attrs = append(attrs, slog.String(KeyQuery, req.URL().RawQuery))
	}
	if err != nil {
		attrs = append(attrs, slog.String(KeyError, err.Error()))
	}
	if panicked {
		attrs = append(attrs, slog.Bool(KeyPanic, true))
	}
	if l.cfg.Attrs != nil {
		attrs = append(attrs, l.cfg.Attrs(req, res)...)
	}
	log.LogAttrs(ctx, level, l.msg, attrs...)
}
