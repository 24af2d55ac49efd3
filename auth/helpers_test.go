package auth_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/testclient"
)

var bg = context.Background()

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var secret = []byte("0123456789abcdef0123456789abcdef")

// rsaKey is generated once per test binary: 2048-bit generation is slow.
var rsaKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

var edKey = sync.OnceValue(func() ed25519.PrivateKey {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
})

func mustJWT(t testing.TB, cfg auth.JWTConfig) *auth.JWT {
	t.Helper()
	j, err := auth.NewJWT(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// quietApp returns an app that logs nothing.
func quietApp() *nexios.App {
	return nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
}

// protectedApp serves /me (any authenticated user), /admin (scope admin)
// and /public behind the given backends.
func protectedApp(t testing.TB, backends ...auth.Backend) *nexios.App {
	t.Helper()
	app := quietApp()
	app.Use(nexios.Must(auth.Middleware(backends...)))
	me := func(req *nexios.Request, res *nexios.Response) error {
		u := req.User()
		return res.JSON(map[string]any{"id": u.Identity(), "name": u.DisplayName(), "scopes": u.Scopes()})
	}
	app.Get("/me", me, auth.Required())
	app.Get("/admin", me, auth.Required("admin"))
	app.Get("/public", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]bool{"authenticated": req.User().IsAuthenticated()})
	})
	return app
}

// problem is an RFC 9457 document.
type problem struct {
	Type           string   `json:"type"`
	Title          string   `json:"title"`
	Status         int      `json:"status"`
	Detail         string   `json:"detail"`
	Code           string   `json:"code"`
	RequiredScopes []string `json:"required_scopes"`
}

// expectProblem checks a rejection: its status, a problem+json body with
// that status and the detail, never a 500.
func expectProblem(t *testing.T, r *testclient.Response, status int, detail string) problem {
	t.Helper()
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Text())
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q: %s", ct, r.Text())
	}
	var p problem
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, r.Text())
	}
	if p.Status != status || (detail != "" && p.Detail != detail) {
		t.Fatalf("problem %+v, want status %d detail %q", p, status, detail)
	}
	return p
}

// challenge returns the WWW-Authenticate values joined.
func challenge(r *testclient.Response) string {
	return strings.Join(r.Header.Values("WWW-Authenticate"), " | ")
}

func bearer(token string) testclient.RequestOption {
	return testclient.Header("Authorization", "Bearer "+token)
}
