// Package requestid gives every request an identifier: it reuses a valid
// X-Request-ID sent by the client or a proxy, or generates one, sets it on
// the response and stores it on the request for handlers, the access logger
// (middleware/logger) and the panic logger (middleware/recover).
//
//	app.Use(nexios.Must(requestid.New(requestid.Config{})))
//	app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
//		return res.Text("your request id: " + requestid.Get(req))
//	})
//
// Install it first (outermost), before the logger, so that every log line
// of the request carries the id.
package requestid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync/atomic"
	"unsafe"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/internal/httpsyntax"
)

// DefaultHeader is the header the id is read from and written to unless
// Config.Header names another.
const DefaultHeader = "X-Request-ID"

// MaxIncomingLength is the longest incoming id that is reused.
const MaxIncomingLength = 128

// valueKey holds the request's id.
var valueKey = nexios.NewKey[*box]("requestid")

// Config configures the request id middleware. The zero value is valid:
// X-Request-ID, incoming ids reused when well-formed, 32 random hex digits
// otherwise, no context value.
type Config struct {
	// Skip, when it returns true, lets the request through without an id.
	// Default: nil, never skip.
	Skip func(*nexios.Request) bool

	// Header is the request and response header that carries the id.
	// Default: X-Request-ID.
	Header string

	// IgnoreIncoming makes the middleware always generate a new id instead
	// of reusing the one in the request header. Default false: an incoming
	// id is reused when it is 1 to 128 characters of [A-Za-z0-9._-], and
	// replaced by a generated one otherwise (so it cannot inject anything
	// into logs or headers). Set it on a service that faces clients
	// directly if you do not want them to choose the id of their request.
	IgnoreIncoming bool

	// Sequential generates ids from a random 64-bit prefix chosen at New
	// and a 64-bit counter ("9f86d081884c7d65-000000000000002a") instead of
	// reading 16 bytes from crypto/rand per request. It is faster (a few
	// nanoseconds instead of roughly 50-60 ns with the vDSO getrandom of
	// Linux 6.11+, a few hundred on older kernels), ids of one instance
	// sort in arrival order and never repeat, but they are predictable and
	// reveal how many requests the instance served since it started.
	// Default false: random ids.
	Sequential bool

	// Generator, when set, creates the ids (it overrides Sequential). It
	// must be safe for concurrent use and return ids that are valid header
	// values. Default: nil, the built-in generator.
	Generator func() string

	// Context also stores the id in the request context, where FromContext
	// and LogHandler find it (code that only sees a context.Context, such as
	// a slog handler or a database layer). It costs two allocations per
	// request (context.WithValue and http.Request.WithContext), so it is off
	// by default; Get works without it.
	Context bool
}

// box holds the id as a one-element header value, so that the response
// header, the request value and the context share a single allocation.
type box = [1]string

// generated is a box together with the bytes of a built-in id: one
// allocation per request for the id, its response header value and its
// request value.
type generated struct {
	v   box
	buf [33]byte
}

// New returns the request id middleware configured by cfg. It fails on an
// invalid header name.
func New(cfg Config) (nexios.Middleware, error) {
	header := cfg.Header
	if header == "" {
		header = DefaultHeader
	}
	if !httpsyntax.IsToken(header) {
		return nil, fmt.Errorf("requestid: invalid header name %q", header)
	}
	header = http.CanonicalHeaderKey(header)

	var newBox func() *box
	switch {
	case cfg.Generator != nil:
		gen := cfg.Generator
		newBox = func() *box { return &box{gen()} }
	case cfg.Sequential:
		var prefix [8]byte
		if _, err := rand.Read(prefix[:]); err != nil {
			return nil, fmt.Errorf("requestid: reading a random prefix: %w", err)
		}
		var p [16]byte
		hex.Encode(p[:], prefix[:])
		counter := new(atomic.Uint64)
		newBox = func() *box { return sequential(&p, counter.Add(1)) }
	default:
		newBox = random
	}

	skip, trust, withCtx := cfg.Skip, !cfg.IgnoreIncoming, cfg.Context
	return func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			if skip != nil && skip(req) {
				return next(req, res)
			}
			var b *box
			if trust {
				if in := req.Headers()[header]; len(in) > 0 && Valid(in[0]) {
					b = &box{in[0]}
				}
			}
			if b == nil {
				b = newBox()
			}
			res.Header()[header] = b[:]
			valueKey.Set(req, b)
			if withCtx {
				req.WithContext(context.WithValue(req.Context(), ctxKey{}, b))
			}
			return next(req, res)
		}
	}, nil
}

// random returns 16 bytes from crypto/rand as 32 lowercase hex digits.
func random() *box {
	g := new(generated)
	var raw [16]byte
	_, _ = rand.Read(raw[:]) // never fails since Go 1.24 (it crashes the program instead)
	hex.Encode(g.buf[:32], raw[:])
	g.v[0] = unsafe.String(&g.buf[0], 32)
	return &g.v
}

// sequential returns prefix-counter as 16 + 1 + 16 hex digits.
func sequential(prefix *[16]byte, n uint64) *box {
	const digits = "0123456789abcdef"
	g := new(generated)
	copy(g.buf[:16], prefix[:])
	g.buf[16] = '-'
	for i := 32; i > 16; i-- {
		g.buf[i] = digits[n&0xf]
		n >>= 4
	}
	g.v[0] = unsafe.String(&g.buf[0], 33)
	return &g.v
}

// Get returns the request's id, or "" when the middleware did not run for
// it (skipped, or not installed).
func Get(req *nexios.Request) string {
	if b, ok := valueKey.Get(req); ok {
		return b[0]
	}
	return ""
}

type ctxKey struct{}

// FromContext returns the id stored in ctx by a middleware configured with
// Context: true, or "".
func FromContext(ctx context.Context) string {
	if b, ok := ctx.Value(ctxKey{}).(*box); ok {
		return b[0]
	}
	return ""
}

// Valid reports whether id would be reused as an incoming id: 1 to 128
// characters of [A-Za-z0-9._-].
func Valid(id string) bool {
	if id == "" || len(id) > MaxIncomingLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
