package ratelimit_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/testclient"
)

func TestKeyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		key  ratelimit.KeyFunc
		want int
	}{
		{"plain error is 500", func(*nexios.Request) (string, error) { return "", errors.New("boom") }, 500},
		{"status error passes", func(*nexios.Request) (string, error) { return "", nexios.NewHTTPError(401, "who are you") }, 401},
		{"empty key is 500", func(*nexios.Request) (string, error) { return "", nil }, 500},
		{"no client IP is 500", ratelimit.ByIP, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
			app.Use(must(t, ratelimit.Config{KeyFunc: tt.key}))
			app.Get("/", ok)
			c := testclient.New(app, testclient.WithRemoteAddr(""))
			if r := c.Get("/"); r.Status != tt.want {
				t.Fatalf("status %d, want %d", r.Status, tt.want)
			}
		})
	}
}

// failingStore fails every call.
type failingStore struct{}

func (failingStore) Take(context.Context, string, time.Time, ratelimit.Policy, int) (ratelimit.Result, error) {
	return ratelimit.Result{}, errors.New("connection refused")
}
func (failingStore) Reset(context.Context, string) error { return errors.New("connection refused") }

func TestStoreFailure(t *testing.T) {
	t.Parallel()
	for _, failOpen := range []bool{false, true} {
		var logs bytes.Buffer
		app := nexios.New(nexios.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		app.Use(must(t, ratelimit.Config{Store: failingStore{}, FailClosed: !failOpen}))
		app.Get("/", ok)
		r := testclient.New(app).Get("/")
		want := 503
		if failOpen {
			want = 200
		}
		if r.Status != want || !strings.Contains(logs.String(), "connection refused") {
			t.Errorf("fail open %v: status %d, logs %q", failOpen, r.Status, logs.String())
		}
		if failOpen && !strings.Contains(logs.String(), "level=WARN") {
			t.Errorf("fail-open not logged at warn: %q", logs.String())
		}
	}
}

func TestSkipAndPrefix(t *testing.T) {
	t.Parallel()
	clk := newClock()
	store := ratelimit.NewMemoryStore(ratelimit.MemoryConfig{})
	app := nexios.New(nexios.Config{})
	app.Use(must(t, ratelimit.Config{Limit: 1, Store: store, Now: clk.Now, Prefix: "app:",
		Skip: func(req *nexios.Request) bool { return req.URL().Path == "/health" }}))
	app.Get("/health", ok)
	app.Get("/a", ok)
	// A route limiter sharing the store, kept apart by its prefix.
	app.Get("/b", ok, nexios.WithMiddleware(must(t, ratelimit.Config{Limit: 5, Store: store, Now: clk.Now, Prefix: "b:"})))
	c := testclient.New(app)
	for range 3 {
		if r := c.Get("/health"); r.Status != 200 || r.Header.Get("X-RateLimit-Limit") != "" {
			t.Fatalf("skipped request: %d %v", r.Status, r.Header)
		}
	}
	if c.Get("/a").Status != 200 || c.Get("/a").Status != 429 {
		t.Fatal("/a not limited to 1")
	}
	if store.Len() != 1 {
		t.Fatalf("store holds %d keys, want 1", store.Len())
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	lim, err := ratelimit.NewLimiter(ratelimit.LimiterConfig{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  ratelimit.Config
		want string
	}{
		{"negative limit", ratelimit.Config{Limit: -1}, "Limit must be positive"},
		{"negative window", ratelimit.Config{Window: -time.Second}, "Window must be positive"},
		{"burst without token bucket", ratelimit.Config{Burst: 3}, "TokenBucket only"},
		{"unknown algorithm", ratelimit.Config{Algorithm: 7}, "unknown algorithm"},
		{"limiter and fields", ratelimit.Config{Limiter: lim, Limit: 5}, "not both"},
		{"header mode", ratelimit.Config{Headers: 9}, "header mode"},
		{"policy name", ratelimit.Config{PolicyName: `a"b`}, "PolicyName"},
	}
	for _, tt := range tests {
		if _, err := ratelimit.New(tt.cfg); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := ratelimit.New(ratelimit.Config{Limiter: lim}); err != nil {
		t.Errorf("Limiter alone: %v", err)
	}
}
