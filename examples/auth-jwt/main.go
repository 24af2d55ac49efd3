// Command auth-jwt is the Go port of §4 of the Nexios API examples ("JWT
// Auth Example"): POST /login with admin/password returns {"token": ...}
// (create_jwt), and GET /protected greets the bearer of a valid token.
// It adds seed 001's refresh flow, hardened (issue 18):
//
//   - the login checks an argon2id hash through a bounded Hasher (a burst of
//     logins gets 503 with Retry-After instead of exhausting memory), behind
//     a LoginThrottle that reserves each attempt before the password check
//     (5 per account, 20 per network, per 15 minutes);
//   - the login also sets a refresh token in an HttpOnly, SameSite=Strict
//     cookie; POST /refresh takes it from the cookie or, as in seed 001,
//     from "Authorization: Bearer", and rotates it on every use: a refresh
//     token works once, and presenting a used one revokes its whole family
//     (every token of that sign-in);
//   - POST /logout revokes the family (access token included: access tokens
//     are checked against the revocation list by default);
//   - POST /change-password revokes every token of the user.
//
// Every error has the seed's shape, {"error": ...} (Config.RenderProblem),
// and /openapi.json documents it (openapi.Config.ErrorSchema).
//
// Tokens are signed with JWT_SECRET (at least 32 bytes). Without it a
// random secret is used, with a warning: tokens then die with the server.
//
//	JWT_SECRET=$(openssl rand -hex 32) go run ./examples/auth-jwt
//	TOKEN=$(curl -s -c jar -H 'Content-Type: application/json' -d '{"username":"admin","password":"password"}' http://127.0.0.1:5000/login | jq -r .token)
//	curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:5000/protected  # {"message":"Hello, admin!"}
//	TOKEN=$(curl -s -b jar -c jar -X POST http://127.0.0.1:5000/refresh | jq -r .access_token)
//	curl -s -b jar -c jar -X POST -H "Authorization: Bearer $TOKEN" http://127.0.0.1:5000/logout  # {"message":"Successfully logged out"}
//	curl -si -H "Authorization: Bearer $TOKEN" http://127.0.0.1:5000/protected  # 401 {"error":"token revoked"}
//	curl -si http://127.0.0.1:5000/protected                                   # 401 {"error":"Not authenticated"}
package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/openapi"
)

const refreshCookie = "refresh_token"

// adminHash is the argon2id hash of "password" (the seed's demo login). A
// real app keeps its users' hashes in its database.
const adminHash = "$argon2id$v=19$m=19456,t=2,p=1$lBuucCv4DtRRh17NzUwsqw$BRFdjRpQe6cu00y//XGiHk8dgaouTsbEVsqYE1hC+y4"

// server holds the app's dependencies.
type server struct {
	tokens   *auth.JWT
	throttle *auth.LoginThrottle
	hasher   *auth.Hasher

	mu    sync.RWMutex
	users map[string]string // user name → password hash
}

type credentials struct {
	Username string `json:"username" validate:"required,max=256"`
	Password string `json:"password" validate:"required,max=4096"`
}

type passwordChange struct {
	OldPassword string `json:"old_password" validate:"required,max=4096"`
	NewPassword string `json:"new_password" validate:"required,min=8,max=4096"`
}

func newApp(secret []byte) (*nexios.App, error) {
	tokens, err := auth.NewJWT(auth.JWTConfig{
		Keys:       []auth.Key{auth.HS256Key(secret)},
		AccessTTL:  30 * time.Minute,   // seed 001's ACCESS_TOKEN_EXPIRE
		RefreshTTL: 7 * 24 * time.Hour, // REFRESH_TOKEN_EXPIRE
		// RotateWithin is left at its default: every refresh rotates
		// (the seed's 5-minute TOKEN_ROTATION_THRESHOLD would let a
		// stolen refresh token be replayed for days unnoticed).
	})
	if err != nil {
		return nil, err
	}
	throttle, err := auth.NewLoginThrottle(auth.ThrottleConfig{})
	if err != nil {
		return nil, err
	}
	hasher, err := auth.NewHasher(auth.HasherConfig{})
	if err != nil {
		return nil, err
	}
	s := &server{tokens: tokens, throttle: throttle, hasher: hasher, users: map[string]string{"admin": adminHash}}

	authn, err := auth.Middleware(&auth.JWTBackend{JWT: tokens})
	if err != nil {
		return nil, err
	}
	// The seed answers errors as {"error": ...}: RenderProblem makes every
	// error the app sends (401, 429, malformed JSON, a 422's fields, a
	// panic's 500) take that shape, and the OpenAPI document says so.
	app := nexios.New(nexios.Config{Title: "JWT auth example", RenderProblem: renderError})
	app.Use(authn)

	app.Post("/login", s.login, nexios.Input[credentials]())
	app.Get("/protected", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]string{"message": fmt.Sprintf("Hello, %s!", req.User().DisplayName())})
	}, auth.Required())
	app.Post("/refresh", s.refresh)
	app.Post("/logout", s.logout)
	app.Post("/change-password", s.changePassword, auth.Required(), nexios.Input[passwordChange]())
	err = openapi.Register(app, openapi.Config{
		ErrorSchema:     apiError{},
		SecuritySchemes: map[string]openapi.SecurityScheme{"bearerAuth": openapi.BearerJWT()},
	})
	return app, err
}

// apiError is every error response: the seed's {"error": ...}, with the
// fields at fault when a request is invalid (422).
type apiError struct {
	Error  string              `json:"error"`
	Errors []nexios.FieldError `json:"errors,omitempty"`
}

// renderError renders every error response as an apiError.
func renderError(_ *nexios.Request, res *nexios.Response, p *nexios.Problem) error {
	msg := p.Detail
	if msg == "" {
		msg = p.Title // a server error shows no detail outside debug mode
	}
	return res.JSON(apiError{Error: msg, Errors: p.Errors})
}

// checkPassword verifies username's password behind the throttle: the
// attempt is reserved before the hash is computed. It returns a 429 or a
// 503 error when the attempt is refused, false for wrong credentials.
func (s *server) checkPassword(req *nexios.Request, username, password string) (bool, error) {
	ctx := req.Context()
	att, err := s.throttle.Reserve(ctx, username, req.ClientIP())
	if err != nil {
		return false, err // 429 with Retry-After, or 503
	}
	s.mu.RLock()
	hash, known := s.users[username]
	s.mu.RUnlock()
	if !known {
		hash = s.hasher.DummyHash() // same time as a known user
	}
	ok, err := s.hasher.Verify(ctx, password, hash)
	if err != nil {
		_ = att.Cancel(ctx) // busy hasher: no answer, not counted
		return false, err
	}
	if !ok || !known {
		return false, att.Failed(ctx)
	}
	return true, att.Succeeded(ctx)
}

// login checks the password and returns an access token; the refresh
// token goes in an HttpOnly cookie.
func (s *server) login(req *nexios.Request, res *nexios.Response) error {
	var in credentials
	if err := req.Bind(&in); err != nil {
		return err
	}
	ok, err := s.checkPassword(req, in.Username, in.Password)
	if err != nil {
		return err
	}
	if !ok {
		return nexios.NewHTTPError(http.StatusUnauthorized, "Invalid credentials")
	}
	pair, err := s.tokens.CreateTokenPair(in.Username, nil)
	if err != nil {
		return err
	}
	if err := setRefreshCookie(req, res, pair.RefreshToken); err != nil {
		return err
	}
	return res.JSON(map[string]string{"token": pair.AccessToken})
}

// bearer returns the token of an "Authorization: Bearer" header.
func bearer(req *nexios.Request) string {
	scheme, token, _ := strings.Cut(req.Header("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// refresh exchanges a refresh token, from the cookie (browsers) or the
// Authorization header (seed 001's API clients), for a new access token
// and a new refresh token.
func (s *server) refresh(req *nexios.Request, res *nexios.Response) error {
	tok, fromCookie := req.Cookie(refreshCookie), true
	if tok == "" {
		tok, fromCookie = bearer(req), false
	}
	if tok == "" {
		return nexios.NewHTTPError(http.StatusUnauthorized, "Missing token")
	}
	pair, err := s.tokens.Refresh(req.Context(), tok)
	if err != nil && nexios.StatusOf(err) >= 500 {
		return err // the revocation list failed: 503, never a pass
	}
	if err != nil {
		// An *auth.Error (expired, revoked, reused …) says why; 401
		// either way. A used token revoked its family: drop the cookie.
		if fromCookie {
			_ = res.SetCookie(&http.Cookie{Name: refreshCookie, Value: "", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
		}
		return nexios.NewHTTPError(http.StatusUnauthorized, "Invalid token: "+err.Error()).Wrap(err)
	}
	out := map[string]string{"access_token": pair.AccessToken, "token_type": pair.TokenType}
	if fromCookie {
		if err := setRefreshCookie(req, res, pair.RefreshToken); err != nil {
			return err
		}
	} else {
		out["refresh_token"] = pair.RefreshToken // the old one is used up
	}
	return res.JSON(out)
}

// logout revokes the sign-in (the refresh cookie's family, and the bearer
// token's) and deletes the cookie.
func (s *server) logout(req *nexios.Request, res *nexios.Response) error {
	for _, tok := range []string{req.Cookie(refreshCookie), bearer(req)} {
		if tok == "" {
			continue
		}
		if err := s.tokens.Revoke(req.Context(), tok); err != nil && nexios.StatusOf(err) >= 500 {
			return err // a bad token needs no revoking; a failing list does
		}
	}
	if err := res.SetCookie(&http.Cookie{Name: refreshCookie, Value: "", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode}); err != nil {
		return err
	}
	return res.JSON(map[string]string{"message": "Successfully logged out"})
}

// changePassword checks the old password (throttled like a login), stores
// the new hash and revokes every token of the user (seed 001's
// invalidate_sessions): every device signs in again.
func (s *server) changePassword(req *nexios.Request, res *nexios.Response) error {
	var in passwordChange
	if err := req.Bind(&in); err != nil {
		return err
	}
	user := req.User().Identity()
	ok, err := s.checkPassword(req, user, in.OldPassword)
	if err != nil {
		return err
	}
	if !ok {
		return nexios.NewHTTPError(http.StatusBadRequest, "Incorrect password")
	}
	hash, err := s.hasher.Hash(req.Context(), in.NewPassword)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.users[user] = hash
	s.mu.Unlock()
	if err := s.tokens.RevokeSubject(req.Context(), user); err != nil {
		return err
	}
	if err := res.SetCookie(&http.Cookie{Name: refreshCookie, Value: "", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode}); err != nil {
		return err
	}
	return res.JSON(map[string]string{"message": "Password changed successfully; sign in again"})
}

// setRefreshCookie sets the refresh token as seed 001 does: HttpOnly,
// SameSite=Strict, Secure over HTTPS (a Secure cookie would never come back
// over plain HTTP, Nexios' set_cookie quirk).
func setRefreshCookie(req *nexios.Request, res *nexios.Response, token string) error {
	return res.SetCookie(&http.Cookie{
		Name: refreshCookie, Value: token, HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: req.Scheme() == "https", MaxAge: int((7 * 24 * time.Hour).Seconds()),
	})
}

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "address to listen on")
	flag.Parse()
	logger := slog.Default()
	secret, err := auth.SecretFromEnv("JWT_SECRET", logger)
	if err == nil {
		var app *nexios.App
		if app, err = newApp(secret); err == nil {
			err = app.Run(*addr)
		}
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("server stopped", "error", err)
		os.Exit(1)
	}
}
