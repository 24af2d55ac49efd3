// Package bodylimit caps the size of request bodies per app, router or
// route:
//
//	app.Use(nexios.Must(bodylimit.New(bodylimit.Config{Limit: 1 << 20})))
//
// A request whose Content-Length exceeds the limit is rejected with 413
// before the handler runs and before any of its body is read (a client
// that sent Expect: 100-continue never sends it). Otherwise the limit is
// installed with req.SetBodyLimit, so the core stops reading at the limit
// whichever way the handler reads — req.Body, JSON, Bind, Form or
// req.Raw().Body directly — and a chunked body that grows past it fails
// with 413 as well.
//
// Nesting: the innermost limit wins. A limit declared with Route (on a
// route, or on every route of a router through nexios.RouterDefaults)
// replaces the bodylimit middleware around it, whether larger or smaller.
// A New middleware nested in another also sets the limit reads enforce,
// but the outer one has already rejected declared lengths above its own
// limit: nest New only to lower a limit, and use Route to raise one.
package bodylimit

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/nexios-go/nexios"
)

// Config configures the middleware. Limit has no default: the zero Config
// is rejected by New.
type Config struct {
	// Limit is the largest body accepted, in bytes. It must be positive.
	Limit int64
	// Skip exempts requests from this limit (the app's MaxBodyBytes or an
	// outer limit still applies). Default nil: never skip.
	Skip func(req *nexios.Request) bool
}

// limiter is one configured limit.
type limiter struct {
	limit int64
	human string // the limit for messages: "1048576 bytes (1 MiB)"
	skip  func(*nexios.Request) bool
}

// routeKey is the route metadata key under which Route records its limiter.
type routeKey struct{}

func newLimiter(cfg Config) (*limiter, error) {
	if cfg.Limit <= 0 {
		return nil, errors.New("bodylimit: Limit must be positive, got " + strconv.FormatInt(cfg.Limit, 10))
	}
	return &limiter{limit: cfg.Limit, human: humanBytes(cfg.Limit), skip: cfg.Skip}, nil
}

// New returns the body-limit middleware, or an error when Limit is not
// positive.
func New(cfg Config) (nexios.Middleware, error) {
	l, err := newLimiter(cfg)
	if err != nil {
		return nil, err
	}
	return l.wrap, nil
}

// Route returns a route option that limits the route's bodies to
// cfg.Limit, replacing any bodylimit middleware of the app and routers
// around it: use it to raise the limit for an upload route. In
// nexios.RouterDefaults it applies to every route of a router.
//
//	app.Post("/upload", upload, nexios.Must(bodylimit.Route(bodylimit.Config{Limit: 100 << 20})))
func Route(cfg Config) (nexios.RouteOption, error) {
	l, err := newLimiter(cfg)
	if err != nil {
		return nil, err
	}
	addMiddleware := nexios.WithMiddleware(l.wrap)
	return func(rt *nexios.Route) {
		rt.SetMeta(routeKey{}, l)
		addMiddleware(rt)
	}, nil
}

func (l *limiter) wrap(next nexios.HandlerFunc) nexios.HandlerFunc {
	return func(req *nexios.Request, res *nexios.Response) error {
		if l.skip != nil && l.skip(req) {
			return next(req, res)
		}
		if rt := req.Route(); rt != nil {
			if inner, ok := rt.Meta(routeKey{}).(*limiter); ok && inner != l {
				return next(req, res) // the route declares its own limit
			}
		}
		if n := declaredLength(req); n > l.limit {
			return l.tooLarge(n)
		}
		req.SetBodyLimit(l.limit)
		return next(req, res)
	}
}

// declaredLength returns the body length the request declares, or -1.
// net/http keeps the Content-Length header of a request with a declared
// length, so reading it avoids req.Raw(), which allocates on routes with
// path parameters; requests built by hand (httptest) may lack the header,
// so those of methods that usually carry a body fall back to
// Raw().ContentLength. Reads are limited either way.
func declaredLength(req *nexios.Request) int64 {
	if vs := req.Headers()["Content-Length"]; len(vs) > 0 {
		if n, err := strconv.ParseInt(vs[0], 10, 64); err == nil {
			return n
		}
	}
	switch req.Method() {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return -1
	}
	return req.Raw().ContentLength
}

func (l *limiter) tooLarge(n int64) error {
	e := nexios.NewHTTPError(http.StatusRequestEntityTooLarge,
		fmt.Sprintf("request body of %s exceeds the limit of %s", humanBytes(n), l.human))
	e.Extensions = map[string]any{"limit": l.limit}
	return e
}

// humanBytes formats n as "2048 bytes (2 KiB)", "1500 bytes (1.5 KiB)" or
// "512 bytes".
func humanBytes(n int64) string {
	s := strconv.FormatInt(n, 10) + " bytes"
	if n < 1024 {
		return s
	}
	const units = "KMGTPE"
	v, i := float64(n)/1024, 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	num := strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0")
	return s + " (" + num + " " + units[i:i+1] + "iB)"
}
