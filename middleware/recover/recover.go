// Package recover turns a panic in a handler or in inner middleware into an
// error: it captures the stack where the panic happened and returns a
// *nexios.PanicError (status 500) up the chain, where outer middleware such
// as the access logger sees it like any other error, and the app renders
// it and logs it once, with its stack.
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
	"net/http"
	"runtime"

	"github.com/nexios-go/nexios"
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

	// StackSize caps the stack trace captured, in bytes. Default 64 KiB;
	// negative is an error.
	StackSize int

	// DisableStack captures no stack trace: the PanicError, and so the
	// app's log record, have none (Config.Debug then shows none either).
	// Default false.
	DisableStack bool
}

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
					err = handle(&cfg, p)
				}
			}()
			return next(req, res)
		}
	}, nil
}

// handle converts a recovered panic into an error. It runs in the
// deferred function, before the panicking frames are unwound, so the stack
// it captures shows where the panic happened. Logging is the app's: it
// logs the error once, after the error handlers chose the final status.
func handle(cfg *Config, p any) error {
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
	return &nexios.PanicError{Value: p, Stack: stack}
}
