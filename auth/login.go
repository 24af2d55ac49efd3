package auth

import (
	"net/http"
	"time"

	"github.com/nexios-go/nexios"
)

// Passwords checks passwords at login the way a hardened deployment
// needs, so that a login handler is three lines: the attempt is reserved
// with the throttle before the hash is computed (concurrent guesses cannot
// bypass it), an unknown account is verified against a dummy hash (the
// time does not tell which accounts exist), and the hashing goes through
// the bounded Hasher (a burst answers 503 instead of exhausting memory).
//
//	pw := &auth.Passwords{Hasher: hasher, Throttle: throttle}
//	user, _ := users.ByName(ctx, in.Username)            // nil when unknown
//	if err := pw.Verify(req, in.Username, in.Password, user.HashOrEmpty()); err != nil {
//		return err // 401 invalid credentials, 429 throttled, 503 busy
//	}
type Passwords struct {
	// Hasher hashes and verifies (argon2id, bounded). Required.
	Hasher *Hasher
	// Throttle limits attempts per account and per network. Optional:
	// nil checks every attempt.
	Throttle *LoginThrottle
}

// Verify checks password against hash for account, the request's client
// being the one that tries. An empty hash is an unknown account. It
// returns nil when the password is right; ErrInvalidCredentials (401)
// when it is wrong or the account unknown; the throttle's 429 (with
// Retry-After) or a 503 when the attempt is refused or cannot be checked.
func (p *Passwords) Verify(req *nexios.Request, account, password, hash string) error {
	ctx := req.Context()
	var att *Attempt
	if p.Throttle != nil {
		var err error
		if att, err = p.Throttle.Reserve(ctx, account, req.ClientIP()); err != nil {
			return err
		}
	}
	known := hash != ""
	if !known {
		hash = p.Hasher.DummyHash()
	}
	ok, err := p.Hasher.Verify(ctx, password, hash)
	if err != nil {
		if att != nil {
			_ = att.Cancel(ctx) // no answer given: the attempt does not count
		}
		return err
	}
	if !ok || !known {
		if att != nil {
			if ferr := att.Failed(ctx); ferr != nil {
				return ferr
			}
		}
		return ErrInvalidCredentials
	}
	if att != nil {
		return att.Succeeded(ctx)
	}
	return nil
}

// Hash hashes a new password with the bounded Hasher.
func (p *Passwords) Hash(req *nexios.Request, password string) (string, error) {
	return p.Hasher.Hash(req.Context(), password)
}

// BearerToken returns the token of the request's "Authorization: Bearer"
// header, or "".
func BearerToken(req *nexios.Request) string {
	tok, _ := bearerToken(req.Header("Authorization"))
	return tok
}

// RefreshCookie carries a refresh token in a cookie, as seed 001's login
// does: HttpOnly (scripts never read it), SameSite=Strict (never sent by
// another site's request) and Secure over HTTPS.
type RefreshCookie struct {
	// Name of the cookie. Default "refresh_token".
	Name string
	// Path the cookie is sent to. Default "/"; narrowing it to the refresh
	// and logout routes ("/api/v1/auth") keeps it off every other request.
	Path string
	// MaxAge of the cookie. Default: a session cookie.
	MaxAge time.Duration
}

func (c RefreshCookie) name() string {
	if c.Name == "" {
		return "refresh_token"
	}
	return c.Name
}

func (c RefreshCookie) cookie(value string, maxAge int) *http.Cookie {
	path := c.Path
	if path == "" {
		path = "/"
	}
	return &http.Cookie{Name: c.name(), Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode}
}

// Set sends token in the cookie (Secure when the request came over TLS).
func (c RefreshCookie) Set(res *nexios.Response, token string) error {
	return res.SetCookie(c.cookie(token, int(c.MaxAge/time.Second)))
}

// Clear tells the client to drop the cookie.
func (c RefreshCookie) Clear(res *nexios.Response) error {
	return res.SetCookie(c.cookie("", -1))
}

// Token returns the refresh token a request carries: an
// "Authorization: Bearer" header (an API client, as in seed 001; the
// explicit choice wins), else the cookie (a browser); fromCookie says
// which, so a handler answers in kind.
func (c RefreshCookie) Token(req *nexios.Request) (token string, fromCookie bool) {
	if t := BearerToken(req); t != "" {
		return t, false
	}
	return req.Cookie(c.name()), true
}
