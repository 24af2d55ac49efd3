package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/testclient"
)

// keyOf runs fn on a request from remote (with an optional X-User header)
// and returns the key or the error status.
func keyOf(t *testing.T, fn ratelimit.KeyFunc, remote string, opts ...testclient.RequestOption) (string, int) {
	t.Helper()
	app := nexios.New(nexios.Config{})
	app.Use(fakeAuth)
	app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
		k, err := fn(req)
		if err != nil {
			return err
		}
		return res.Text(k)
	})
	r := testclient.New(app, testclient.WithRemoteAddr(remote)).Get("/", opts...)
	return r.Text(), r.Status
}

func TestKeyFuncs(t *testing.T) {
	t.Parallel()
	user := ratelimit.ByUser(func(req *nexios.Request) string { return req.Header("X-User") })
	tests := []struct {
		name   string
		fn     ratelimit.KeyFunc
		remote string
		opts   []testclient.RequestOption
		want   string
		status int
	}{
		{"ipv4", ratelimit.ByIP, "203.0.113.9:5000", nil, "203.0.113.9", 200},
		{"ipv6 /64", ratelimit.ByIP, "[2001:db8:1:2:3:4:5:6]:443", nil, "2001:db8:1:2::/64", 200},
		{"ipv6 zone dropped", ratelimit.ByIP, "[fe80::1%eth0]:443", nil, "fe80::/64", 200},
		{"ipv4-mapped ipv6", ratelimit.ByIP, "[::ffff:192.0.2.7]:80", nil, "192.0.2.7", 200},
		{"not an ip", ratelimit.ByIP, "@", nil, "@", 200},
		{"no address", ratelimit.ByIP, "", nil, "", 500},
		{"ipv4 /24", ratelimit.ByIPPrefix(24, 48), "203.0.113.9:1", nil, "203.0.113.0/24", 200},
		{"ipv6 /48", ratelimit.ByIPPrefix(24, 48), "[2001:db8:1:2::9]:1", nil, "2001:db8:1::/48", 200},
		{"ipv6 full", ratelimit.ByIPPrefix(0, 200), "[2001:db8::9]:1", nil, "2001:db8::9", 200},
		{"header", ratelimit.ByHeader("X-Api-Key"), "10.0.0.1:1", []testclient.RequestOption{testclient.Header("x-api-key", "k-1")}, "k-1", 200},
		{"header missing", ratelimit.ByHeader("X-Api-Key"), "10.0.0.1:1", nil, "", 400},
		{"user", user, "10.0.0.1:1", []testclient.RequestOption{testclient.Header("X-User", "42")}, "user:42", 200},
		{"anonymous user", user, "10.0.0.1:1", nil, "ip:10.0.0.1", 200},
		{"anonymous without ip", user, "", nil, "", 500},
		{"auth user", ratelimit.ByUser(nil), "10.0.0.1:1", []testclient.RequestOption{testclient.Header("X-Login", "ada")}, "user:ada", 200},
		{"auth anonymous", ratelimit.ByUser(nil), "10.0.0.1:1", nil, "ip:10.0.0.1", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, status := keyOf(t, tt.fn, tt.remote, tt.opts...)
			if status != tt.status || status == 200 && got != tt.want {
				t.Fatalf("key %q status %d, want %q %d", got, status, tt.want, tt.status)
			}
		})
	}
}

// TestClientIPFromProxy: the key is req.ClientIP(), so a trusted-proxy
// middleware that sets it decides who shares a quota.
func TestClientIPFromProxy(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Use(func(next nexios.HandlerFunc) nexios.HandlerFunc { // stand-in for the proxy middleware
		return func(req *nexios.Request, res *nexios.Response) error {
			req.Raw().RemoteAddr = req.Header("X-Test-Client") + ":0"
			return next(req, res)
		}
	})
	app.Use(must(t, ratelimit.Config{Limit: 1, Now: newClock().Now}))
	app.Get("/", ok)
	c := testclient.New(app) // every request from the same proxy address
	for _, tt := range []struct {
		client string
		want   int
	}{{"198.51.100.1", 200}, {"198.51.100.2", 200}, {"198.51.100.1", 429}} {
		if r := c.Get("/", testclient.Header("X-Test-Client", tt.client)); r.Status != tt.want {
			t.Fatalf("client %s: %d, want %d", tt.client, r.Status, tt.want)
		}
	}
}

func TestLimiter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := newClock()
	lim, err := ratelimit.NewLimiter(ratelimit.LimiterConfig{Algorithm: ratelimit.FixedWindow, Limit: 5, Window: 15 * time.Minute, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if p := lim.Policy(); p.Limit != 5 || p.Window != 15*time.Minute || p.Capacity() != 5 {
		t.Fatalf("Policy() = %+v", p)
	}
	if _, ok := lim.Store().(*ratelimit.MemoryStore); !ok {
		t.Fatal("default store is not a MemoryStore")
	}
	key := "login:ada@example.com"
	if r, err := lim.AllowN(ctx, key, 4); err != nil || !r.Allowed || r.Remaining != 1 {
		t.Fatalf("AllowN(4) = %+v %v", r, err)
	}
	if r, err := lim.Peek(ctx, key); err != nil || !r.Allowed || r.Remaining != 1 {
		t.Fatalf("Peek = %+v %v", r, err)
	}
	if r, _ := lim.Allow(ctx, key); !r.Allowed || r.Remaining != 0 {
		t.Fatalf("5th attempt = %+v", r)
	}
	r, _ := lim.Allow(ctx, key)
	if r.Allowed || r.RetryAfter != 15*time.Minute {
		t.Fatalf("6th attempt = %+v", r)
	}
	if p, _ := lim.Peek(ctx, key); p.Allowed || p.RetryAfter != 15*time.Minute {
		t.Fatalf("Peek when exhausted = %+v", p)
	}
	if err := lim.Reset(ctx, key); err != nil {
		t.Fatal(err)
	}
	if r, _ := lim.Allow(ctx, key); !r.Allowed || r.Remaining != 4 {
		t.Fatalf("after Reset = %+v", r)
	}
	for _, n := range []int{0, -1, 6} {
		if _, err := lim.AllowN(ctx, key, n); err == nil {
			t.Errorf("AllowN(%d) accepted", n)
		}
	}
}

// user is a minimal nexios.User.
type user string

func (u user) IsAuthenticated() bool { return u != "" }
func (u user) Identity() string      { return string(u) }
func (u user) DisplayName() string   { return string(u) }
func (u user) Scopes() []string      { return nil }

// fakeAuth authenticates the user named in X-Login, standing in for the
// auth middleware.
func fakeAuth(next nexios.HandlerFunc) nexios.HandlerFunc {
	return func(req *nexios.Request, res *nexios.Response) error {
		if name := req.Header("X-Login"); name != "" {
			nexios.UserKey.Set(req, user(name))
		}
		return next(req, res)
	}
}
