// Package cors implements Cross-Origin Resource Sharing as the Fetch
// standard specifies it (https://fetch.spec.whatwg.org/#http-cors-protocol).
//
// Requests from an allowed origin get Access-Control-Allow-Origin (and
// Allow-Credentials and Expose-Headers when configured). A preflight — an
// OPTIONS request with an Origin and an Access-Control-Request-Method
// header — is answered by the middleware itself with 204 No Content, or
// with 403 and a problem+json body when the origin, method or a requested
// header is not allowed; it never reaches the route, and it works whether
// or not an OPTIONS route exists. Requests from other origins pass through
// without CORS headers, so the browser keeps their responses from the
// calling page. Vary: Origin is always added, so caches keep the variants
// apart.
//
//	app.Use(nexios.Must(cors.New(cors.Config{
//		AllowOrigins:     []string{"https://app.example.com", "https://*.example.org"},
//		AllowHeaders:     []string{"Content-Type", "Authorization"},
//		AllowCredentials: true,
//		MaxAge:           10 * time.Minute,
//	})))
//
// At the app level (App.Use) the middleware runs after routing but before
// the 404, 405 and automatic OPTIONS handlers, so it answers preflights for
// every path. At the router or route level it answers preflights for the
// routes it guards.
package cors

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/internal/httpsyntax"
)

// Config configures the CORS middleware. The zero Config is valid and
// allows no cross-origin request at all.
type Config struct {
	// AllowOrigins lists the origins allowed to read responses:
	// exact origins ("https://app.example.com"; scheme, host and port,
	// no path), subdomain wildcards ("https://*.example.com", which
	// matches any subdomain depth but not example.com itself), "*" for
	// any origin, and "null" for the opaque origin of sandboxed frames
	// and file: pages, which nothing else matches. Default: none.
	AllowOrigins []string

	// AllowOriginRegex lists regular expressions (RE2 syntax) an origin
	// may match in full; they are compiled by New. They never match
	// the "null" origin.
	AllowOriginRegex []string

	// AllowOriginFunc decides about origins that AllowOrigins and
	// AllowOriginRegex did not allow. It is not called for the "null"
	// origin. It must be safe for concurrent use.
	AllowOriginFunc func(origin string, req *nexios.Request) bool

	// AllowMethods lists the methods allowed for cross-origin requests
	// (case-insensitive; sent upper-cased). Default: GET, HEAD, POST, PUT,
	// PATCH, DELETE.
	AllowMethods []string

	// AllowHeaders lists the request headers (case-insensitive) a
	// cross-origin request may carry beyond the CORS-safelisted ones
	// (Accept, Accept-Language, Content-Language, and Content-Type with a
	// form or text/plain value). "*" allows any header. Default: none, so
	// a preflight that asks for any header (Content-Type: application/json
	// and Authorization included) is rejected.
	AllowHeaders []string

	// ExposeHeaders lists the response headers, beyond the safelisted
	// ones, that scripts on an allowed origin may read. Default: none.
	ExposeHeaders []string

	// AllowCredentials lets allowed origins send and read credentialed
	// requests (cookies, HTTP authentication, client certificates).
	// It cannot be combined with "*" in AllowOrigins or ExposeHeaders.
	// Default false.
	AllowCredentials bool

	// MaxAge is how long browsers may cache a preflight result; it is sent
	// in whole seconds, rounded up. Default 0: no Access-Control-Max-Age
	// header, so browsers use their own default (5 seconds). Negative:
	// "0", which disables caching.
	MaxAge time.Duration

	// AllowPrivateNetwork answers preflights carrying
	// Access-Control-Request-Private-Network: true with
	// Access-Control-Allow-Private-Network: true (Private Network Access).
	// Default false.
	AllowPrivateNetwork bool

	// Skip, when it returns true, passes the request on untouched.
	// Default: never skip.
	Skip func(*nexios.Request) bool
}

// Header names.
const (
	hOrigin            = "Origin"
	hVary              = "Vary"
	hReqMethod         = "Access-Control-Request-Method"
	hReqHeaders        = "Access-Control-Request-Headers"
	hReqPrivateNetwork = "Access-Control-Request-Private-Network"
	hAllowOrigin       = "Access-Control-Allow-Origin"
	hAllowCredentials  = "Access-Control-Allow-Credentials"
	hAllowMethods      = "Access-Control-Allow-Methods"
	hAllowHeaders      = "Access-Control-Allow-Headers"
	hExposeHeaders     = "Access-Control-Expose-Headers"
	hMaxAge            = "Access-Control-Max-Age"
	hAllowPrivateNet   = "Access-Control-Allow-Private-Network"
)

// defaultMethods is the AllowMethods default.
var defaultMethods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost,
	http.MethodPut, http.MethodPatch, http.MethodDelete,
}

// maxRequestedHeaders bounds the work a preflight can cause: no browser
// asks for this many headers.
const maxRequestedHeaders = 64

// cors is a compiled Config. Header values are pre-built one-element
// slices (len == cap, so an append by later code copies them).
type cors struct {
	origins     originMatcher
	originFunc  func(string, *nexios.Request) bool
	methods     []string
	headers     []string // lower case
	headersAll  bool
	credentials bool
	privateNet  bool
	skip        func(*nexios.Request) bool

	varyActual    []string
	varyPreflight []string
	star          []string
	trueValue     []string
	methodsValue  []string
	exposeValue   []string
	maxAgeValue   []string
}

// New returns the CORS middleware for cfg, or an error when cfg is
// invalid: a malformed origin or pattern, an invalid regular expression,
// or "*" combined with AllowCredentials.
func New(cfg Config) (nexios.Middleware, error) {
	c, err := compile(cfg)
	if err != nil {
		return nil, err
	}
	return c.middleware, nil
}

func compile(cfg Config) (*cors, error) {
	c := &cors{
		originFunc:  cfg.AllowOriginFunc,
		credentials: cfg.AllowCredentials,
		privateNet:  cfg.AllowPrivateNetwork,
		skip:        cfg.Skip,
		varyActual:  oneValue(hOrigin),
		star:        oneValue("*"),
		trueValue:   oneValue("true"),
	}
	vary := hOrigin + ", " + hReqMethod + ", " + hReqHeaders
	if c.privateNet {
		vary += ", " + hReqPrivateNetwork
	}
	c.varyPreflight = oneValue(vary)

	var err error
	if c.origins, err = compileOrigins(cfg.AllowOrigins, cfg.AllowOriginRegex); err != nil {
		return nil, err
	}
	if c.origins.all && c.credentials {
		return nil, errors.New(`cors: AllowOrigins "*" cannot be combined with AllowCredentials: list the trusted origins`)
	}

	methods := cfg.AllowMethods
	if len(methods) == 0 {
		methods = defaultMethods
	}
	for _, m := range methods {
		m = strings.ToUpper(strings.TrimSpace(m))
		if !httpsyntax.IsToken(m) {
			return nil, fmt.Errorf("cors: invalid method %q in AllowMethods", m)
		}
		c.methods = appendUnique(c.methods, m)
	}
	c.methodsValue = oneValue(strings.Join(c.methods, ", "))

	for _, h := range cfg.AllowHeaders {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case h == "*":
			c.headersAll = true
		case httpsyntax.IsToken(h):
			c.headers = appendUnique(c.headers, h)
		default:
			return nil, fmt.Errorf("cors: invalid header name %q in AllowHeaders", h)
		}
	}

	var expose []string
	for _, h := range cfg.ExposeHeaders {
		h = strings.TrimSpace(h)
		switch {
		case h == "*" && c.credentials:
			return nil, errors.New(`cors: ExposeHeaders "*" is a literal header name when AllowCredentials is set: list the headers`)
		case h == "*":
			expose = appendUnique(expose, h)
		case httpsyntax.IsToken(h):
			expose = appendUnique(expose, http.CanonicalHeaderKey(h))
		default:
			return nil, fmt.Errorf("cors: invalid header name %q in ExposeHeaders", h)
		}
	}
	if len(expose) > 0 {
		c.exposeValue = oneValue(strings.Join(expose, ", "))
	}

	switch {
	case cfg.MaxAge < 0:
		c.maxAgeValue = oneValue("0")
	case cfg.MaxAge > 0:
		secs := (cfg.MaxAge + time.Second - 1) / time.Second
		c.maxAgeValue = oneValue(strconv.FormatInt(int64(secs), 10))
	}
	return c, nil
}

func (c *cors) middleware(next nexios.HandlerFunc) nexios.HandlerFunc {
	return func(req *nexios.Request, res *nexios.Response) error {
		if c.skip != nil && c.skip(req) {
			return next(req, res)
		}
		reqHeader := req.Headers()
		origin := first(reqHeader, hOrigin)
		if req.Method() == http.MethodOptions && origin != "" && first(reqHeader, hReqMethod) != "" {
			return c.preflight(req, res, origin)
		}
		h := res.Header()
		addVary(h, c.varyActual)
		if origin == "" || !c.methodAllowed(req.Method()) || !c.originAllowed(origin, req) {
			return next(req, res)
		}
		c.setOrigin(h, reqHeader)
		if c.exposeValue != nil {
			h[hExposeHeaders] = c.exposeValue
		}
		return next(req, res)
	}
}

// preflight answers a CORS preflight request without calling the route.
func (c *cors) preflight(req *nexios.Request, res *nexios.Response, origin string) error {
	h := res.Header()
	addVary(h, c.varyPreflight)
	if !c.originAllowed(origin, req) {
		return reject("origin " + strconv.Quote(origin) + " is not allowed")
	}
	reqHeader := req.Headers()
	method := first(reqHeader, hReqMethod)
	if !c.methodAllowed(method) {
		return reject("method " + strconv.Quote(method) + " is not allowed")
	}
	requested := reqHeader[hReqHeaders]
	asked, bad := c.checkHeaders(requested)
	if bad != "" {
		return reject("request header " + strconv.Quote(bad) + " is not allowed")
	}
	c.setOrigin(h, reqHeader)
	h[hAllowMethods] = c.methodsValue
	if asked {
		// Reflect the request's list: browsers compare names
		// case-insensitively, and "*" would not cover Authorization.
		h[hAllowHeaders] = requested[:len(requested):len(requested)]
	}
	if c.maxAgeValue != nil {
		h[hMaxAge] = c.maxAgeValue
	}
	if c.privateNet && first(reqHeader, hReqPrivateNetwork) == "true" {
		h[hAllowPrivateNet] = c.trueValue
	}
	if res.Committed() {
		return nil
	}
	return res.NoContent()
}

// setOrigin sets Allow-Origin (and Allow-Credentials) for an allowed
// origin: "*" when any origin is allowed (never with credentials, which
// New refuses), otherwise the request's own Origin value.
func (c *cors) setOrigin(h, reqHeader http.Header) {
	if c.origins.all {
		h[hAllowOrigin] = c.star
		return
	}
	o := reqHeader[hOrigin]
	h[hAllowOrigin] = o[:1:1]
	if c.credentials {
		h[hAllowCredentials] = c.trueValue
	}
}

func reject(why string) error {
	return nexios.NewHTTPError(http.StatusForbidden, "CORS preflight rejected: "+why)
}
