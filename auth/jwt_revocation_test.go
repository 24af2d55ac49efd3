package auth_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/storetest"
	"github.com/nexios-go/nexios/testclient"
)

func TestMemoryRevocationListConformance(t *testing.T) {
	t.Parallel()
	storetest.RevocationList(t, func(*testing.T) auth.RevocationList { return &auth.MemoryRevocationList{} })
}

// Issue 18 §3: of N concurrent refreshes with one token exactly one
// succeeds; the rest are reuse, which revokes the family (so the winner's
// new tokens die too). Before, two could succeed and mint two refresh
// tokens.
func TestRefreshConcurrent(t *testing.T) {
	t.Parallel()
	j := mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}})
	for round := range 20 {
		pair, err := j.CreateTokenPair("7", nil)
		if err != nil {
			t.Fatal(err)
		}
		var wins, revoked, reused, other atomic.Int32
		var won auth.TokenPair
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				<-start
				p, err := j.Refresh(bg, pair.RefreshToken)
				switch {
				case err == nil:
					wins.Add(1)
					won = p
				case errors.Is(err, auth.ErrTokenRevoked):
					// The first losers detect the reuse; later ones may
					// find the family already revoked.
					revoked.Add(1)
					if errors.Is(err, auth.ErrRefreshTokenReused) {
						reused.Add(1)
					}
				default:
					other.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		if wins.Load() != 1 || revoked.Load() != 19 || reused.Load() < 1 || other.Load() != 0 {
			t.Fatalf("round %d: %d succeeded, %d revoked (%d as reuse), %d other errors; want 1, 19 (at least 1), 0",
				round, wins.Load(), revoked.Load(), reused.Load(), other.Load())
		}
		if won.RefreshToken == "" {
			t.Fatal("the winner got no new refresh token")
		}
		if _, err := j.Refresh(bg, won.RefreshToken); !errors.Is(err, auth.ErrTokenRevoked) {
			t.Fatalf("round %d: the winner's refresh token after the others' reuse: %v", round, err)
		}
	}
}

// failingList fails the methods named in fail.
type failingList struct {
	auth.MemoryRevocationList
	fail map[string]bool
}

func (l *failingList) RevokeOnce(ctx context.Context, jti string, exp time.Time) (bool, error) {
	if l.fail["RevokeOnce"] {
		return false, errStoreDown
	}
	return l.MemoryRevocationList.RevokeOnce(ctx, jti, exp)
}

func (l *failingList) RevokeFamily(ctx context.Context, f string, exp time.Time) error {
	if l.fail["RevokeFamily"] {
		return errStoreDown
	}
	return l.MemoryRevocationList.RevokeFamily(ctx, f, exp)
}

func (l *failingList) RevokeSubject(ctx context.Context, s string, before, exp time.Time) error {
	if l.fail["RevokeSubject"] {
		return errStoreDown
	}
	return l.MemoryRevocationList.RevokeSubject(ctx, s, before, exp)
}

func (l *failingList) IsRevoked(ctx context.Context, rc auth.RevocationCheck) (bool, error) {
	if l.fail["IsRevoked"] {
		return false, errStoreDown
	}
	return l.MemoryRevocationList.IsRevoked(ctx, rc)
}

// unavailable checks err is ErrRevocationUnavailable, a 503 caused by the
// store's error.
func unavailable(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, auth.ErrRevocationUnavailable) || !errors.Is(err, errStoreDown) || nexios.StatusOf(err) != http.StatusServiceUnavailable {
		t.Fatalf("%s with a failing revocation list: %v (status %d), want a 503 ErrRevocationUnavailable", what, err, nexios.StatusOf(err))
	}
}

// The revocation check always fails closed: a failing list never lets a
// token through, and every operation reports 503.
func TestRevocationFailsClosed(t *testing.T) {
	t.Parallel()
	all := map[string]bool{"RevokeOnce": true, "RevokeFamily": true, "RevokeSubject": true, "IsRevoked": true}
	l := &failingList{}
	j := mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}, Revocations: l})
	pair, _ := j.CreateTokenPair("7", nil)
	l.fail = all

	_, err := j.VerifyAccessToken(bg, pair.AccessToken)
	unavailable(t, err, "VerifyAccessToken")
	_, err = j.VerifyRefreshToken(bg, pair.RefreshToken)
	unavailable(t, err, "VerifyRefreshToken")
	p, err := j.Refresh(bg, pair.RefreshToken)
	unavailable(t, err, "Refresh")
	if p.AccessToken != "" || p.RefreshToken != "" {
		t.Fatal("Refresh returned tokens with an error")
	}
	unavailable(t, j.Revoke(bg, pair.RefreshToken), "Revoke")
	unavailable(t, j.RevokeSubject(bg, "7"), "RevokeSubject")
	unavailable(t, j.RevokeFamily(bg, "f"), "RevokeFamily")

	// Through HTTP: 503, never 200 or an anonymous pass.
	r := testclient.New(protectedApp(t, &auth.JWTBackend{JWT: j})).Get("/me", bearer(pair.AccessToken))
	expectProblem(t, r, http.StatusServiceUnavailable, "")
	r = testclient.New(protectedApp(t, &auth.JWTBackend{JWT: j})).Get("/public", bearer(pair.AccessToken))
	expectProblem(t, r, http.StatusServiceUnavailable, "")

	// Only the atomic revoke fails: the refresh is refused, nothing is
	// minted.
	l.fail = map[string]bool{"RevokeOnce": true}
	_, err = j.Refresh(bg, pair.RefreshToken)
	unavailable(t, err, "Refresh when RevokeOnce fails")
	// Reuse detected but the family cannot be revoked: 503, not a quiet
	// 401 that leaves the family alive.
	l.fail = nil
	if _, err := j.Refresh(bg, pair.RefreshToken); err != nil {
		t.Fatal(err)
	}
	l.fail = map[string]bool{"RevokeFamily": true}
	_, err = j.Refresh(bg, pair.RefreshToken)
	unavailable(t, err, "reuse when RevokeFamily fails")
}

// Access tokens are checked against the list by default; skipping the
// check is explicit.
func TestAccessRevocationDefault(t *testing.T) {
	t.Parallel()
	for _, skip := range []bool{false, true} {
		l := &auth.MemoryRevocationList{}
		j := mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}, Revocations: l, SkipAccessRevocationCheck: skip})
		pair, _ := j.CreateTokenPair("7", nil)
		if err := j.Revoke(bg, pair.RefreshToken); err != nil { // logout
			t.Fatal(err)
		}
		_, err := j.VerifyAccessToken(bg, pair.AccessToken)
		if skip && err != nil {
			t.Fatalf("skipping the check: %v", err)
		}
		if !skip && !errors.Is(err, auth.ErrTokenRevoked) {
			t.Fatalf("by default, the access token after logout: %v", err)
		}
	}
}

// Revoking an access token (logout with the bearer token) revokes its
// family, refresh token included; RevokeFamily does so by id.
func TestRevokeFamily(t *testing.T) {
	t.Parallel()
	j := mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}})
	a, _ := j.CreateTokenPair("7", nil)
	b, _ := j.CreateTokenPair("7", nil)
	if err := j.Revoke(bg, a.AccessToken); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Refresh(bg, a.RefreshToken); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Fatalf("the refresh token of a revoked access token's family: %v", err)
	}
	c, err := j.VerifyRefreshToken(bg, b.RefreshToken)
	if err != nil || c.Family == "" {
		t.Fatalf("another sign-in: %+v %v", c, err)
	}
	if err := j.RevokeFamily(bg, c.Family); err != nil {
		t.Fatal(err)
	}
	if _, err := j.VerifyAccessToken(bg, b.AccessToken); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Fatalf("after RevokeFamily: %v", err)
	}
	if err := j.RevokeFamily(bg, ""); err == nil {
		t.Fatal("RevokeFamily(\"\") accepted")
	}
	// Standalone tokens: a refresh token starts a family, an access token
	// has none.
	r, _ := j.CreateRefreshToken("7", nil)
	acc, _ := j.CreateAccessToken("7", nil)
	rc, _ := j.VerifyRefreshToken(bg, r)
	ac, _ := j.VerifyAccessToken(bg, acc)
	if rc.Family == "" || ac.Family != "" {
		t.Fatalf("families: refresh %q, access %q", rc.Family, ac.Family)
	}
	if _, err := j.CreateAccessToken("7", map[string]any{"fam": "x"}); err == nil {
		t.Fatal(`claim "fam" accepted from the caller`)
	}
}

// hs256 signs header and payload (JSON) with secret.
func hs256(header, payload string) string {
	b := base64.RawURLEncoding
	s := b.EncodeToString([]byte(header)) + "." + b.EncodeToString([]byte(payload))
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(s))
	return s + "." + b.EncodeToString(m.Sum(nil))
}

// RFC 7515 §4.1.11: a critical header extension the verifier does not
// understand (any: it understands none) makes the token invalid, even
// correctly signed. Duplicate header parameters are refused too.
func TestCriticalAndDuplicateHeaders(t *testing.T) {
	t.Parallel()
	j := mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}})
	payload := `{"sub":"ada","exp":9999999999,"iat":1700000000}`
	if _, err := j.VerifyAccessToken(bg, hs256(`{"alg":"HS256","typ":"JWT","x-custom":1}`, payload)); err != nil {
		t.Fatalf("a plain header with an unknown non-critical parameter: %v", err)
	}
	for name, header := range map[string]string{
		"crit list":        `{"alg":"HS256","crit":["exp-ext"],"exp-ext":1}`,
		"crit empty":       `{"alg":"HS256","crit":[]}`,
		"crit string":      `{"alg":"HS256","crit":"b64"}`,
		"crit null":        `{"alg":"HS256","crit":null}`,
		"crit b64":         `{"alg":"HS256","b64":false,"crit":["b64"]}`,
		"crit escaped":     `{"alg":"HS256","cr\u0069t":["x"],"x":1}`,
		"duplicate alg":    `{"alg":"none","alg":"HS256"}`,
		"duplicate kid":    `{"alg":"HS256","kid":"a","kid":"b"}`,
		"duplicate escape": `{"alg":"HS256","typ":"JWT","t\u0079p":"JWT"}`,
	} {
		_, err := j.VerifyAccessToken(bg, hs256(header, payload))
		if !errors.Is(err, auth.ErrTokenInvalid) && !errors.Is(err, auth.ErrTokenMalformed) {
			t.Errorf("%s: %s accepted or wrong error: %v", name, header, err)
		}
	}
}

// Per-use rotation holds even for a refresh in the instant of issue (a
// frozen clock on a second boundary, where exp - now equals RefreshTTL).
func TestRefreshRotatesAtOnce(t *testing.T) {
	t.Parallel()
	clk := newClock() // exactly 12:00:00
	j := mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}, Now: clk.Now})
	pair, _ := j.CreateTokenPair("7", nil)
	next, err := j.Refresh(bg, pair.RefreshToken)
	if err != nil || next.RefreshToken == "" {
		t.Fatalf("refresh at the instant of issue: %+v %v", next, err)
	}
	if _, err := j.Refresh(bg, pair.RefreshToken); !errors.Is(err, auth.ErrRefreshTokenReused) {
		t.Fatalf("second use: %v", err)
	}
}

// Logout with an expired access token still ends its sign-in: the family's
// refresh token (alive for days) is revoked.
func TestRevokeExpiredAccessTokenRevokesFamily(t *testing.T) {
	t.Parallel()
	clk := newClock()
	j := mustJWT(t, auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}, Now: clk.Now})
	pair, _ := j.CreateTokenPair("7", nil)
	clk.Advance(time.Hour) // the access token (30 min) has expired
	if err := j.Revoke(bg, pair.AccessToken); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Refresh(bg, pair.RefreshToken); !errors.Is(err, auth.ErrTokenRevoked) {
		t.Fatalf("the family's refresh token after logout with an expired access token: %v", err)
	}
	// A forged expired token naming another sign-in's family revokes
	// nothing.
	other, _ := j.CreateTokenPair("8", nil)
	oc, err := j.VerifyRefreshToken(bg, other.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "8", "jti": "x", "fam": oc.Family, "iat": clk.Now().Add(-2 * time.Hour).Unix(), "exp": clk.Now().Add(-time.Hour).Unix(),
	}).SignedString([]byte("another secret of thirty-two bytes"))
	if err := j.Revoke(bg, forged); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Fatalf("a forged expired token: %v", err)
	}
	if _, err := j.Refresh(bg, other.RefreshToken); err != nil {
		t.Fatalf("an unrelated sign-in: %v", err)
	}
}
