// Package csrf protects against cross-site request forgery.
//
// The default mode (OriginMode) uses the standard library's
// http.CrossOriginProtection: an unsafe request (anything but GET, HEAD,
// OPTIONS and TRACE) is rejected when the browser marks it as cross-site
// (Sec-Fetch-Site), or, for browsers that do not send that header, when
// its Origin does not match its Host. It needs no token, no cookie and no
// change to forms or API clients.
//
//	app.Use(nexios.Must(csrf.New(csrf.Config{})))
//
// TokenMode adds the classic synchronizer token on top, for HTML forms:
// a random token lives in a cookie (double submit) or in a TokenStore such
// as the session, templates embed csrf.Token(req) in a hidden form field
// or a meta tag, scripts send it in the X-CSRFToken header, and an unsafe
// request whose token is missing or wrong is rejected.
//
//	app.Use(nexios.Must(csrf.New(csrf.Config{Mode: csrf.TokenMode})))
//	// <input type="hidden" name="csrf_token" value="{{ .CSRF }}">, with CSRF: csrf.Token(req)
//
// Rejections are *nexios.HTTPError values with status 403 that render as
// problem+json through the app's error handlers; their Err is one of
// ErrCrossOrigin, ErrNoToken, ErrTokenMissing or ErrTokenInvalid.
package csrf

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/internal/httpsyntax"
)

// Mode selects how requests are verified.
type Mode int

const (
	// OriginMode rejects unsafe cross-origin requests using the browser's
	// Sec-Fetch-Site and Origin headers (http.CrossOriginProtection).
	OriginMode Mode = iota
	// TokenMode checks OriginMode's rule and, in addition, requires a
	// matching token on every unsafe request.
	TokenMode
)

// Errors wrapped by the 403 errors the middleware returns; test them with
// errors.Is.
var (
	// ErrCrossOrigin: the request came from another origin.
	ErrCrossOrigin = errors.New("csrf: cross-origin request")
	// ErrNoToken: TokenMode, and the client holds no token (no cookie,
	// or nothing in the store) to compare with.
	ErrNoToken = errors.New("csrf: no CSRF token issued to this client")
	// ErrTokenMissing: TokenMode, and the request carries no token in the
	// header or the form field.
	ErrTokenMissing = errors.New("csrf: CSRF token missing")
	// ErrTokenInvalid: TokenMode, and the request's token does not match.
	ErrTokenInvalid = errors.New("csrf: CSRF token incorrect")
)

// TokenStore keeps the token of each client on the server side, instead
// of the default double-submit cookie. A session-backed store reads and
// writes one session key; the session middleware must run before (be
// added before) the CSRF middleware. See the package documentation page
// (docs/middleware/csrf.md) for a session example.
type TokenStore interface {
	// Get returns the client's token, and false when it has none.
	Get(req *nexios.Request) (token string, ok bool)
	// Set stores a new token for the client.
	Set(req *nexios.Request, res *nexios.Response, token string) error
}

// Config configures the middleware. The zero Config is valid: OriginMode
// with no trusted origins and no exemptions.
type Config struct {
	// Mode is OriginMode (default) or TokenMode.
	Mode Mode

	// TrustedOrigins lists origins ("https://admin.example.com", scheme
	// and host, no path) whose cross-origin requests are accepted. In
	// TokenMode they still need a valid token.
	TrustedOrigins []string

	// Exempt, when it returns true, lets a request through unchecked
	// (webhooks authenticated another way). Default: none.
	Exempt func(*nexios.Request) bool
	// ExemptPaths lists route patterns exempt from the check, compared
	// with req.Pattern() (the matched route, such as
	// "/webhooks/{provider}"). A pattern ending in "*" matches every
	// route pattern that starts with the part before it.
	ExemptPaths []string

	// CookieName is the token cookie's name. Default "csrftoken".
	// A name starting with "__Host-" makes the cookie Secure, host-only
	// and path "/" (recommended over HTTPS).
	CookieName string
	// CookiePath is the cookie's path. Default "/".
	CookiePath string
	// CookieDomain is the cookie's domain. Default: host-only.
	CookieDomain string
	// CookieMaxAge is the cookie's lifetime. Default 0: a session cookie.
	CookieMaxAge time.Duration
	// CookieSecure forces the Secure attribute; it is set anyway on
	// HTTPS requests (req.Scheme() == "https").
	CookieSecure bool
	// CookieSameSite defaults to http.SameSiteLaxMode.
	CookieSameSite http.SameSite
	// HeaderName is the request header carrying the token. Default
	// "X-CSRFToken".
	HeaderName string
	// FormField is the form field carrying the token, read from
	// urlencoded and multipart bodies when the header is absent.
	// Default "csrf_token".
	FormField string
	// Store keeps tokens server-side (in the session) instead of in the
	// cookie; no cookie is set then. Default: the cookie.
	Store TokenStore

	// Skip, when it returns true, passes the request on untouched (no
	// check, no token). Default: never skip.
	Skip func(*nexios.Request) bool
}

type csrf struct {
	mode        Mode
	cop         *http.CrossOriginProtection
	exempt      func(*nexios.Request) bool
	exactPaths  map[string]bool
	prefixPaths []string
	skip        func(*nexios.Request) bool

	cookieName   string
	cookiePath   string
	cookieDomain string
	cookieMaxAge int
	cookieSecure bool
	sameSite     http.SameSite
	header       string // canonical, for lookups
	headerName   string // as configured, for messages
	field        string
	store        TokenStore
}

// New returns the middleware for cfg, or an error when cfg is invalid
// (a malformed trusted origin, exempt path or cookie name).
func New(cfg Config) (nexios.Middleware, error) {
	m, err := compile(cfg)
	if err != nil {
		return nil, err
	}
	return m.middleware, nil
}

func compile(cfg Config) (*csrf, error) {
	m := &csrf{
		mode:         cfg.Mode,
		cop:          http.NewCrossOriginProtection(),
		exempt:       cfg.Exempt,
		exactPaths:   map[string]bool{},
		skip:         cfg.Skip,
		cookieName:   orDefault(cfg.CookieName, "csrftoken"),
		cookiePath:   orDefault(cfg.CookiePath, "/"),
		cookieDomain: cfg.CookieDomain,
		cookieSecure: cfg.CookieSecure,
		sameSite:     cfg.CookieSameSite,
		header:       http.CanonicalHeaderKey(orDefault(cfg.HeaderName, "X-CSRFToken")),
		headerName:   orDefault(cfg.HeaderName, "X-CSRFToken"),
		field:        orDefault(cfg.FormField, "csrf_token"),
		store:        cfg.Store,
	}
	if m.mode != OriginMode && m.mode != TokenMode {
		return nil, fmt.Errorf("csrf: unknown Mode %d", m.mode)
	}
	for _, o := range cfg.TrustedOrigins {
		o = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(o), "/"))
		if err := m.cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("csrf: TrustedOrigins: %w", err)
		}
	}
	for _, p := range cfg.ExemptPaths {
		if !strings.HasPrefix(p, "/") {
			return nil, fmt.Errorf("csrf: ExemptPaths entry %q must be a route pattern starting with /", p)
		}
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			m.prefixPaths = append(m.prefixPaths, prefix)
		} else {
			m.exactPaths[p] = true
		}
	}
	if m.mode == TokenMode {
		if err := m.checkCookieConfig(cfg); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *csrf) checkCookieConfig(cfg Config) error {
	if !httpsyntax.IsToken(m.cookieName) {
		return fmt.Errorf("csrf: invalid CookieName %q", m.cookieName)
	}
	if !httpsyntax.IsToken(m.header) {
		return fmt.Errorf("csrf: invalid HeaderName %q", m.header)
	}
	if cfg.CookieMaxAge < 0 {
		return errors.New("csrf: CookieMaxAge must not be negative")
	}
	m.cookieMaxAge = int((cfg.CookieMaxAge + time.Second - 1) / time.Second)
	if m.sameSite == 0 {
		m.sameSite = http.SameSiteLaxMode
	}
	if m.sameSite == http.SameSiteNoneMode {
		m.cookieSecure = true // browsers drop SameSite=None cookies without Secure
	}
	switch {
	case strings.HasPrefix(m.cookieName, "__Host-"):
		if m.cookieDomain != "" || m.cookiePath != "/" {
			return errors.New("csrf: a __Host- cookie needs CookiePath \"/\" and no CookieDomain")
		}
		m.cookieSecure = true
	case strings.HasPrefix(m.cookieName, "__Secure-"):
		m.cookieSecure = true
	}
	c := http.Cookie{Name: m.cookieName, Value: "x", Path: m.cookiePath, Domain: m.cookieDomain}
	if err := c.Valid(); err != nil {
		return fmt.Errorf("csrf: invalid cookie settings: %w", err)
	}
	return nil
}

func (m *csrf) middleware(next nexios.HandlerFunc) nexios.HandlerFunc {
	return func(req *nexios.Request, res *nexios.Response) error {
		if m.skip != nil && m.skip(req) {
			return next(req, res)
		}
		var token [tokenLen]byte
		var haveToken bool
		if m.mode == TokenMode {
			var err error
			if haveToken, err = m.prepareToken(req, res, &token); err != nil {
				return err
			}
		}
		if isSafe(req.Method()) || m.isExempt(req) {
			return next(req, res)
		}
		if err := m.cop.Check(req.Raw()); err != nil {
			return m.reject(req, ErrCrossOrigin, "cross-origin request rejected: "+err.Error())
		}
		if m.mode == TokenMode {
			if err := m.verifyToken(req, &token, haveToken); err != nil {
				return err
			}
		}
		return next(req, res)
	}
}

// isSafe reports whether method is safe (RFC 9110 §9.2.1): it must not
// change state, so it is never checked.
func isSafe(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

func (m *csrf) isExempt(req *nexios.Request) bool {
	if m.exempt != nil && m.exempt(req) {
		return true
	}
	p := req.Pattern()
	if p == "" {
		return false
	}
	if m.exactPaths[p] {
		return true
	}
	for _, prefix := range m.prefixPaths {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

func (m *csrf) reject(req *nexios.Request, cause error, detail string) error {
	if app := req.App(); app != nil {
		app.Logger().LogAttrs(req.Context(), slog.LevelDebug, "csrf: request rejected",
			slog.String("method", req.Method()), slog.String("path", req.URL().Path),
			slog.String("origin", req.Header("Origin")), slog.String("reason", detail))
	}
	return nexios.NewHTTPError(http.StatusForbidden, detail).Wrap(cause)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
