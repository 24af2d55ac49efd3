package auth

import (
	"context"
	"errors"
	"strings"

	"github.com/nexios-go/nexios"
)

// JWTBackend authenticates by an access token: "Authorization: Bearer
// <token>", or a cookie when Cookie is set (seed 000 §4's JWTAuthBackend).
type JWTBackend struct {
	// JWT verifies the tokens. Required.
	JWT *JWT
	// Cookie, when set, is a cookie read for the token when the request
	// has no Authorization header (a browser app keeping its access token
	// in an HttpOnly cookie). Default: the header only.
	Cookie string
	// Load returns the user of a verified token (the Go form of
	// authenticate_func). Returning nil, nil or ErrUserNotFound rejects
	// the token; ErrUserInactive refuses a disabled account; other errors
	// fail the request. Default UserFromClaims.
	Load func(ctx context.Context, claims *Claims) (nexios.User, error)
	// Realm names the protection space in the challenge. Default "api".
	Realm string
}

func (b *JWTBackend) validate() error {
	if b.JWT == nil {
		return errors.New("JWTBackend.JWT is required")
	}
	return nil
}

// Authenticate implements Backend.
func (b *JWTBackend) Authenticate(req *nexios.Request) (nexios.User, error) {
	token, found := bearerToken(req.Header("Authorization"))
	if !found && b.Cookie != "" {
		token = req.Cookie(b.Cookie)
		found = token != ""
	}
	if !found {
		return nil, nil
	}
	claims, err := b.JWT.VerifyAccessToken(req.Context(), token)
	if err != nil {
		return nil, err
	}
	load := b.Load
	if load == nil {
		load = func(_ context.Context, c *Claims) (nexios.User, error) { return UserFromClaims(c), nil }
	}
	u, err := load(req.Context(), claims)
	if err != nil {
		return nil, err
	}
	if u == nil || !u.IsAuthenticated() {
		return nil, ErrUserNotFound
	}
	return u, nil
}

// bearerToken returns the token of an "Authorization: Bearer" header.
// found is false for another scheme (left to other backends); a Bearer
// header without a token is found with an empty token, which fails.
func bearerToken(h string) (token string, found bool) {
	scheme, rest, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

// Challenge implements Backend: a Bearer challenge (RFC 6750 §3), with
// error="invalid_token" and the reason when a token was rejected.
func (b *JWTBackend) Challenge(failure error) string {
	realm := b.Realm
	if realm == "" {
		realm = "api"
	}
	c := "Bearer realm=" + quote(realm)
	var e *Error
	if errors.As(failure, &e) {
		c += `, error="invalid_token", error_description=` + quote(e.Message)
	}
	return c
}

// UserFromClaims is the default JWTBackend loader: a SimpleUser whose ID
// is the subject, whose name is the "username" claim (or the subject) and
// whose permissions are the token's scopes.
func UserFromClaims(c *Claims) nexios.User {
	name, _ := c.Extra["username"].(string)
	return SimpleUser{ID: c.Subject, Name: name, Permissions: c.Scope}
}
