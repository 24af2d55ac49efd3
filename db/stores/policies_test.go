package stores_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/stores"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/session"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// PostgreSQL becomes unreachable under a running app: each failure policy
// does what docs/scaling.md says, nothing panics, failures are quick, and
// everything works again when the database is back.
func TestFailurePoliciesWhenPostgresIsUnreachable(t *testing.T) {
	t.Parallel()
	url, _ := postgresURLs(t, 1)
	px, proxied := newProxy(t, url)
	d, err := db.Open(context.Background(), proxied)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	rlStore := stores.NewRateLimitStore(d, stores.RateLimitConfig{})
	jwt, err := auth.NewJWT(auth.JWTConfig{Keys: []auth.Key{auth.HS256Key([]byte("0123456789abcdef0123456789abcdef"))},
		Revocations: stores.NewRevocationList(d)})
	if err != nil {
		t.Fatal(err)
	}
	throttle, err := auth.NewLoginThrottle(auth.ThrottleConfig{Store: stores.NewThrottleStore(d)})
	if err != nil {
		t.Fatal(err)
	}

	app := nexios.New(nexios.Config{Logger: logger})
	limited := func(path string, cfg ratelimit.Config) {
		r := nexios.NewRouter(path)
		cfg.Limit, cfg.Window = 3, time.Minute
		r.Use(nexios.Must(ratelimit.New(cfg)))
		r.Get("", func(_ *nexios.Request, res *nexios.Response) error { return res.NoContent() })
		app.Mount(r)
	}
	limited("/open", ratelimit.Config{Store: rlStore, Prefix: "open:"})
	limited("/closed", ratelimit.Config{Store: rlStore, FailClosed: true, Prefix: "closed:"})
	fallback := ratelimit.NewFallbackStore(rlStore, ratelimit.FallbackConfig{Logger: logger, Cooldown: 100 * time.Millisecond})
	limited("/fallback", ratelimit.Config{Store: fallback, Prefix: "fallback:"})
	sess := nexios.NewRouter("/s")
	sess.Use(nexios.Must(session.New(session.Config{Store: stores.NewSessionStore(d)})))
	sess.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
		session.From(req).Regenerate()
		session.From(req).Set("user", "ada")
		return res.NoContent()
	})
	sess.Get("/me", func(req *nexios.Request, res *nexios.Response) error {
		return res.Text(session.From(req).GetString("user"))
	})
	app.Mount(sess)
	app.Get("/api", func(req *nexios.Request, res *nexios.Response) error {
		if _, err := jwt.VerifyAccessToken(req.Context(), strings.TrimPrefix(req.Header("Authorization"), "Bearer ")); err != nil {
			return err
		}
		return res.NoContent()
	})
	app.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
		att, err := throttle.Reserve(req.Context(), "ada", req.ClientIP())
		if err != nil {
			return err
		}
		_ = att.Failed(req.Context())
		return res.NoContent()
	})
	hs := httptest.NewServer(app)
	defer hs.Close()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	access, err := jwt.CreateAccessToken("ada", nil)
	if err != nil {
		t.Fatal(err)
	}
	status := func(method, path string) int {
		t.Helper()
		req, _ := http.NewRequest(method, hs.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+access)
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	expect := func(phase, method, path string, want ...int) {
		t.Helper()
		for i, w := range want {
			if got := status(method, path); got != w {
				t.Fatalf("%s: %s %s, request %d: %d, want %d", phase, method, path, i+1, got, w)
			}
		}
	}

	expect("up", "POST", "/s/login", 204)
	expect("up", "GET", "/s/me", 200)
	expect("up", "GET", "/api", 204)
	expect("up", "POST", "/login", 204)
	expect("up", "GET", "/fallback", 204)

	px.cut()
	start := time.Now()
	expect("down: fail open admits", "GET", "/open", 204, 204, 204, 204, 204)
	expect("down: fail closed refuses", "GET", "/closed", 503)
	expect("down: local fallback", "GET", "/fallback", 204, 204, 204, 429)
	expect("down: a session store outage is a 503, not an anonymous request", "GET", "/s/me", 503)
	expect("down: the revocation check fails closed", "GET", "/api", 503)
	expect("down: the login throttle fails closed", "POST", "/login", 503)
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the outage phase took %v: failures must be quick", d)
	}
	if !strings.Contains(logs.String(), "request admitted") || !strings.Contains(logs.String(), "counting locally") {
		t.Fatalf("the policies did not log: %s", logs.String())
	}

	px.restore()
	waitFor(t, "the session store working again", func() bool { return status("POST", "/s/login") == 204 })
	expect("back", "GET", "/s/me", 200)
	expect("back", "GET", "/closed", 204)
	expect("back", "GET", "/api", 204)
	expect("back", "POST", "/login", 204)
	time.Sleep(150 * time.Millisecond) // the fallback's cooldown
	expect("back: the fallback counts in PostgreSQL again", "GET", "/fallback", 204)
	if fallback.Degraded() {
		t.Fatal("the fallback store is still degraded")
	}
}
