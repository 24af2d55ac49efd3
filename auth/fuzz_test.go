package auth_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
)

// Token parsing never panics, fails only with an *Error, and accepts only
// the tokens the issuer signed.
func FuzzVerifyAccessToken(f *testing.F) {
	j := mustJWT(f, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}, Issuer: "me", Audience: []string{"api"}})
	for _, claims := range []map[string]any{nil, {"username": "ada", "scope": "a b"}, {"n": 1.5, "list": []any{1, "x"}}} {
		tok, err := j.CreateAccessToken("ada", claims)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(tok)
		parts := strings.Split(tok, ".")
		f.Add(parts[0] + "." + parts[1] + ".")
		f.Add(parts[0] + ".." + parts[2])
	}
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "x", "exp": 9999999999}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	f.Add(none)
	f.Add("")
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJIUzI1NiJ9.e30.")
	f.Add("eyJhbGciOiJIUzI1NiIsImtpZCI6WzFdfQ.eyJleHAiOjF9.x")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := j.VerifyAccessToken(bg, token)
		if err != nil {
			var ae *auth.Error
			if !errors.As(err, &ae) || nexios.StatusOf(err) != http.StatusUnauthorized {
				t.Fatalf("VerifyAccessToken(%q) = %T %v, want an *auth.Error", token, err, err)
			}
			return
		}
		// Accepted: it must carry a genuine HS256 signature by our secret
		// over exactly its own header and payload (checked independently).
		i := strings.LastIndexByte(token, '.')
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(token[:i]))
		if token[i+1:] != base64.RawURLEncoding.EncodeToString(mac.Sum(nil)) || c.Subject != "ada" {
			t.Fatalf("accepted a token the issuer never signed: %q", token)
		}
	})
}

// Header parsing (issue 18 §11): whatever the protected header of a
// correctly signed token says, verification never panics, fails only with
// a 401 *Error, and accepts only a JSON object naming HS256 with no crit
// and no kid (no key here has an id).
func FuzzJWTHeader(f *testing.F) {
	j := mustJWT(f, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}})
	for _, h := range []string{
		`{"alg":"HS256","typ":"JWT"}`, `{"alg":"HS256","crit":["x"],"x":1}`, `{"alg":"HS256","alg":"HS256"}`,
		`{"alg":"none"}`, `{"alg":"HS256","kid":"a"}`, `{"alg":"RS256"}`, `{"alg":"HS256"} `, `{"alg":"HS256"}x`,
		`[]`, `{"alg":"HS256","cr\u0069t":[]}`, `{"alg":"HS256","b64":false}`, "",
	} {
		f.Add([]byte(h))
	}
	const payload = `{"sub":"ada","exp":9999999999,"iat":1700000000}`
	f.Fuzz(func(t *testing.T, header []byte) {
		tok := hs256(string(header), payload)
		_, err := j.VerifyAccessToken(bg, tok)
		if err != nil {
			var ae *auth.Error
			if !errors.As(err, &ae) || nexios.StatusOf(err) != http.StatusUnauthorized {
				t.Fatalf("header %q: %T %v, want a 401 *auth.Error", header, err, err)
			}
			return
		}
		var h map[string]any
		if err := json.Unmarshal(header, &h); err != nil {
			t.Fatalf("accepted a header that is not a JSON object: %q", header)
		}
		_, crit := h["crit"]
		kid, _ := h["kid"].(string)
		if h["alg"] != "HS256" || crit || kid != "" {
			t.Fatalf("accepted header %q", header)
		}
	})
}

// Claims decoding never panics, and re-encoding a decoded claims set is
// stable.
func FuzzClaimsJSON(f *testing.F) {
	f.Add([]byte(`{"sub":"a","exp":1700000000,"iat":1700000000.123,"aud":["x","y"],"scope":"a b","extra":{"k":[1,2]}}`))
	f.Add([]byte(`{"exp":"1","iat":-1}`))
	f.Add([]byte(`{"aud":"x","nbf":1e400}`))
	f.Add([]byte(`{"exp":null,"jti":7}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c auth.Claims
		if json.Unmarshal(data, &c) != nil {
			return
		}
		once, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("re-encoding %s: %v", data, err)
		}
		var c2 auth.Claims
		if err := json.Unmarshal(once, &c2); err != nil {
			t.Fatalf("decoding our own %s: %v", once, err)
		}
		twice, _ := json.Marshal(c2)
		var a, b any
		_ = json.Unmarshal(once, &a)
		_ = json.Unmarshal(twice, &b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("unstable: %s then %s", once, twice)
		}
	})
}

// Whatever Authorization, API key or cookie header arrives, the answer is
// 200, 401 with a problem document, or (Basic guesses, throttled) 429 with
// Retry-After; never a 500.
func FuzzAuthHeaders(f *testing.F) {
	j := mustJWT(f, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}})
	h, _ := auth.HashPasswordWith("pw", cheap)
	app := protectedApp(f,
		&auth.JWTBackend{JWT: j, Cookie: "access_token"},
		&auth.APIKeyBackend{Lookup: auth.StaticAPIKeys(map[string]nexios.User{"key": auth.SimpleUser{ID: "svc"}})},
		&auth.BasicBackend{Verify: auth.BasicUsers(map[string]string{"ops": h})},
	)
	tok, _ := j.CreateAccessToken("ada", nil)
	f.Add("Bearer "+tok, "", "")
	f.Add("Basic b3BzOnB3", "", "")
	f.Add("Basic !!!", "key", "access_token=x")
	f.Add("bearer", "", "access_token="+tok)
	f.Add("Bearer a.b.c", "\x00", "")
	f.Fuzz(func(t *testing.T, authz, apiKey, cookie string) {
		req := httptest.NewRequest(http.MethodGet, "/me", nil)
		req.Header.Set("Authorization", authz)
		req.Header.Set("X-API-Key", apiKey)
		req.Header.Set("Cookie", cookie)
		w := httptest.NewRecorder()
		app.ServeHTTP(w, req)
		switch w.Code {
		case http.StatusOK:
		case http.StatusUnauthorized:
			if w.Header().Get("Content-Type") != "application/problem+json" || w.Header().Get("WWW-Authenticate") == "" {
				t.Fatalf("401 without problem body or challenge: %v %s", w.Header(), w.Body)
			}
		case http.StatusTooManyRequests: // Basic guesses are throttled
			if w.Header().Get("Content-Type") != "application/problem+json" || w.Header().Get("Retry-After") == "" {
				t.Fatalf("429 without problem body or Retry-After: %v %s", w.Header(), w.Body)
			}
		default:
			t.Fatalf("%q %q %q: status %d %s", authz, apiKey, cookie, w.Code, w.Body)
		}
	})
}
