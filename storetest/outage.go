package storetest

import (
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
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/session"
)

// Fault takes the backend of Stores away and brings it back, for
// Outage.
type Fault struct {
	// Cut makes the backend unreachable to the stores, as an outage
	// would: open connections closed, new ones refused (a TCP proxy
	// cut, a killed server). Required.
	Cut func()
	// Restore makes the backend reachable again; the stores must
	// reconnect by themselves. Required.
	Restore func()
	// FailWithin bounds the time the requests of the outage phase take
	// in all, since failures must be quick rather than wait out the
	// outage. Zero means 5 seconds; a store whose client retries or
	// waits for a pool may need more.
	FailWithin time.Duration
}

// Outage runs an app whose every store is on one backend, cuts the
// backend with f.Cut while the app runs, and checks that each failure
// policy does what docs/scaling.md says, then restores the backend with
// f.Restore and checks that everything works again.
//
// While the backend is down: a fail-open rate limit admits (and logs
// it), a fail-closed one answers 503, a ratelimit.FallbackStore counts
// locally (3 more requests, then 429, and logs it); a session store
// outage is a 503, not an anonymous request; the revocation check and
// the login throttle fail closed (503); all of it within f.FailWithin.
// When the backend is back (within 10 seconds): sessions, the fail-closed
// limit, the revocation check and the throttle work again, and after
// its cooldown the fallback counts in the store again. The scenario's
// keys are its own, but f.Cut takes the whole backend away: give the
// test a backend of its own (a server, a database, a proxy).
func Outage(t *testing.T, s Stores, f Fault) {
	t.Helper()
	within := f.FailWithin
	if within == 0 {
		within = 5 * time.Second
	}
	logs := &messages{}
	logger := slog.New(logs)
	jwt, err := auth.NewJWT(auth.JWTConfig{Keys: []auth.Key{auth.HS256Key([]byte("0123456789abcdef0123456789abcdef"))},
		Revocations: s.Revocations})
	must(t, err)
	throttle, err := auth.NewLoginThrottle(auth.ThrottleConfig{Store: s.Throttle})
	must(t, err)
	user := unique("user")

	app := nexios.New(nexios.Config{Logger: logger})
	limited := func(path string, cfg ratelimit.Config) {
		r := nexios.NewRouter(path)
		cfg.Limit, cfg.Window = 3, time.Minute
		r.Use(nexios.Must(ratelimit.New(cfg)))
		r.Get("", func(_ *nexios.Request, res *nexios.Response) error { return res.NoContent() })
		app.Mount(r)
	}
	prefix := unique("outage") + ":"
	limited("/open", ratelimit.Config{Store: s.RateLimit, Prefix: prefix + "open:"})
	limited("/closed", ratelimit.Config{Store: s.RateLimit, FailClosed: true, Prefix: prefix + "closed:"})
	fallback := ratelimit.NewFallbackStore(s.RateLimit, ratelimit.FallbackConfig{Logger: logger, Cooldown: 100 * time.Millisecond})
	limited("/fallback", ratelimit.Config{Store: fallback, Prefix: prefix + "fallback:"})
	sess := nexios.NewRouter("/s")
	sess.Use(nexios.Must(session.New(session.Config{Store: s.Sessions})))
	sess.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
		session.From(req).Regenerate()
		session.From(req).Set("user", user)
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
		att, err := throttle.Reserve(req.Context(), user, req.ClientIP())
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
	access, err := jwt.CreateAccessToken(user, nil)
	must(t, err)
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

	f.Cut()
	start := time.Now()
	expect("down: fail open admits", "GET", "/open", 204, 204, 204, 204, 204)
	expect("down: fail closed refuses", "GET", "/closed", 503)
	// The local fallback starts counting from zero: 3 more, then 429.
	expect("down: local fallback", "GET", "/fallback", 204, 204, 204, 429)
	expect("down: a session store outage is a 503, not an anonymous request", "GET", "/s/me", 503)
	expect("down: the revocation check fails closed", "GET", "/api", 503)
	expect("down: the login throttle fails closed", "POST", "/login", 503)
	if d := time.Since(start); d > within {
		t.Fatalf("the outage phase took %v: failures must be quick (within %v)", d, within)
	}
	if !strings.Contains(logs.String(), "request admitted") || !strings.Contains(logs.String(), "counting locally") {
		t.Fatalf("the policies did not log: %s", logs.String())
	}

	f.Restore()
	// A client may redial by itself; its first commands may still meet
	// the dead connections.
	for deadline := time.Now().Add(10 * time.Second); status("POST", "/s/login") != 204; {
		if time.Now().After(deadline) {
			t.Fatal("the session store did not work again within 10s of the restore")
		}
		time.Sleep(10 * time.Millisecond)
	}
	expect("back", "GET", "/s/me", 200)
	expect("back", "GET", "/closed", 204)
	expect("back", "GET", "/api", 204)
	expect("back", "POST", "/login", 204)
	time.Sleep(150 * time.Millisecond) // the fallback's cooldown
	expect("back: the fallback counts in the store again", "GET", "/fallback", 204)
	if fallback.Degraded() {
		t.Fatal("the fallback store is still degraded")
	}
}

// messages is a slog.Handler that keeps the message of every record, for
// a test to check what was logged.
type messages struct {
	mu   sync.Mutex
	msgs []string
}

func (m *messages) Enabled(context.Context, slog.Level) bool { return true }

func (m *messages) Handle(_ context.Context, r slog.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, r.Message)
	return nil
}

func (m *messages) WithAttrs([]slog.Attr) slog.Handler { return m }
func (m *messages) WithGroup(string) slog.Handler      { return m }

// String returns the messages, one a line.
func (m *messages) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return strings.Join(m.msgs, "\n")
}
