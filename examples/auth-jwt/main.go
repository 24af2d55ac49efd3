// Command auth-jwt is the Go port of §4 of the Nexios API examples ("JWT
// Auth Example"): POST /login with admin/password returns {"token": ...}
// (create_jwt), and GET /protected greets the bearer of a valid token.
// It adds seed 001's refresh flow: the login also sets a refresh token in an
// HttpOnly, SameSite=Strict cookie; POST /refresh exchanges it for a new
// access token (rotating it when it nears expiry) and POST /logout revokes
// it. Failed logins are throttled per account and per IP.
//
// Tokens are signed with JWT_SECRET (at least 32 bytes). Without it a
// random secret is used, with a warning: tokens then die with the server.
//
//	JWT_SECRET=$(openssl rand -hex 32) go run ./examples/auth-jwt
//	TOKEN=$(curl -s -X POST -d '{"username":"admin","password":"password"}' http://127.0.0.1:5000/login | jq -r .token)
//	curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:5000/protected  # {"message":"Hello, admin!"}
//	curl -si http://127.0.0.1:5000/protected                                   # 401 {"error":"Not authenticated"}
package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
)

const refreshCookie = "refresh_token"

// server holds the app's dependencies.
type server struct {
	tokens   *auth.JWT
	throttle *auth.LoginThrottle
	users    map[string]string // user name → password hash
	// dummy is verified for unknown user names, so that the response time
	// does not tell which names exist.
	dummy string
}

type credentials struct {
	Username string `json:"username" validate:"required"`
	Password string `json:"password" validate:"required"`
}

func newApp(secret []byte) (*nexios.App, error) {
	tokens, err := auth.NewJWT(auth.JWTConfig{
		Keys:         []auth.Key{auth.HS256Key(secret)},
		AccessTTL:    30 * time.Minute,   // seed 001's ACCESS_TOKEN_EXPIRE
		RefreshTTL:   7 * 24 * time.Hour, // REFRESH_TOKEN_EXPIRE
		RotateWithin: 5 * time.Minute,    // TOKEN_ROTATION_THRESHOLD
	})
	if err != nil {
		return nil, err
	}
	throttle, err := auth.NewLoginThrottle(auth.ThrottleConfig{})
	if err != nil {
		return nil, err
	}
	// The seed compares with a literal; a real app keeps password hashes.
	hash, err := auth.HashPassword("password")
	if err != nil {
		return nil, err
	}
	dummy, err := auth.HashPassword("no user has this password")
	if err != nil {
		return nil, err
	}
	s := &server{tokens: tokens, throttle: throttle, users: map[string]string{"admin": hash}, dummy: dummy}

	authn, err := auth.Middleware(&auth.JWTBackend{JWT: tokens})
	if err != nil {
		return nil, err
	}
	app := nexios.New(nexios.Config{Title: "JWT auth example"})
	app.Use(authn)
	// The seed answers errors as {"error": ...}.
	nexios.HandleError(app, func(req *nexios.Request, res *nexios.Response, err *nexios.HTTPError) error {
		return res.Status(err.Status).JSON(map[string]string{"error": err.Detail})
	})

	app.Post("/login", s.login)
	app.Get("/protected", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]string{"message": fmt.Sprintf("Hello, %s!", req.User().DisplayName())})
	}, auth.Required())
	app.Post("/refresh", s.refresh)
	app.Post("/logout", s.logout)
	return app, nil
}

// login checks the password (throttled) and returns an access token; the
// refresh token goes in an HttpOnly cookie.
func (s *server) login(req *nexios.Request, res *nexios.Response) error {
	var in credentials
	if err := req.Bind(&in); err != nil {
		return err
	}
	ctx, ip := req.Context(), req.ClientIP()
	if err := s.throttle.Check(ctx, in.Username, ip); err != nil {
		return err // 429 with Retry-After
	}
	hash, known := s.users[in.Username]
	if !known {
		hash = s.dummy
	}
	ok, err := auth.VerifyPassword(in.Password, hash)
	if err != nil {
		return err
	}
	if !known || !ok {
		if err := s.throttle.Failure(ctx, in.Username, ip); err != nil {
			return err
		}
		return nexios.NewHTTPError(http.StatusUnauthorized, "Invalid credentials")
	}
	if err := s.throttle.Success(ctx, in.Username, ip); err != nil {
		return err
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

// refresh exchanges the refresh cookie for a new access token.
func (s *server) refresh(req *nexios.Request, res *nexios.Response) error {
	tok := req.Cookie(refreshCookie)
	if tok == "" {
		return nexios.NewHTTPError(http.StatusUnauthorized, "Missing token")
	}
	pair, err := s.tokens.Refresh(req.Context(), tok)
	if err != nil && nexios.StatusOf(err) >= 500 {
		return err
	}
	if err != nil {
		// An *auth.Error (expired, revoked …) says why; 401 either way.
		return nexios.NewHTTPError(http.StatusUnauthorized, "Invalid token: "+err.Error()).Wrap(err)
	}
	if pair.RefreshToken != "" { // rotated
		if err := setRefreshCookie(req, res, pair.RefreshToken); err != nil {
			return err
		}
	}
	return res.JSON(map[string]string{"access_token": pair.AccessToken, "token_type": pair.TokenType})
}

// logout revokes the refresh token and deletes its cookie.
func (s *server) logout(req *nexios.Request, res *nexios.Response) error {
	if tok := req.Cookie(refreshCookie); tok != "" {
		if err := s.tokens.Revoke(req.Context(), tok); err != nil && nexios.StatusOf(err) >= 500 {
			return err // a bad token needs no revoking; a failing list does
		}
	}
	if err := res.SetCookie(&http.Cookie{Name: refreshCookie, Value: "", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode}); err != nil {
		return err
	}
	return res.JSON(map[string]string{"message": "Successfully logged out"})
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
