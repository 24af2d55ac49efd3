// Package bodylimit rejects a request whose declared body is larger than
// the request's body limit before anything else runs:
//
//	app := nexios.New(nexios.Config{MaxBodyBytes: 1 << 20}) // 1 MiB for every route…
//	app.Use(nexios.Must(bodylimit.New(bodylimit.Config{})))
//	app.Post("/upload", upload, nexios.BodyLimit(100<<20)) // …but uploads
//
// There is one body-size setting, per app (nexios.Config.MaxBodyBytes) with
// a per-route override (nexios.BodyLimit, for a whole router through
// nexios.RouterDefaults), and every reader obeys it: req.Body, JSON, Bind,
// Form, uploads and direct reads of req.Raw().Body stop at the limit with
// 413, a chunked body included. This middleware reads the same setting and
// adds one thing: a request whose Content-Length exceeds the limit is
// answered 413 at once, before the middleware after it and the handler run
// (an expensive authentication, a handler that never reads the body) and
// without reading one byte of it, so a client that sent
// Expect: 100-continue is never asked for the body.
package bodylimit

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/nexios-go/nexios"
)

// Config configures the middleware. The zero value is valid.
type Config struct {
	// Skip lets requests through without the early check (the body limit
	// still applies when the body is read). Default nil: never skip.
	Skip func(req *nexios.Request) bool
}

// New returns the middleware.
func New(cfg Config) (nexios.Middleware, error) {
	return func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			if cfg.Skip != nil && cfg.Skip(req) {
				return next(req, res)
			}
			if limit := req.BodyLimit(); limit > 0 {
				if n := declaredLength(req); n > limit {
					return tooLarge(n, limit)
				}
			}
			return next(req, res)
		}
	}, nil
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

func tooLarge(n, limit int64) error {
	e := nexios.NewHTTPError(http.StatusRequestEntityTooLarge,
		fmt.Sprintf("request body of %s exceeds the limit of %s", humanBytes(n), humanBytes(limit)))
	e.Extensions = map[string]any{"limit": limit}
	// The body is not read: the connection cannot be reused.
	return e.WithHeader("Connection", "close")
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
