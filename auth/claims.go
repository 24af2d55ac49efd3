package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are the claims of a verified token: the registered ones (iss,
// sub, aud, exp, nbf, iat, jti), the token type, the scopes and every
// other claim in Extra.
type Claims struct {
	jwt.RegisteredClaims
	// TokenType is "access" or "refresh" (claim "token_type"); "" in
	// tokens from other issuers.
	TokenType string
	// Family identifies one sign-in (claim "fam"): the access and refresh
	// tokens of CreateTokenPair and every pair Refresh derives from them
	// share it, so that RevokeFamily (logout, or reuse of a rotated
	// refresh token) ends them all. "" in tokens without a family.
	Family string
	// Scope lists the granted scopes (claim "scope", space-separated as
	// in RFC 8693 and RFC 9068).
	Scope []string
	// Extra holds the other claims ("username", …), decoded as
	// encoding/json does into an any.
	Extra map[string]any
}

// Claim returns the claim name from Extra.
func (c *Claims) Claim(name string) (any, bool) {
	v, ok := c.Extra[name]
	return v, ok
}

// reserved claims are set by the issuer; CreateAccessToken refuses them in
// its claims map.
var reserved = map[string]bool{
	"iss": true, "sub": true, "aud": true, "exp": true, "nbf": true, "iat": true, "jti": true, "token_type": true, "fam": true,
}

// MarshalJSON writes the claims as one JSON object. iat keeps millisecond
// precision (a NumericDate may be fractional, RFC 7519 §2), so that
// RevokeSubject can tell a token issued just before a password change from
// one issued just after.
func (c Claims) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(c.Extra)+10)
	for k, v := range c.Extra {
		m[k] = v
	}
	if c.Issuer != "" {
		m["iss"] = c.Issuer
	}
	if c.Subject != "" {
		m["sub"] = c.Subject
	}
	switch len(c.Audience) {
	case 0:
	case 1:
		m["aud"] = c.Audience[0]
	default:
		m["aud"] = []string(c.Audience)
	}
	if c.ExpiresAt != nil {
		m["exp"] = c.ExpiresAt.Unix()
	}
	if c.NotBefore != nil {
		m["nbf"] = c.NotBefore.Unix()
	}
	if c.IssuedAt != nil {
		m["iat"] = millis(c.IssuedAt.Time)
	}
	if c.ID != "" {
		m["jti"] = c.ID
	}
	if c.TokenType != "" {
		m["token_type"] = c.TokenType
	}
	if c.Family != "" {
		m["fam"] = c.Family
	}
	if len(c.Scope) > 0 {
		m["scope"] = strings.Join(c.Scope, " ")
	}
	return json.Marshal(m)
}

// millis writes t as Unix seconds with up to three decimals.
func millis(t time.Time) json.Number {
	ms := t.UnixMilli()
	if ms%1000 == 0 || ms < 0 {
		return json.Number(strconv.FormatInt(t.Unix(), 10))
	}
	s := strings.TrimRight(fmt.Sprintf("%d.%03d", ms/1000, ms%1000), "0")
	return json.Number(s)
}

var errClaimType = errors.New("a registered claim has the wrong type")

// UnmarshalJSON reads a claims object in one pass. Registered claims of
// the wrong type are an error (the token is malformed); times keep their
// fractions.
func (c *Claims) UnmarshalJSON(data []byte) error {
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	if raw == nil {
		return errors.New("claims must be a JSON object")
	}
	*c = Claims{}
	for k, v := range raw {
		if v == nil {
			continue
		}
		var ok bool
		switch k {
		case "iss":
			c.Issuer, ok = v.(string)
		case "sub":
			c.Subject, ok = v.(string)
		case "jti":
			c.ID, ok = v.(string)
		case "token_type":
			c.TokenType, ok = v.(string)
		case "fam":
			c.Family, ok = v.(string)
		case "aud":
			c.Audience, ok = audience(v)
		case "exp":
			c.ExpiresAt, ok = numericDate(v)
		case "nbf":
			c.NotBefore, ok = numericDate(v)
		case "iat":
			c.IssuedAt, ok = numericDate(v)
		case "scope":
			var s string
			s, ok = v.(string)
			c.Scope = strings.Fields(s)
		default:
			if c.Extra == nil {
				c.Extra = make(map[string]any, len(raw))
			}
			c.Extra[k], ok = v, true
		}
		if !ok {
			return fmt.Errorf("claim %q: %w", k, errClaimType)
		}
	}
	return nil
}

// audience reads aud: a string or an array of strings.
func audience(v any) (jwt.ClaimStrings, bool) {
	switch a := v.(type) {
	case string:
		return jwt.ClaimStrings{a}, true
	case []any:
		out := make(jwt.ClaimStrings, len(a))
		for i, x := range a {
			s, ok := x.(string)
			if !ok {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

// maxNumericDate bounds times (year 5138): larger values would overflow
// time arithmetic and mean nothing anyway.
const maxNumericDate = 1e11

// numericDate reads a NumericDate, keeping its fraction (to the
// millisecond) unlike jwt.NumericDate, which truncates to
// jwt.TimePrecision.
func numericDate(v any) (*jwt.NumericDate, bool) {
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) || f < 0 || f > maxNumericDate {
		return nil, false
	}
	sec, frac := math.Modf(f)
	t := time.Unix(int64(sec), int64(math.Round(frac*1000))*int64(time.Millisecond))
	return &jwt.NumericDate{Time: t}, true
}
