package auth_test

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/testclient"
)

// sign signs claims with a jwt/v5 method and key, for tokens our issuer
// would never make.
func sign(t *testing.T, m jwt.SigningMethod, key any, claims jwt.MapClaims, header map[string]any) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, claims)
	for k, v := range header {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Every kind of bad token is a 401 problem with a Bearer challenge that
// says why, never a 500.
func TestTokenFailures(t *testing.T) {
	t.Parallel()
	clk := newClock()
	now := clk.Now()
	hs := mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}, Issuer: "nexios-test", Audience: []string{"api"}, Now: clk.Now})
	rsPub := mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.RS256PublicKey(&rsaKey().PublicKey)}, Now: clk.Now})
	withKid := mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret).WithID("k1"), auth.EdDSAKey(edKey()).WithID("k2")}, Now: clk.Now})

	claims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"sub": "ada", "iss": "nexios-test", "aud": "api", "exp": now.Add(time.Hour).Unix(),
			"iat": now.Unix(), "jti": "j1", "token_type": "access"}
		if edit != nil {
			edit(c)
		}
		return c
	}
	good := sign(t, jwt.SigningMethodHS256, secret, claims(nil), nil)
	parts := strings.Split(good, ".")
	pubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey().PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	refresh, err := hs.CreateRefreshToken("ada", nil)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString

	cases := []struct {
		name   string
		jwt    *auth.JWT
		token  string
		code   string
		detail string
	}{
		{name: "expired", token: sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Second).Unix() }), nil),
			code: "token_expired", detail: "token expired"},
		{name: "expired long ago (exp: 1)", token: sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["exp"] = 1 }), nil),
			code: "token_expired"},
		{name: "not yet valid", token: sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Minute).Unix() }), nil),
			code: "token_not_yet_valid", detail: "token not yet valid"},
		{name: "issued in the future", token: sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["iat"] = now.Add(time.Minute).Unix() }), nil),
			code: "token_not_yet_valid"},
		{name: "wrong audience", token: sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["aud"] = "billing" }), nil),
			code: "token_audience", detail: "token audience not accepted"},
		{name: "no audience", token: sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "aud") }), nil),
			code: "token_invalid"}, // a required claim is missing
		{name: "wrong issuer", token: sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["iss"] = "evil" }), nil),
			code: "token_issuer"},
		{name: "no exp", token: sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "exp") }), nil),
			code: "token_invalid"},
		{name: "exp of the wrong type", token: sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["exp"] = "tomorrow" }), nil),
			code: "token_malformed"},
		{name: "no subject", token: sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "sub") }), nil),
			code: "token_invalid"},
		{name: "wrong algorithm (HS512 with the right secret)", token: sign(t, jwt.SigningMethodHS512, secret, claims(nil), nil),
			code: "token_invalid"},
		{name: "wrong algorithm (EdDSA)", token: sign(t, jwt.SigningMethodEdDSA, edKey(), claims(nil), nil),
			code: "token_invalid"},
		{name: "alg none", token: sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil), nil),
			code: "token_invalid"},
		{name: "alg none, hand-made", token: b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + ".",
			code: "token_invalid"},
		{name: "alg None", token: b64([]byte(`{"alg":"None"}`)) + "." + parts[1] + ".", code: "token_invalid"},
		{name: "HS/RS confusion: HS256 keyed with the RSA public key PEM", jwt: rsPub,
			token: sign(t, jwt.SigningMethodHS256, pubPEM, claims(func(c jwt.MapClaims) { delete(c, "iss"); delete(c, "aud") }), nil),
			code:  "token_invalid"},
		{name: "HS/RS confusion: HS256 keyed with the RSA public key DER", jwt: rsPub,
			token: sign(t, jwt.SigningMethodHS256, pubDER, claims(func(c jwt.MapClaims) { delete(c, "iss"); delete(c, "aud") }), nil),
			code:  "token_invalid"},
		{name: "another secret", token: sign(t, jwt.SigningMethodHS256, []byte("another secret of thirty-two bytes"), claims(nil), nil),
			code: "token_invalid"},
		{name: "tampered payload", token: parts[0] + "." + b64(mustJSON(claims(func(c jwt.MapClaims) { c["sub"] = "admin" }))) + "." + parts[2],
			code: "token_invalid"},
		{name: "tampered signature", token: parts[0] + "." + parts[1] + "." + flip(parts[2]), code: "token_invalid"},
		{name: "non-canonical signature encoding", token: parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])-1] + nextB64(parts[2][len(parts[2])-1]),
			code: "token_"},
		{name: "truncated: no signature", token: parts[0] + "." + parts[1], code: "token_malformed"},
		{name: "truncated: empty signature", token: parts[0] + "." + parts[1] + ".", code: "token_invalid"},
		{name: "truncated: half", token: good[:len(good)/2], code: "token_malformed"},
		{name: "truncated: header only", token: parts[0], code: "token_malformed"},
		{name: "garbage", token: "invalid_token", code: "token_malformed"},
		{name: "four parts", token: good + ".x", code: "token_malformed"},
		{name: "too long", token: strings.Repeat("a", 9000), code: "token_malformed"},
		{name: "refresh token as access token", token: refresh, code: "token_type", detail: "wrong token type"},
		{name: "unknown kid", jwt: withKid, token: sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "iss"); delete(c, "aud") }), map[string]any{"kid": "k9"}),
			code: "token_invalid"},
		{name: "kid of a key of another algorithm", jwt: withKid,
			token: sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "iss"); delete(c, "aud") }), map[string]any{"kid": "k2"}),
			code:  "token_invalid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			j := tc.jwt
			if j == nil {
				j = hs
			}
			c := testclient.New(protectedApp(t, &auth.JWTBackend{JWT: j}))
			r := c.Get("/me", bearer(tc.token))
			p := expectProblem(t, r, http.StatusUnauthorized, tc.detail)
			if !strings.HasPrefix(p.Code, tc.code) {
				t.Errorf("code %q, want %q", p.Code, tc.code)
			}
			if ch := challenge(r); !strings.Contains(ch, `Bearer realm="api", error="invalid_token", error_description="`+p.Detail+`"`) {
				t.Errorf("WWW-Authenticate %q", ch)
			}
			// Public routes stay public with a bad token.
			if r := c.Get("/public", bearer(tc.token)); r.Status != http.StatusOK || r.Text() != "{\"authenticated\":false}\n" {
				t.Errorf("/public: %d %s", r.Status, r.Text())
			}
		})
	}

	// The reference token itself is fine.
	r := testclient.New(protectedApp(t, &auth.JWTBackend{JWT: hs})).Get("/me", bearer(good))
	if r.Status != http.StatusOK {
		t.Fatalf("good token: %d %s", r.Status, r.Text())
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// flip changes one character of a base64url string.
func flip(s string) string {
	b := []byte(s)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

// nextB64 returns the base64url digit after c: at the end of a signature it
// only changes the unused low bits, which strict decoding refuses.
func nextB64(c byte) string {
	const digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(digits, c)
	return string(digits[(i+1)%64])
}

func TestMissingOrOtherCredentials(t *testing.T) {
	t.Parallel()
	j := mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}})
	c := testclient.New(protectedApp(t, &auth.JWTBackend{JWT: j}))
	for _, tc := range []struct {
		name   string
		header string
		detail string
	}{
		{"no header", "", "Not authenticated"},
		{"another scheme", "Basic YTpi", "Not authenticated"},
		{"Bearer without a token", "Bearer", "malformed token"},
		{"Bearer with spaces only", "Bearer    ", "malformed token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []testclient.RequestOption
			if tc.header != "" {
				opts = append(opts, testclient.Header("Authorization", tc.header))
			}
			r := c.Get("/me", opts...)
			expectProblem(t, r, http.StatusUnauthorized, tc.detail)
			if ch := challenge(r); !strings.HasPrefix(ch, `Bearer realm="api"`) {
				t.Errorf("WWW-Authenticate %q", ch)
			}
		})
	}
}

// Valid tokens of every algorithm, key rotation with kid, leeway.
func TestValidTokens(t *testing.T) {
	t.Parallel()
	clk := newClock()
	oldKey := auth.HS256Key([]byte("the old secret, thirty-two bytes!")).WithID("2024")
	newKey := auth.HS256Key(secret).WithID("2025")
	cases := []struct {
		name   string
		issuer *auth.JWT
		verify *auth.JWT
	}{
		{"HS256", mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}}), nil},
		{"RS256 signed with the private key, verified with the public one",
			mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.RS256Key(rsaKey())}}),
			mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.RS256PublicKey(&rsaKey().PublicKey)}})},
		{"EdDSA", mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.EdDSAKey(edKey())}}),
			mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.EdDSAPublicKey(edKey().Public().(ed25519.PublicKey))}})},
		{"old key still verifies after rotation",
			mustJWT(t, auth.JWTConfig{Keys: []auth.Key{oldKey}}),
			mustJWT(t, auth.JWTConfig{Keys: []auth.Key{newKey, oldKey}})},
		{"two keys of one algorithm without ids",
			mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key([]byte("the old secret, thirty-two bytes!"))}}),
			mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret), auth.HS256Key([]byte("the old secret, thirty-two bytes!"))}})},
		{"leeway accepts a token just expired",
			mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}, AccessTTL: time.Minute, Now: func() time.Time { return clk.Now().Add(-time.Minute - 10*time.Second) }}),
			mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}, Leeway: 30 * time.Second, Now: clk.Now})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok, err := tc.issuer.CreateAccessToken("ada", map[string]any{"username": "Ada", "scope": "read admin"})
			if err != nil {
				t.Fatal(err)
			}
			v := tc.verify
			if v == nil {
				v = tc.issuer
			}
			r := testclient.New(protectedApp(t, &auth.JWTBackend{JWT: v})).Get("/admin", bearer(tok))
			if r.Status != http.StatusOK || r.Text() != `{"id":"ada","name":"Ada","scopes":["read","admin"]}`+"\n" {
				t.Fatalf("%d %s", r.Status, r.Text())
			}
		})
	}
}

func TestClaims(t *testing.T) {
	t.Parallel()
	clk := newClock()
	clk.Advance(123 * time.Millisecond)
	j := mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}, Issuer: "me", Audience: []string{"a", "b"}, Now: clk.Now})
	tok, err := j.CreateAccessToken("42", map[string]any{"username": "ada", "scope": []string{"x", "y"}, "n": 7})
	if err != nil {
		t.Fatal(err)
	}
	// The payload as other libraries see it.
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	var raw map[string]any
	if err := json.Unmarshal(payload, &raw); err != nil {
		t.Fatal(err)
	}
	if raw["iat"] != float64(clk.Now().UnixMilli())/1000 || raw["exp"] != float64(clk.Now().Add(30*time.Minute).Unix()) ||
		raw["scope"] != "x y" || raw["token_type"] != "access" || raw["iss"] != "me" || len(raw["jti"].(string)) < 20 {
		t.Fatalf("payload %s", payload)
	}
	c, err := j.VerifyAccessToken(bg, tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "42" || c.Extra["username"] != "ada" || c.Extra["n"] != 7.0 || len(c.Scope) != 2 ||
		!c.IssuedAt.Equal(clk.Now()) || len(c.Audience) != 2 {
		t.Fatalf("claims %+v", c)
	}
	if v, ok := c.Claim("username"); !ok || v != "ada" {
		t.Fatal("Claim")
	}

	// Unique jti.
	seen := map[string]bool{}
	for range 50 {
		tok, _ := j.CreateAccessToken("42", nil)
		c, _ := j.VerifyAccessToken(bg, tok)
		if seen[c.ID] {
			t.Fatalf("jti %q repeated", c.ID)
		}
		seen[c.ID] = true
	}

	for _, bad := range []map[string]any{{"exp": 1}, {"sub": "x"}, {"jti": "x"}, {"token_type": "refresh"}, {"scope": 3}} {
		if _, err := j.CreateAccessToken("42", bad); err == nil {
			t.Errorf("claims %v accepted", bad)
		}
	}
	if _, err := j.CreateAccessToken("", nil); err == nil {
		t.Error("empty subject accepted")
	}
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	clk := newClock()
	// Seed 001: 30-minute access tokens, 7-day refresh tokens rotated
	// within 5 minutes of their expiry.
	j := mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}, RotateWithin: 5 * time.Minute, Now: clk.Now})
	pair, err := j.CreateTokenPair("7", map[string]any{"username": "ada", "scope": "read"})
	if err != nil {
		t.Fatal(err)
	}
	if pair.TokenType != "bearer" || pair.ExpiresIn != 1800 || pair.RefreshToken == "" {
		t.Fatalf("pair %+v", pair)
	}
	if _, err := j.Refresh(bg, pair.AccessToken); !errors.Is(err, auth.ErrTokenType) {
		t.Fatalf("Refresh(access token) = %v", err)
	}

	// Far from expiry: a new access token, the refresh token is kept.
	clk.Advance(24 * time.Hour)
	got, err := j.Refresh(bg, pair.RefreshToken)
	if err != nil || got.RefreshToken != "" || got.AccessToken == "" {
		t.Fatalf("early refresh: %+v %v", got, err)
	}
	c, err := j.VerifyAccessToken(bg, got.AccessToken)
	if err != nil || c.Subject != "7" || c.Extra["username"] != "ada" || c.Scope[0] != "read" {
		t.Fatalf("refreshed access token: %+v %v", c, err)
	}

	// Near expiry: rotated; the old refresh token is used up, the new one
	// works (far from its expiry, without rotating).
	clk.Advance(7*24*time.Hour - 24*time.Hour - 4*time.Minute)
	got, err = j.Refresh(bg, pair.RefreshToken)
	if err != nil || got.RefreshToken == "" {
		t.Fatalf("late refresh did not rotate: %+v %v", got, err)
	}
	next, err := j.Refresh(bg, got.RefreshToken)
	if err != nil || next.RefreshToken != "" {
		t.Fatalf("the new refresh token: %+v %v", next, err)
	}
	// Reusing a rotated token revokes the family: the newest refresh token
	// and the family's access tokens die with it; other sign-ins live.
	other, _ := j.CreateTokenPair("7", nil)
	_, err = j.Refresh(bg, pair.RefreshToken)
	if !errors.Is(err, auth.ErrTokenRevoked) || !errors.Is(err, auth.ErrRefreshTokenReused) {
		t.Fatalf("reusing a rotated refresh token: %v", err)
	}
	if _, err := j.Refresh(bg, got.RefreshToken); !errors.Is(err, auth.ErrTokenRevoked) || errors.Is(err, auth.ErrRefreshTokenReused) {
		t.Fatalf("the family's newest refresh token after reuse: %v", err)
	}
	if _, err := j.VerifyAccessToken(bg, next.AccessToken); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Fatalf("the family's access token after reuse: %v", err)
	}
	if _, err := j.VerifyAccessToken(bg, other.AccessToken); err != nil {
		t.Fatalf("another sign-in's access token: %v", err)
	}

	// Logout revokes a refresh token, its family's access tokens too.
	if err := j.Revoke(bg, other.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Refresh(bg, other.RefreshToken); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Fatalf("refresh after logout: %v", err)
	}
	if _, err := j.VerifyAccessToken(bg, other.AccessToken); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Fatalf("access token after logout: %v", err)
	}
	if err := j.Revoke(bg, "garbage"); !errors.Is(err, auth.ErrTokenMalformed) {
		t.Fatalf("Revoke(garbage) = %v", err)
	}
	// An expired token needs no revoking.
	old, _ := j.CreateRefreshToken("7", nil)
	clk.Advance(8 * 24 * time.Hour)
	if err := j.Revoke(bg, old); err != nil {
		t.Fatalf("Revoke(expired) = %v", err)
	}
	if _, err := j.Refresh(bg, old); !errors.Is(err, auth.ErrTokenExpired) {
		t.Fatalf("expired refresh token: %v", err)
	}
}

// A password change revokes every token issued before it, not after.
func TestRevokeSubject(t *testing.T) {
	t.Parallel()
	clk := newClock()
	j := mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}, Now: clk.Now})
	before, _ := j.CreateTokenPair("7", nil)
	other, _ := j.CreateTokenPair("8", nil)
	clk.Advance(400 * time.Millisecond) // same second, later millisecond
	if err := j.RevokeSubject(bg, "7"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Millisecond)
	after, _ := j.CreateTokenPair("7", nil)

	if _, err := j.VerifyRefreshToken(bg, before.RefreshToken); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Fatalf("refresh token from before the change: %v", err)
	}
	if _, err := j.VerifyAccessToken(bg, before.AccessToken); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Fatalf("access token from before the change: %v", err)
	}
	for name, tok := range map[string]string{"after": after.RefreshToken, "other user": other.RefreshToken} {
		if _, err := j.VerifyRefreshToken(bg, tok); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// Through HTTP: 401 token revoked.
	r := testclient.New(protectedApp(t, &auth.JWTBackend{JWT: j})).Get("/me", bearer(before.AccessToken))
	expectProblem(t, r, http.StatusUnauthorized, "token revoked")
}

func TestJWTConfigErrors(t *testing.T) {
	t.Parallel()
	cases := map[string]auth.JWTConfig{
		"no keys":          {},
		"short secret":     {Keys: []auth.Key{auth.HS256Key([]byte("1234"))}},
		"zero key":         {Keys: []auth.Key{{}}},
		"nil RSA key":      {Keys: []auth.Key{auth.RS256Key(nil)}},
		"nil RSA pub":      {Keys: []auth.Key{auth.RS256PublicKey(nil)}},
		"bad Ed25519 key":  {Keys: []auth.Key{auth.EdDSAKey([]byte("short"))}},
		"duplicate kid":    {Keys: []auth.Key{auth.HS256Key(secret).WithID("a"), auth.EdDSAKey(edKey()).WithID("a")}},
		"negative leeway":  {Keys: []auth.Key{auth.HS256Key(secret)}, Leeway: -time.Second},
		"negative refresh": {Keys: []auth.Key{auth.HS256Key(secret)}, RefreshTTL: -time.Second},
	}
	for name, cfg := range cases {
		if _, err := auth.NewJWT(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	verifyOnly := mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.RS256PublicKey(&rsaKey().PublicKey)}})
	if _, err := verifyOnly.CreateAccessToken("a", nil); err == nil {
		t.Error("a verify-only JWT signed a token")
	}
}

func TestCreateJWT(t *testing.T) {
	t.Parallel()
	tok, err := auth.CreateJWT(secret, map[string]any{"sub": "admin", "role": "x"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	j := mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}})
	c, err := j.VerifyAccessToken(bg, tok)
	if err != nil || c.Subject != "admin" || c.Extra["role"] != "x" || time.Until(c.ExpiresAt.Time) > time.Hour {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := auth.CreateJWT(secret, map[string]any{"id": "1"}, 0); err == nil {
		t.Error("a token without sub")
	}
	if _, err := auth.CreateJWT([]byte("1234"), map[string]any{"sub": "1"}, 0); err == nil {
		t.Error("a 4-byte secret")
	}
}
