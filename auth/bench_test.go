package auth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nexios-go/nexios/internal/benchtest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
)

func benchKeys() map[string][2]auth.Key {
	return map[string][2]auth.Key{
		"HS256": {auth.HS256Key(secret), auth.HS256Key(secret)},
		"RS256": {auth.RS256Key(rsaKey()), auth.RS256PublicKey(&rsaKey().PublicKey)},
		"EdDSA": {auth.EdDSAKey(edKey()), auth.EdDSAKey(edKey())},
	}
}

// BenchmarkJWTVerify measures VerifyAccessToken: signature, claims and
// decoding, per algorithm.
func BenchmarkJWTVerify(b *testing.B) {
	for _, alg := range []string{"HS256", "RS256", "EdDSA"} {
		keys := benchKeys()[alg]
		b.Run(alg, func(b *testing.B) {
			issuer := mustJWT(b, auth.JWTConfig{Keys: []auth.Key{keys[0]}, Issuer: "bench", Audience: []string{"api"}})
			verifier := mustJWT(b, auth.JWTConfig{Keys: []auth.Key{keys[1]}, Issuer: "bench", Audience: []string{"api"}})
			tok, err := issuer.CreateAccessToken("42", map[string]any{"username": "ada", "scope": "read write"})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := verifier.VerifyAccessToken(bg, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkJWTRequest measures a whole request to a route behind the
// authentication middleware and Required, with an HS256 bearer token.
func BenchmarkJWTRequest(b *testing.B) {
	j := mustJWT(b, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}})
	app := nexios.New(nexios.Config{})
	app.Use(nexios.Must(auth.Middleware(&auth.JWTBackend{JWT: j})))
	app.Get("/me", func(req *nexios.Request, res *nexios.Response) error {
		return res.Text(req.User().Identity())
	}, auth.Required())
	tok, _ := j.CreateAccessToken("42", nil)
	r := httptest.NewRequest(http.MethodGet, "/me", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	w := benchtest.NewWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		app.ServeHTTP(w, r)
	}
}

// BenchmarkHashPassword measures HashPassword with the default argon2id
// parameters (19 MiB, 2 passes): the cost of a login or a sign-up.
func BenchmarkHashPassword(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := auth.HashPassword("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
