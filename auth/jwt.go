package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// JWTConfig configures a JWT issuer and verifier.
type JWTConfig struct {
	// Keys sign and verify tokens. The first key that can sign signs new
	// tokens; every key verifies the tokens of its algorithm (and, for a
	// token with a kid header, only the key with that id). Rotate by
	// putting a new key first and keeping the old one until its tokens
	// have expired. At least one.
	Keys []Key
	// Issuer is put in the iss claim of new tokens and required in
	// verified ones. Default "": not set, not checked.
	Issuer string
	// Audience is put in the aud claim of new tokens; a verified token
	// must name at least one of them. Default: not set, not checked.
	Audience []string

	// AccessTTL is the lifetime of access tokens. Default 30 minutes (seed
	// 001's ACCESS_TOKEN_EXPIRE).
	AccessTTL time.Duration
	// RefreshTTL is the lifetime of refresh tokens. Default 7 days (seed
	// 001's REFRESH_TOKEN_EXPIRE).
	RefreshTTL time.Duration
	// RotateWithin: Refresh issues a new refresh token (and revokes the
	// presented one) when the one presented expires within this time.
	// Default RefreshTTL: every refresh rotates (per-use rotation, the
	// OAuth 2.0 Security BCP's advice), so a refresh token works once and
	// its reuse is detected. A shorter time (seed 001 uses 5 minutes)
	// lets a refresh token be used many times until then, and reuse is
	// detected only after it rotated.
	RotateWithin time.Duration
	// Leeway tolerates clock skew between issuer and verifier when
	// checking exp, nbf and iat. Default 0.
	Leeway time.Duration

	// Revocations remembers revoked tokens. Default: a new
	// MemoryRevocationList (enough for one instance; with several, a
	// shared list such as Redis). Its failures refuse tokens (503).
	Revocations RevocationList
	// SkipAccessRevocationCheck stops VerifyAccessToken from consulting
	// Revocations. By default every access token is checked (its jti,
	// family and subject), so logout, reuse of a refresh token and
	// RevokeSubject end access tokens at once, at the cost of one lookup
	// per authenticated request (a map read in memory, a round trip to
	// Redis or SQL). Skipping it leaves a revoked access token valid
	// until it expires (AccessTTL). Refresh tokens are always checked.
	SkipAccessRevocationCheck bool

	// Now returns the current time. Default time.Now; tests inject a
	// clock.
	Now func() time.Time
}

// JWT issues and verifies JSON Web Tokens: short-lived access tokens and
// long-lived refresh tokens (seed 001's JWTAuth), each with a unique jti,
// an exp and a token_type. Verification pins algorithms to keys, requires
// exp, refuses unknown critical headers (RFC 7515 §4.1.11), checks nbf,
// iat, iss and aud, then the revocation list. A JWT is safe for
// concurrent use.
type JWT struct {
	signer       *Key
	byID         map[string]Key
	byAlg        map[string][]any // algorithm → verification keys
	parser       *jwt.Parser
	sigOnly      *jwt.Parser // the signature and header only, for Revoke
	issuer       string
	audience     jwt.ClaimStrings
	accessTTL    time.Duration
	refreshTTL   time.Duration
	rotateWithin time.Duration
	leeway       time.Duration
	revocations  RevocationList
	skipAccess   bool
	now          func() time.Time
}

// Token types, in the token_type claim.
const (
	AccessToken  = "access"
	RefreshToken = "refresh"
)

// maxTokenLen bounds what the verifier parses: real tokens are well under
// a kilobyte, and a huge header must not cost a huge decode.
const maxTokenLen = 8 << 10

// NewJWT returns a JWT, or an error for a missing or unsafe key (an HMAC
// secret under 32 bytes, an RSA key under 2048 bits) or a negative
// duration.
func NewJWT(cfg JWTConfig) (*JWT, error) {
	if len(cfg.Keys) == 0 {
		return nil, errors.New("auth: JWTConfig.Keys needs at least one key")
	}
	if cfg.AccessTTL < 0 || cfg.RefreshTTL < 0 || cfg.RotateWithin < 0 || cfg.Leeway < 0 {
		return nil, errors.New("auth: JWTConfig durations must not be negative")
	}
	j := &JWT{
		byID: make(map[string]Key), byAlg: make(map[string][]any),
		issuer: cfg.Issuer, audience: append(jwt.ClaimStrings(nil), cfg.Audience...),
		accessTTL: cfg.AccessTTL, refreshTTL: cfg.RefreshTTL, rotateWithin: cfg.RotateWithin,
		leeway: cfg.Leeway, revocations: cfg.Revocations, skipAccess: cfg.SkipAccessRevocationCheck, now: cfg.Now,
	}
	if j.accessTTL == 0 {
		j.accessTTL = 30 * time.Minute
	}
	if j.refreshTTL == 0 {
		j.refreshTTL = 7 * 24 * time.Hour
	}
	if j.rotateWithin == 0 {
		j.rotateWithin = j.refreshTTL
	}
	if j.revocations == nil {
		j.revocations = &MemoryRevocationList{Now: cfg.Now}
	}
	if j.now == nil {
		j.now = time.Now
	}
	var algs []string
	for i, k := range cfg.Keys {
		if err := k.check(); err != nil {
			return nil, fmt.Errorf("auth: key %d: %w", i, err)
		}
		if k.id != "" {
			if _, dup := j.byID[k.id]; dup {
				return nil, fmt.Errorf("auth: key id %q is used twice", k.id)
			}
			j.byID[k.id] = k
		}
		if _, seen := j.byAlg[k.alg]; !seen {
			algs = append(algs, k.alg)
		}
		j.byAlg[k.alg] = append(j.byAlg[k.alg], k.verify)
		if j.signer == nil && k.CanSign() {
			j.signer = &cfg.Keys[i]
		}
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods(algs),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(j.leeway),
		jwt.WithTimeFunc(j.now),
		jwt.WithStrictDecoding(),
	}
	if j.issuer != "" {
		opts = append(opts, jwt.WithIssuer(j.issuer))
	}
	if len(j.audience) > 0 {
		opts = append(opts, jwt.WithAudience(j.audience...))
	}
	j.parser = jwt.NewParser(opts...)
	j.sigOnly = jwt.NewParser(jwt.WithValidMethods(algs), jwt.WithStrictDecoding(), jwt.WithoutClaimsValidation())
	return j, nil
}

// errCannotSign is returned by the Create methods of a verify-only JWT.
var errCannotSign = errors.New("auth: no key can sign (only public keys were given)")

// CreateAccessToken returns a signed access token for subject (the user
// id, claim "sub") carrying claims ("username": "ada"; "scope": "read
// write" or []string{"read", "write"}). The issuer sets iss, aud, exp,
// iat, jti, token_type and fam; claims may not. The token has no family:
// use CreateTokenPair at sign-in so that logout ends the access token too.
func (j *JWT) CreateAccessToken(subject string, claims map[string]any) (string, error) {
	c, err := newClaims(AccessToken, claims)
	if err != nil {
		return "", err
	}
	return j.sign(c, subject, j.accessTTL)
}

// CreateRefreshToken returns a signed refresh token for subject, starting
// a new token family; see CreateAccessToken. Its claims are copied into
// the tokens Refresh issues.
func (j *JWT) CreateRefreshToken(subject string, claims map[string]any) (string, error) {
	c, err := newClaims(RefreshToken, claims)
	if err != nil {
		return "", err
	}
	c.Family = rand.Text()
	return j.sign(c, subject, j.refreshTTL)
}

// TokenPair is what a login or refresh endpoint returns.
type TokenPair struct {
	AccessToken string `json:"access_token"`
	// RefreshToken is empty when Refresh did not rotate it.
	RefreshToken string `json:"refresh_token,omitempty"`
	// TokenType is "bearer".
	TokenType string `json:"token_type"`
	// ExpiresIn is the access token's lifetime in seconds.
	ExpiresIn int `json:"expires_in"`
}

// CreateTokenPair returns an access and a refresh token for subject (a
// sign-in). Both start one new token family, which Refresh carries on.
func (j *JWT) CreateTokenPair(subject string, claims map[string]any) (TokenPair, error) {
	c, err := newClaims(RefreshToken, claims)
	if err != nil {
		return TokenPair{}, err
	}
	c.Family = rand.Text()
	return j.pair(c, subject, true)
}

// pair signs an access token and, when withRefresh, a refresh token, both
// with c's scopes, extra claims and family.
func (j *JWT) pair(c *Claims, subject string, withRefresh bool) (TokenPair, error) {
	access, err := j.sign(&Claims{TokenType: AccessToken, Scope: c.Scope, Extra: c.Extra, Family: c.Family}, subject, j.accessTTL)
	if err != nil {
		return TokenPair{}, err
	}
	p := TokenPair{AccessToken: access, TokenType: "bearer", ExpiresIn: int(j.accessTTL / time.Second)}
	if withRefresh {
		refresh, err := j.sign(&Claims{TokenType: RefreshToken, Scope: c.Scope, Extra: c.Extra, Family: c.Family}, subject, j.refreshTTL)
		if err != nil {
			return TokenPair{}, err
		}
		p.RefreshToken = refresh
	}
	return p, nil
}

// newClaims checks the caller's claims and sorts them into Claims.
func newClaims(typ string, claims map[string]any) (*Claims, error) {
	c := &Claims{TokenType: typ}
	for k, v := range claims {
		switch {
		case reserved[k]:
			return nil, fmt.Errorf("auth: claim %q is set by the issuer", k)
		case k == "scope":
			s, err := scopeList(v)
			if err != nil {
				return nil, err
			}
			c.Scope = s
		default:
			if c.Extra == nil {
				c.Extra = make(map[string]any, len(claims))
			}
			c.Extra[k] = v
		}
	}
	return c, nil
}

// sign fills the registered claims and signs.
func (j *JWT) sign(c *Claims, subject string, ttl time.Duration) (string, error) {
	if j.signer == nil {
		return "", errCannotSign
	}
	if subject == "" {
		return "", errors.New("auth: a token needs a subject")
	}
	now := j.now()
	c.Subject, c.Issuer, c.Audience = subject, j.issuer, j.audience
	c.IssuedAt = &jwt.NumericDate{Time: now.Truncate(time.Millisecond)}
	c.ExpiresAt = &jwt.NumericDate{Time: now.Add(ttl).Truncate(time.Second)}
	c.ID = rand.Text()
	tok := jwt.NewWithClaims(jwt.GetSigningMethod(j.signer.alg), c)
	if j.signer.id != "" {
		tok.Header["kid"] = j.signer.id
	}
	s, err := tok.SignedString(j.signer.sign)
	if err != nil {
		return "", fmt.Errorf("auth: signing a token: %w", err)
	}
	return s, nil
}

func scopeList(v any) ([]string, error) {
	switch s := v.(type) {
	case string:
		return strings.Fields(s), nil
	case []string:
		return append([]string(nil), s...), nil
	}
	return nil, fmt.Errorf("auth: claim \"scope\" must be a string or a []string, not %T", v)
}

// VerifyAccessToken verifies an access token and returns its claims. It
// accepts tokens without a token_type (from other issuers) but never a
// refresh token, and consults the revocation list unless
// SkipAccessRevocationCheck is set. Failures are *Error values: 401 for
// the token, ErrRevocationUnavailable (503) when the revocation list
// fails.
func (j *JWT) VerifyAccessToken(ctx context.Context, token string) (*Claims, error) {
	c, err := j.parseAs(token, AccessToken)
	if err != nil {
		return nil, err
	}
	if j.skipAccess {
		return c, nil
	}
	return c, j.checkRevoked(ctx, checkOf(c))
}

// VerifyRefreshToken verifies a refresh token, revocation included, and
// returns its claims. It does not use the token up: Refresh does.
func (j *JWT) VerifyRefreshToken(ctx context.Context, token string) (*Claims, error) {
	c, err := j.parseAs(token, RefreshToken)
	if err != nil {
		return nil, err
	}
	return c, j.checkRevoked(ctx, checkOf(c))
}

// checkRevoked returns ErrTokenRevoked for a revoked token, and fails
// closed when the list cannot answer.
func (j *JWT) checkRevoked(ctx context.Context, rc RevocationCheck) error {
	revoked, err := j.revocations.IsRevoked(ctx, rc)
	if err != nil {
		return unavailable(err)
	}
	if revoked {
		return ErrTokenRevoked
	}
	return nil
}

// parseAs parses and verifies a token of type typ, without the revocation
// list.
func (j *JWT) parseAs(token, typ string) (*Claims, error) {
	c, err := j.parse(token)
	if err != nil {
		return nil, err
	}
	switch {
	case c.Subject == "":
		return nil, ErrTokenInvalid.because(errors.New("no sub claim"))
	case typ == RefreshToken && c.TokenType != RefreshToken,
		typ == AccessToken && c.TokenType != "" && c.TokenType != AccessToken:
		return nil, ErrTokenType.because(fmt.Errorf("want a %s token, got %q", typ, c.TokenType))
	case typ == RefreshToken && c.ID == "":
		return nil, ErrTokenInvalid.because(errors.New("a refresh token without jti"))
	}
	return c, nil
}

// parse verifies the signature and the time, issuer and audience claims.
func (j *JWT) parse(token string) (*Claims, error) {
	if token == "" || len(token) > maxTokenLen {
		return nil, ErrTokenMalformed
	}
	c := new(Claims)
	if _, err := j.parser.ParseWithClaims(token, c, j.keyFor); err != nil {
		return nil, mapJWTError(err)
	}
	return c, nil
}

// keyFor returns the verification keys for a token: the key its kid
// names, or every key of its algorithm, once the header passed
// checkHeader. WithValidMethods has already
// refused algorithms without a key, and the key's algorithm is checked
// again here so that a kid cannot pair a key with another algorithm.
func (j *JWT) keyFor(t *jwt.Token) (any, error) {
	if err := checkHeader(t.Raw); err != nil {
		return nil, err
	}
	alg := t.Method.Alg()
	if kid, ok := t.Header["kid"].(string); ok && kid != "" {
		k, found := j.byID[kid]
		if !found || k.alg != alg {
			return nil, fmt.Errorf("no %s key with id %q", alg, kid)
		}
		return k.verify, nil
	}
	keys := j.byAlg[alg]
	switch len(keys) {
	case 0:
		return nil, fmt.Errorf("no key for algorithm %q", alg)
	case 1:
		return keys[0], nil
	}
	set := jwt.VerificationKeySet{Keys: make([]jwt.VerificationKey, len(keys))}
	for i, k := range keys {
		set.Keys[i] = k
	}
	return set, nil
}

// mapJWTError turns a jwt/v5 error into one of the Err* values, the most
// telling first.
func mapJWTError(err error) error {
	for _, m := range []struct {
		jwtErr error
		ours   *Error
	}{
		{jwt.ErrTokenMalformed, ErrTokenMalformed},
		{jwt.ErrTokenSignatureInvalid, ErrTokenInvalid},
		{jwt.ErrTokenUnverifiable, ErrTokenInvalid},
		{jwt.ErrTokenExpired, ErrTokenExpired},
		{jwt.ErrTokenNotValidYet, ErrTokenNotYetValid},
		{jwt.ErrTokenUsedBeforeIssued, ErrTokenNotYetValid},
		{jwt.ErrTokenInvalidAudience, ErrTokenAudience},
		{jwt.ErrTokenInvalidIssuer, ErrTokenIssuer},
		{jwt.ErrTokenRequiredClaimMissing, ErrTokenInvalid},
	} {
		if errors.Is(err, m.jwtErr) {
			return m.ours.because(err)
		}
	}
	return ErrTokenInvalid.because(err)
}
