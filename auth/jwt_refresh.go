package auth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Refresh exchanges a refresh token for a new access token (seed 001's
// /auth/refresh). The access token carries the refresh token's subject,
// scopes, claims and family.
//
// By default every refresh rotates: the presented token is revoked and a
// new one of the same family is returned in TokenPair.RefreshToken. The
// revoke is RevokeOnce, atomic per token, and happens before anything is
// signed, so of any number of concurrent calls with one token exactly one
// succeeds. A refresh token presented after it was used is reuse, the mark
// of a stolen token (OAuth 2.0 Security BCP §4.14): its whole family is
// revoked (every access and refresh token of that sign-in, whoever holds
// them) and the error is ErrTokenRevoked caused by ErrRefreshTokenReused.
// Clients must therefore send one refresh at a time per token.
//
// With RotateWithin shorter than RefreshTTL, a token further than that
// from its expiry is not rotated (RefreshToken is empty) and may be used
// again.
//
// Failures are *Error values: 401 for the token, ErrRevocationUnavailable
// (503) when the revocation list fails; a failing list never lets a token
// through.
func (j *JWT) Refresh(ctx context.Context, refreshToken string) (TokenPair, error) {
	c, err := j.parseAs(refreshToken, RefreshToken)
	if err != nil {
		return TokenPair{}, err
	}
	// The default (RotateWithin = RefreshTTL) rotates every time, also a
	// token refreshed in the instant it was issued.
	rotate := j.rotateWithin >= j.refreshTTL || c.ExpiresAt.Sub(j.now()) < j.rotateWithin
	rc := checkOf(c)
	if rotate {
		// The jti is settled by RevokeOnce below, which tells reuse from
		// a first use; the family and subject are checked here.
		rc.JTI = ""
	}
	if err := j.checkRevoked(ctx, rc); err != nil {
		return TokenPair{}, err
	}
	if rotate {
		first, err := j.revocations.RevokeOnce(ctx, c.ID, c.ExpiresAt.Add(j.leeway))
		if err != nil {
			return TokenPair{}, unavailable(err)
		}
		if !first {
			if c.Family != "" {
				if err := j.revocations.RevokeFamily(ctx, c.Family, j.familyExpiry()); err != nil {
					return TokenPair{}, unavailable(err)
				}
			}
			return TokenPair{}, ErrTokenRevoked.because(ErrRefreshTokenReused)
		}
	}
	return j.pair(c, c.Subject, rotate)
}

// parseSignature verifies a token's signature and header, not its claims
// (an expired token of ours, at logout).
func (j *JWT) parseSignature(token string) (*Claims, error) {
	if token == "" || len(token) > maxTokenLen {
		return nil, ErrTokenMalformed
	}
	c := new(Claims)
	if _, err := j.sigOnly.ParseWithClaims(token, c, j.keyFor); err != nil {
		return nil, mapJWTError(err)
	}
	return c, nil
}

// familyExpiry is how long a revoked family must be remembered: until
// every token of it issued so far has expired.
func (j *JWT) familyExpiry() time.Time {
	return j.now().Add(max(j.accessTTL, j.refreshTTL) + j.leeway)
}

// Revoke revokes a token (logout) and, when it belongs to a family, the
// whole family: the access and refresh tokens of that sign-in, including
// the ones Refresh issued since. Access tokens are refused at once unless
// SkipAccessRevocationCheck is set. The token must verify; an expired one
// needs no revoking and is not an error. A failing revocation list is
// ErrRevocationUnavailable (503).
func (j *JWT) Revoke(ctx context.Context, token string) error {
	c, err := j.parse(token)
	if errors.Is(err, ErrTokenExpired) {
		// The token itself needs no revoking, but its family may have
		// live tokens (an expired access token presented at logout).
		if c, err = j.parseSignature(token); err != nil || c.Family == "" {
			return nil
		}
		return j.RevokeFamily(ctx, c.Family)
	}
	if err != nil {
		return err
	}
	if c.ID == "" && c.Family == "" {
		return ErrTokenInvalid.because(errors.New("a token without jti or family cannot be revoked"))
	}
	if c.ID != "" {
		if _, err := j.revocations.RevokeOnce(ctx, c.ID, c.ExpiresAt.Add(j.leeway)); err != nil {
			return unavailable(err)
		}
	}
	if c.Family != "" {
		if err := j.revocations.RevokeFamily(ctx, c.Family, j.familyExpiry()); err != nil {
			return unavailable(err)
		}
	}
	return nil
}

// RevokeFamily revokes every token of a family (Claims.Family): "sign out
// this device" from a list of sign-ins.
func (j *JWT) RevokeFamily(ctx context.Context, family string) error {
	if family == "" {
		return errors.New("auth: RevokeFamily needs a family")
	}
	if err := j.revocations.RevokeFamily(ctx, family, j.familyExpiry()); err != nil {
		return unavailable(err)
	}
	return nil
}

// RevokeSubject revokes every token issued to subject until now (a
// password change, "sign out everywhere"). Tokens issued afterwards work.
// A failing revocation list is ErrRevocationUnavailable (503).
func (j *JWT) RevokeSubject(ctx context.Context, subject string) error {
	now := j.now()
	// Issue times have millisecond precision: a cutoff at the end of this
	// millisecond also revokes a token issued in it just after this call
	// (one needless sign-in), never spares one issued just before.
	before := now.Truncate(time.Millisecond).Add(time.Millisecond)
	until := now.Add(max(j.accessTTL, j.refreshTTL) + j.leeway)
	if err := j.revocations.RevokeSubject(ctx, subject, before, until); err != nil {
		return unavailable(fmt.Errorf("revoking the tokens of %q: %w", subject, err))
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
