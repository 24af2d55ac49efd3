package auth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Refresh exchanges a refresh token for a new access token (seed 001's
// /auth/refresh). The access token carries the refresh token's subject,
// scopes and claims. When the refresh token expires within RotateWithin,
// a new one is issued in TokenPair.RefreshToken and the old one is revoked,
// so each refresh token works once; otherwise RefreshToken is empty and
// the client keeps its token. Failures are *Error values (401).
func (j *JWT) Refresh(ctx context.Context, refreshToken string) (TokenPair, error) {
	c, err := j.VerifyRefreshToken(ctx, refreshToken)
	if err != nil {
		return TokenPair{}, err
	}
	access, err := j.sign(&Claims{TokenType: AccessToken, Scope: c.Scope, Extra: c.Extra}, c.Subject, j.accessTTL)
	if err != nil {
		return TokenPair{}, err
	}
	pair := TokenPair{AccessToken: access, TokenType: "bearer", ExpiresIn: int(j.accessTTL / time.Second)}
	if c.ExpiresAt.Sub(j.now()) < j.rotateWithin {
		next, err := j.sign(&Claims{TokenType: RefreshToken, Scope: c.Scope, Extra: c.Extra}, c.Subject, j.refreshTTL)
		if err != nil {
			return TokenPair{}, err
		}
		if err := j.revocations.RevokeToken(ctx, c.ID, c.ExpiresAt.Time); err != nil {
			return TokenPair{}, fmt.Errorf("auth: revoking the rotated refresh token: %w", err)
		}
		pair.RefreshToken = next
	}
	return pair, nil
}

// Revoke revokes one token (logout): a refresh token is refused from now
// on, and so is an access token when CheckAccessRevocation is set. The
// token must verify; an expired one needs no revoking and is not an error.
func (j *JWT) Revoke(ctx context.Context, token string) error {
	c, err := j.parse(token)
	if errors.Is(err, ErrTokenExpired) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.ID == "" {
		return ErrTokenInvalid.because(errors.New("a token without jti cannot be revoked"))
	}
	if err := j.revocations.RevokeToken(ctx, c.ID, c.ExpiresAt.Add(j.leeway)); err != nil {
		return fmt.Errorf("auth: revoking a token: %w", err)
	}
	return nil
}

// RevokeSubject revokes every token issued to subject until now (a
// password change, "sign out everywhere"). Tokens issued afterwards work.
func (j *JWT) RevokeSubject(ctx context.Context, subject string) error {
	now := j.now()
	// Issue times have millisecond precision: a cutoff at the end of this
	// millisecond also revokes a token issued in it just after this call
	// (one needless sign-in), never spares one issued just before.
	before := now.Truncate(time.Millisecond).Add(time.Millisecond)
	until := now.Add(max(j.accessTTL, j.refreshTTL) + j.leeway)
	if err := j.revocations.RevokeSubject(ctx, subject, before, until); err != nil {
		return fmt.Errorf("auth: revoking the tokens of %q: %w", subject, err)
	}
	return nil
}

// CreateJWT is the one-liner for the simple case, like Nexios'
// create_jwt(payload): an HS256 access token signed with secret (32 bytes
// or more) carrying claims, which must include "sub", and expiring after
// ttl (30 minutes when 0). Verify it with a JWT built on the same secret:
//
//	token, err := auth.CreateJWT(secret, map[string]any{"sub": "admin"}, time.Hour)
//	j, err := auth.NewJWT(auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}})
//	claims, err := j.VerifyAccessToken(ctx, token)
func CreateJWT(secret []byte, claims map[string]any, ttl time.Duration) (string, error) {
	sub, _ := claims["sub"].(string)
	if sub == "" {
		return "", errors.New(`auth: CreateJWT needs a string "sub" claim`)
	}
	j, err := NewJWT(JWTConfig{Keys: []Key{HS256Key(secret)}, AccessTTL: ttl})
	if err != nil {
		return "", err
	}
	rest := make(map[string]any, len(claims))
	for k, v := range claims {
		if k != "sub" {
			rest[k] = v
		}
	}
	return j.CreateAccessToken(sub, rest)
}
