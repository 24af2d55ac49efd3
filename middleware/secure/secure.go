// Package secure sets security response headers with safe defaults:
// X-Content-Type-Options, X-Frame-Options, Referrer-Policy,
// Content-Security-Policy, Permissions-Policy, Cross-Origin-Opener-Policy,
// optionally Cross-Origin-Resource-Policy and Cross-Origin-Embedder-Policy,
// and Strict-Transport-Security on HTTPS requests. It removes the Server
// and X-Powered-By headers that handlers or wrapped libraries set, and can
// redirect plain-HTTP requests to HTTPS.
//
//	app.Use(nexios.Must(secure.New(secure.Config{})))
//
// Every header value is built once by New. The headers are set before the
// handler runs, so they are on every response, errors (404, 405, a
// recovered panic) included, and a handler that needs another value for
// one page (say a looser Content-Security-Policy) sets the header itself.
package secure

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/internal/httpsyntax"
)

// Omit, as the value of a header field of Config, turns that header off.
// (The empty string selects the default.)
const Omit = "-"

// Default header values.
const (
	// DefaultContentSecurityPolicy allows resources from the page's own
	// origin only, plus data: images and inline styles, which a Swagger
	// UI page served with its assets (scripts loaded from files, not
	// inline) from the same origin needs. frame-ancestors follows
	// FrameOptions.
	DefaultContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
		"script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"
	// DefaultPermissionsPolicy denies powerful browser features.
	DefaultPermissionsPolicy = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), " +
		"magnetometer=(), microphone=(), payment=(), usb=()"
	// DefaultReferrerPolicy sends only the origin to other sites, and
	// nothing when going from HTTPS to HTTP.
	DefaultReferrerPolicy = "strict-origin-when-cross-origin"
	// DefaultHSTSMaxAge is one year.
	DefaultHSTSMaxAge = 365 * 24 * time.Hour
)

// Config configures the middleware. The zero Config is valid and sends
// every default below.
type Config struct {
	// ContentTypeOptions is X-Content-Type-Options. Default "nosniff".
	ContentTypeOptions string
	// FrameOptions is X-Frame-Options: "DENY" (default) or "SAMEORIGIN".
	// The default Content-Security-Policy gets the matching
	// frame-ancestors directive ('none' or 'self').
	FrameOptions string
	// ReferrerPolicy is Referrer-Policy. Default
	// "strict-origin-when-cross-origin".
	ReferrerPolicy string
	// ContentSecurityPolicy is the Content-Security-Policy.
	// Default: DefaultContentSecurityPolicy plus frame-ancestors.
	ContentSecurityPolicy string
	// CSPReportOnly sends the policy as
	// Content-Security-Policy-Report-Only, to try a policy out: browsers
	// report violations (to the policy's report-to or report-uri
	// endpoint) without blocking anything.
	CSPReportOnly bool
	// PermissionsPolicy is Permissions-Policy. Default
	// DefaultPermissionsPolicy.
	PermissionsPolicy string
	// CrossOriginOpenerPolicy is Cross-Origin-Opener-Policy. Default
	// "same-origin".
	CrossOriginOpenerPolicy string
	// CrossOriginResourcePolicy is Cross-Origin-Resource-Policy
	// ("same-origin", "same-site" or "cross-origin"). Default: not sent.
	CrossOriginResourcePolicy string
	// CrossOriginEmbedderPolicy is Cross-Origin-Embedder-Policy
	// ("require-corp" or "credentialless"). Default: not sent.
	CrossOriginEmbedderPolicy string
	// XSSProtection is X-XSS-Protection. Default "0": the old browser XSS
	// filters it controls caused vulnerabilities of their own; CSP
	// replaces them.
	XSSProtection string

	// HSTSMaxAge is the max-age of Strict-Transport-Security, which is
	// sent on HTTPS requests only (req.Scheme() == "https"; a
	// trusted-proxy middleware can set the scheme). Default one year;
	// negative sends max-age=0, which tells browsers to forget the
	// policy.
	HSTSMaxAge time.Duration
	// HSTSExcludeSubdomains drops includeSubDomains (sent by default).
	HSTSExcludeSubdomains bool
	// HSTSPreload adds preload, for the browsers' preload lists; it needs
	// a max-age of at least a year and includeSubDomains.
	HSTSPreload bool
	// HSTSAlways sends Strict-Transport-Security on plain-HTTP requests
	// too, for TLS terminated by a proxy the app cannot see.
	HSTSAlways bool
	// DisableHSTS never sends Strict-Transport-Security.
	DisableHSTS bool

	// HTTPSRedirect answers plain-HTTP requests with a 308 redirect to the
	// same URL over HTTPS.
	HTTPSRedirect bool
	// HTTPSRedirectHost is the host (and port) to redirect to. Default:
	// the request's host without its port. Set it when the Host header
	// cannot be trusted.
	HTTPSRedirectHost string

	// RemoveHeaders lists response headers to delete just before the
	// response is written. Default: Server and X-Powered-By.
	RemoveHeaders []string
	// KeepHeaders turns RemoveHeaders off.
	KeepHeaders bool

	// ExtraHeaders are sent as given (Cache-Control, Clear-Site-Data,
	// X-DNS-Prefetch-Control, Reporting-Endpoints, …).
	ExtraHeaders map[string]string

	// Skip, when it returns true, passes the request on untouched.
	// Default: never skip.
	Skip func(*nexios.Request) bool
}

// header is a pre-built header: a canonical key and a one-element value
// (len == cap, so an append by later code copies it).
type header struct {
	key   string
	value []string
}

type secure struct {
	fixed        []header
	hsts         []string // nil: never
	hstsAlways   bool
	redirect     bool
	redirectHost string
	remove       []string
	skip         func(*nexios.Request) bool
	strippers    sync.Pool
}

// New returns the middleware for cfg, or an error when a value is
// invalid (a control character in a header value, an unknown
// X-Frame-Options value, an HSTS preload without its requirements).
func New(cfg Config) (nexios.Middleware, error) {
	s, err := compile(cfg)
	if err != nil {
		return nil, err
	}
	return s.middleware, nil
}

func compile(cfg Config) (*secure, error) {
	s := &secure{
		hstsAlways:   cfg.HSTSAlways,
		redirect:     cfg.HTTPSRedirect,
		redirectHost: cfg.HTTPSRedirectHost,
		skip:         cfg.Skip,
	}
	frame := strings.ToUpper(orDefault(cfg.FrameOptions, "DENY"))
	ancestors := ""
	switch frame {
	case "DENY":
		ancestors = "; frame-ancestors 'none'"
	case "SAMEORIGIN":
		ancestors = "; frame-ancestors 'self'"
	case Omit:
	default:
		return nil, fmt.Errorf(`secure: FrameOptions %q: want "DENY", "SAMEORIGIN" or secure.Omit (for other framing rules use the CSP frame-ancestors directive)`, cfg.FrameOptions)
	}
	cspKey := "Content-Security-Policy"
	if cfg.CSPReportOnly {
		cspKey = "Content-Security-Policy-Report-Only"
	}
	for _, h := range []struct{ key, value, def string }{
		{"X-Content-Type-Options", cfg.ContentTypeOptions, "nosniff"},
		{"X-Frame-Options", frame, ""},
		{"Referrer-Policy", cfg.ReferrerPolicy, DefaultReferrerPolicy},
		{cspKey, cfg.ContentSecurityPolicy, DefaultContentSecurityPolicy + ancestors},
		{"Permissions-Policy", cfg.PermissionsPolicy, DefaultPermissionsPolicy},
		{"Cross-Origin-Opener-Policy", cfg.CrossOriginOpenerPolicy, "same-origin"},
		{"Cross-Origin-Resource-Policy", cfg.CrossOriginResourcePolicy, Omit},
		{"Cross-Origin-Embedder-Policy", cfg.CrossOriginEmbedderPolicy, Omit},
		{"X-Xss-Protection", cfg.XSSProtection, "0"},
	} {
		if err := s.add(h.key, orDefault(h.value, h.def)); err != nil {
			return nil, err
		}
	}
	for k, v := range cfg.ExtraHeaders {
		if !httpsyntax.IsToken(k) {
			return nil, fmt.Errorf("secure: invalid header name %q in ExtraHeaders", k)
		}
		if err := s.add(http.CanonicalHeaderKey(k), v); err != nil {
			return nil, err
		}
	}

	if !cfg.DisableHSTS {
		v, err := hstsValue(cfg)
		if err != nil {
			return nil, err
		}
		s.hsts = []string{v}
	}

	if !cfg.KeepHeaders {
		names := cfg.RemoveHeaders
		if names == nil {
			names = []string{"Server", "X-Powered-By"}
		}
		for _, n := range names {
			if !httpsyntax.IsToken(n) {
				return nil, fmt.Errorf("secure: invalid header name %q in RemoveHeaders", n)
			}
			s.remove = append(s.remove, http.CanonicalHeaderKey(n))
		}
	}
	if !httpsyntax.IsFieldValue(s.redirectHost) || strings.ContainsAny(s.redirectHost, "/?#@\\ ") {
		return nil, fmt.Errorf("secure: invalid HTTPSRedirectHost %q: want host[:port]", s.redirectHost)
	}
	s.strippers.New = func() any { return new(stripper) }
	return s, nil
}

func (s *secure) add(key, value string) error {
	if value == Omit {
		return nil
	}
	if !httpsyntax.IsFieldValue(value) {
		return fmt.Errorf("secure: invalid value %q for %s", value, key)
	}
	s.fixed = append(s.fixed, header{key: key, value: []string{value}})
	return nil
}

func hstsValue(cfg Config) (string, error) {
	maxAge := cfg.HSTSMaxAge
	if maxAge == 0 {
		maxAge = DefaultHSTSMaxAge
	}
	secs := int64(0)
	if maxAge > 0 {
		secs = int64(maxAge / time.Second)
	}
	if cfg.HSTSPreload && (secs < int64(DefaultHSTSMaxAge/time.Second) || cfg.HSTSExcludeSubdomains) {
		return "", errors.New("secure: HSTSPreload needs an HSTSMaxAge of at least a year and includeSubDomains")
	}
	v := "max-age=" + strconv.FormatInt(secs, 10)
	if !cfg.HSTSExcludeSubdomains {
		v += "; includeSubDomains"
	}
	if cfg.HSTSPreload {
		v += "; preload"
	}
	return v, nil
}

func (s *secure) middleware(next nexios.HandlerFunc) nexios.HandlerFunc {
	return func(req *nexios.Request, res *nexios.Response) error {
		if s.skip != nil && s.skip(req) {
			return next(req, res)
		}
		h := res.Header()
		for _, f := range s.fixed {
			h[f.key] = f.value
		}
		https := req.Scheme() == "https"
		if s.hsts != nil && (https || s.hstsAlways) {
			h["Strict-Transport-Security"] = s.hsts
		}
		if s.redirect && !https {
			return s.redirectToHTTPS(req, res)
		}
		if len(s.remove) == 0 {
			return next(req, res)
		}
		// Headers that reach the writer while next runs are stripped by
		// the wrapper; those set on an error path (rendered after this
		// middleware returns) are deleted below. If next panics, the
		// wrapper stays installed for the 500 response and is not reused.
		sw := s.strippers.Get().(*stripper)
		prev := res.Writer()
		sw.w, sw.names, sw.stripped = prev, s.remove, false
		res.SetWriter(sw)
		err := next(req, res)
		res.SetWriter(prev)
		*sw = stripper{}
		s.strippers.Put(sw)
		if !res.Committed() {
			for _, n := range s.remove {
				delete(h, n)
			}
		}
		return err
	}
}

func (s *secure) redirectToHTTPS(req *nexios.Request, res *nexios.Response) error {
	host := s.redirectHost
	if host == "" {
		r := req.Raw()
		host = r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
			if strings.Contains(h, ":") {
				host = "[" + h + "]"
			}
		}
		if host == "" || !httpsyntax.IsFieldValue(host) || strings.ContainsAny(host, "/?#@\\ ") {
			return nexios.NewHTTPError(http.StatusBadRequest, "invalid Host header")
		}
	}
	return res.Redirect("https://"+host+req.Raw().URL.RequestURI(), http.StatusPermanentRedirect)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
