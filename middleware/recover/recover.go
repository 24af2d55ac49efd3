// Package recover turns a panic in a handler or in inner middleware into an
// error: it logs the panic with its stack through log/slog and returns a
// *nexios.PanicError (status 500) up the chain, where outer middleware such
// as the access logger sees it like any other error and the app's error
// handlers render it.
//
//	app.Use(nexios.Must(requestid.New(requestid.Config{})))
//	app.Use(nexios.Must(logger.New(logger.Config{})))
//	app.Use(nexios.Must(recover.New(recover.Config{})))
//
// The core already recovers panics that reach it (answering 500), but only
// after every middleware has been unwound; this middleware keeps the panic
// inside the chain.
//
// The package is named recover, like the directory, which reads well at the
// call site (recover.New). A file that imports it cannot call the builtin
// recover() unless it renames the import:
//
//	import rec "github.com/nexios-go/nexios/middleware/recover"
package recover

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"runtime"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/requestid"
)

// DefaultStackSize is the number of stack bytes kept when Config.StackSize
// is 0.
const DefaultStackSize = 64 << 10

// Config configures the recover middleware. The zero value is valid: the
// app's logger, up to 64 KiB of stack captured and logged.
type Config struct {
	// Skip, when it returns true, lets the request through without this
	// middleware: a panic then reaches the core, which still answers 500.
	// Default: nil, never skip.
	Skip func(*nexios.Request) bool

	// Logger receives the "panic recovered" record (Error level). Default:
	// the app's logger (req.App().Logger()).
	Logger *slog.Logger

	// StackSize caps the stack trace captured, in bytes. Default 64 KiB;
	// negative is an error.
	StackSize int

	// DisableStack captures no stack trace: the record and the PanicError
	// have none (Config.Debug then shows none either). Default false.
	DisableStack bool
}

// Message is the message of the record logged for a panic.
const Message = "panic recovered"

// New returns the recover middleware configured by cfg.
func New(cfg Config) (nexios.Middleware, error) {
	if cfg.StackSize < 0 {
		return nil, errors.New("recover: StackSize must not be negative")
	}
	if cfg.StackSize == 0 {
		cfg.StackSize = DefaultStackSize
	}
	return func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) (err error) {
			if cfg.Skip != nil && cfg.Skip(req) {
				return next(req, res)
			}
			defer func() {
				if p := recover(); p != nil {
					err = handle(&cfg, req, res, p)
				}
			}()
			return next(req, res)
		}
	}, nil
}

// handle logs a recovered panic and converts it into an error. It runs in
// the deferred function, before the panicking frames are unwound, so the
// stack it captures shows where the panic happened.
func handle(cfg *Config, req *nexios.Request, res *nexios.Response, p any) error {
	if p == http.ErrAbortHandler {
		// net/http's sentinel for "abort the response": not an error to
		// report, and the server must see it to cut the connection.
		panic(p)
	}
	var stack []byte
	if !cfg.DisableStack {
		buf := make([]byte, cfg.StackSize)
		stack = bytes.Clone(buf[:runtime.Stack(buf, false)])
	}
	log := cfg.Logger
	if log == nil {
		log = req.App().Logger()
	}
	ctx := req.Context()
	logged := log.Enabled(ctx, slog.LevelError)
	if logged {
		attrs := []slog.Attr{
			slog.String("method", req.Method()),
			slog.String("path", req.URL().Path),
			slog.String("pattern", req.Pattern()),
			slog.Any("panic", p),
			slog.Bool("committed", res.Committed()),
		}
		if id := requestid.Get(req); id != "" {
			attrs = append(attrs, slog.String(requestid.LogAttr, id))
		}
		if stack != nil {
			attrs = append(attrs, slog.String("stack", string(stack)))
		}
		log.LogAttrs(ctx, slog.LevelError, Message, attrs...)
	}
	// Logged tells the app not to log the same panic a second time.
	return &nexios.PanicError{Value: p, Stack: stack, Logged: logged}
}
