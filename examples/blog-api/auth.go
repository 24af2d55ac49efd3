package main

import (
	"errors"
	"net/http"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/db"
)

func (s *server) authRoutes(api *nexios.Router) {
	r := nexios.NewRouter("/auth", nexios.RouterTags("auth"))
	api.Mount(r)
	nexios.Post(r, "/login", s.login, nexios.Summary("Sign in"),
		nexios.Description("Returns an access token and a refresh token, which is also set as an HttpOnly, SameSite=Strict cookie."))
	nexios.Post(r, "/refresh", s.refreshTokens, nexios.Summary("Exchange a refresh token"),
		nexios.Description("Takes the refresh token from the cookie or from Authorization: Bearer, and rotates it: a refresh token works once, and a used one presented again revokes the whole sign-in."))
	nexios.Post(r, "/logout", s.logout, nexios.Summary("Sign out"))
}

func (s *server) login(req *nexios.Request, in *Login) (*auth.TokenPair, error) {
	u, err := db.Q[User](req.Context(), s.db).Eq("username", in.Username).First()
	hash := ""
	switch {
	case err == nil:
		hash = u.Password
	case !errors.Is(err, db.ErrNotFound):
		return nil, err
	}
	// Throttled, timing-safe for unknown names, bounded: 401, 429 or 503.
	if err := s.passwords.Verify(req, in.Username, in.Password, hash); err != nil {
		return nil, err
	}
	if !u.IsActive {
		return nil, auth.ErrUserInactive
	}
	pair, err := s.tokens.CreateTokenPair(u.Identity(), map[string]any{"username": u.Username})
	if err != nil {
		return nil, err
	}
	return s.issue(req, pair)
}

func (s *server) refreshTokens(req *nexios.Request, _ *struct{}) (*auth.TokenPair, error) {
	tok, _ := s.refresh.Token(req)
	if tok == "" {
		return nil, nexios.NewHTTPError(http.StatusUnauthorized, "Missing token")
	}
	pair, err := s.tokens.Refresh(req.Context(), tok) // rotates; a reused token revokes its family
	if err != nil {
		if nexios.StatusOf(err) >= 500 {
			return nil, err // the revocation list failed: never a pass
		}
		_ = s.refresh.Clear(req.Response())
		return nil, nexios.NewHTTPError(http.StatusUnauthorized, "Invalid token: "+err.Error()).Wrap(err)
	}
	return s.issue(req, pair)
}

// issue answers with the token pair (access_token, token_type "bearer",
// refresh_token, expires_in) and sets the refresh cookie.
func (s *server) issue(req *nexios.Request, pair auth.TokenPair) (*auth.TokenPair, error) {
	return &pair, s.refresh.Set(req.Response(), pair.RefreshToken)
}

func (s *server) logout(req *nexios.Request, _ *struct{}) (*Message, error) {
	// The refresh token (cookie or body-less bearer) and the access token
	// both end their sign-in.
	for _, tok := range []string{req.Cookie(s.refresh.Name), auth.BearerToken(req)} {
		if tok == "" {
			continue
		}
		if err := s.tokens.Revoke(req.Context(), tok); err != nil && nexios.StatusOf(err) >= 500 {
			return nil, err // a bad token needs no revoking; a failing list does
		}
	}
	return &Message{"Successfully logged out"}, s.refresh.Clear(req.Response())
}
