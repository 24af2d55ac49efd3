package ratelimit_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/testclient"
)

// base is aligned to minute windows.
var base = time.Unix(1_800_000_000, 0)

// clock is an injectable clock for Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: base} }

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

func ok(_ *nexios.Request, res *nexios.Response) error { return res.Text("ok") }

func must(t testing.TB, cfg ratelimit.Config) nexios.Middleware {
	t.Helper()
	mw, err := ratelimit.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return mw
}

var algorithms = []ratelimit.Algorithm{ratelimit.FixedWindow, ratelimit.SlidingWindow, ratelimit.TokenBucket}

// TestConcurrentBurstExact: 200 simultaneous requests against Limit 50
// give exactly 50 × 200 and 150 × 429, for each algorithm and level.
func TestConcurrentBurstExact(t *testing.T) {
	t.Parallel()
	for _, alg := range algorithms {
		for _, level := range []string{"app", "router", "route"} {
			t.Run(alg.String()+"/"+level, func(t *testing.T) {
				t.Parallel()
				clk := newClock()
				mw := must(t, ratelimit.Config{Algorithm: alg, Limit: 50, Window: time.Minute, Now: clk.Now})
				app := nexios.New(nexios.Config{})
				switch level {
				case "app":
					app.Use(mw)
					app.Get("/r/x", ok)
				case "router":
					r := nexios.NewRouter("/r")
					r.Use(mw)
					r.Get("/x", ok)
					app.Mount(r)
				case "route":
					app.Get("/r/x", ok, nexios.WithMiddleware(mw))
				}
				var codes [600]atomic.Int64
				var wg sync.WaitGroup
				start := make(chan struct{})
				for range 200 {
					wg.Go(func() {
						<-start
						w := httptest.NewRecorder()
						app.ServeHTTP(w, httptest.NewRequest("GET", "/r/x", nil))
						codes[w.Code].Add(1)
						if w.Code == 429 && w.Header().Get("Retry-After") == "" {
							t.Error("429 without Retry-After")
						}
					})
				}
				close(start)
				wg.Wait()
				if codes[200].Load() != 50 || codes[429].Load() != 150 {
					t.Fatalf("200: %d, 429: %d; want 50 and 150", codes[200].Load(), codes[429].Load())
				}
			})
		}
	}
}

func TestHeadersAndRetryAfter(t *testing.T) {
	t.Parallel()
	clk := newClock()
	clk.Advance(15 * time.Second)
	app := nexios.New(nexios.Config{})
	app.Use(must(t, ratelimit.Config{Algorithm: ratelimit.FixedWindow, Limit: 2, Window: time.Minute, Now: clk.Now}))
	app.Get("/", ok)
	c := testclient.New(app)
	for i, want := range []string{"1", "0"} {
		r := c.Get("/")
		if r.Status != 200 || r.Header.Get("X-RateLimit-Limit") != "2" || r.Header.Get("X-RateLimit-Remaining") != want ||
			r.Header.Get("X-RateLimit-Reset") != "45" {
			t.Fatalf("request %d: %d %v", i, r.Status, r.Header)
		}
	}
	clk.Advance(500 * time.Millisecond)
	r := c.Get("/")
	if r.Status != 429 {
		t.Fatalf("third request: %d", r.Status)
	}
	// 44.5 s left: rounded up to 45.
	if r.Header.Get("Retry-After") != "45" || r.Header.Get("X-RateLimit-Remaining") != "0" || r.Header.Get("X-RateLimit-Reset") != "45" {
		t.Fatalf("429 headers: %v", r.Header)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q", ct)
	}
	var p struct {
		Status int    `json:"status"`
		Title  string `json:"title"`
		Detail string `json:"detail"`
	}
	if err := r.JSON(&p); err != nil || p.Status != 429 || p.Title != "Too Many Requests" || !strings.Contains(p.Detail, "retry in 45 seconds") {
		t.Fatalf("problem body %+v %v", p, err)
	}
	// The window rolls over: the quota is back.
	clk.Advance(45 * time.Second)
	if r := c.Get("/"); r.Status != 200 || r.Header.Get("X-RateLimit-Remaining") != "1" || r.Header.Get("X-RateLimit-Reset") != "60" {
		t.Fatalf("next window: %d %v", r.Status, r.Header)
	}
}

func TestHeaderModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  ratelimit.Config
		want map[string]string // "" = absent
	}{
		{"ietf", ratelimit.Config{Limit: 10, Window: 90 * time.Second, Headers: ratelimit.IETFHeaders},
			map[string]string{"RateLimit-Policy": `"default";q=10;w=90`, "RateLimit": `"default";r=9;t=180`, "X-RateLimit-Limit": ""}},
		{"ietf named", ratelimit.Config{Algorithm: ratelimit.TokenBucket, Limit: 10, Window: 500 * time.Millisecond, Burst: 4,
			Headers: ratelimit.IETFHeaders, PolicyName: "api"},
			map[string]string{"RateLimit-Policy": `"api";q=10;w=1`, "RateLimit": `"api";r=3;t=1`}},
		{"none", ratelimit.Config{Limit: 10, Headers: ratelimit.NoHeaders},
			map[string]string{"RateLimit": "", "X-RateLimit-Limit": "", "X-RateLimit-Remaining": ""}},
		{"burst limit", ratelimit.Config{Algorithm: ratelimit.GCRA, Limit: 60, Window: time.Minute, Burst: 5},
			map[string]string{"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "4", "X-RateLimit-Reset": "1"}},
		{"big numbers", ratelimit.Config{Algorithm: ratelimit.FixedWindow, Limit: 100000, Window: 24 * time.Hour},
			map[string]string{"X-RateLimit-Limit": "100000", "X-RateLimit-Remaining": "99999", "X-RateLimit-Reset": "57600"}}, // base is 8 h into a UTC day
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.cfg.Now = newClock().Now
			app := nexios.New(nexios.Config{})
			app.Use(must(t, tt.cfg))
			app.Get("/", ok)
			r := testclient.New(app).Get("/")
			for k, v := range tt.want {
				if got := r.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

// TestLevels: app level counts every request (404s too), router level only
// the router's routes, route level only its route; each has its own quota.
func TestLevels(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	clk := newClock()
	cfg := ratelimit.Config{Limit: 2, Window: time.Minute, Now: clk.Now}
	api := nexios.NewRouter("/api")
	api.Use(must(t, cfg))
	api.Get("/a", ok)
	api.Get("/b", ok)
	app.Mount(api)
	app.Get("/free", ok)
	app.Get("/login", ok, nexios.WithMiddleware(must(t, cfg)))
	c := testclient.New(app)
	seq := func(path string, want ...int) {
		t.Helper()
		for i, w := range want {
			if r := c.Get(path); r.Status != w {
				t.Fatalf("%s request %d: %d, want %d", path, i, r.Status, w)
			}
		}
	}
	seq("/api/a", 200)
	seq("/api/b", 200, 429) // the router's routes share its quota
	seq("/free", 200, 200, 200, 200)
	if r := c.Get("/free"); r.Header.Get("X-RateLimit-Limit") != "" {
		t.Fatal("unlimited route has rate-limit headers")
	}
	seq("/login", 200, 200, 429)

	// App level: unmatched paths count too, so scanning is limited.
	app2 := nexios.New(nexios.Config{})
	app2.Use(must(t, cfg))
	app2.Get("/x", ok)
	c2 := testclient.New(app2)
	if r := c2.Get("/missing"); r.Status != 404 || r.Header.Get("X-RateLimit-Remaining") != "1" {
		t.Fatalf("404: %d %v", r.Status, r.Header)
	}
	if r := c2.Get("/x"); r.Status != 200 {
		t.Fatalf("/x: %d", r.Status)
	}
	if r := c2.Get("/x"); r.Status != 429 {
		t.Fatalf("/x over the limit: %d", r.Status)
	}
}

func TestKeysIndependent(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	app.Use(must(t, ratelimit.Config{Limit: 1, Now: newClock().Now}))
	app.Get("/", ok)
	a := testclient.New(app, testclient.WithRemoteAddr("10.0.0.1:1000"))
	a2 := testclient.New(app, testclient.WithRemoteAddr("10.0.0.1:2000")) // same IP, other port
	b := testclient.New(app, testclient.WithRemoteAddr("10.0.0.2:1000"))
	if a.Get("/").Status != 200 || a2.Get("/").Status != 429 || a.Get("/").Status != 429 {
		t.Fatal("one IP was not limited across ports")
	}
	if b.Get("/").Status != 200 {
		t.Fatal("another IP shared the quota")
	}
	// ByHeader: each API key its own quota.
	app2 := nexios.New(nexios.Config{})
	app2.Use(must(t, ratelimit.Config{Limit: 1, KeyFunc: ratelimit.ByHeader("x-api-key"), Now: newClock().Now}))
	app2.Get("/", ok)
	c := testclient.New(app2)
	for _, tt := range []struct {
		key  string
		want int
	}{{"k1", 200}, {"k2", 200}, {"k1", 429}, {"", 400}} {
		var opts []testclient.RequestOption
		if tt.key != "" {
			opts = append(opts, testclient.Header("X-API-Key", tt.key))
		}
		if r := c.Get("/", opts...); r.Status != tt.want {
			t.Fatalf("key %q: %d, want %d (%s)", tt.key, r.Status, tt.want, r.Text())
		}
	}
}

// TestCustomErrorHandler: the 429 is an error the app's handlers render.
func TestCustomErrorHandler(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{})
	nexios.HandleError(app, func(_ *nexios.Request, res *nexios.Response, err *ratelimit.ExceededError) error {
		res.Header().Set("Retry-After", "7")
		return res.Status(429).JSON(map[string]any{"error": "slow down", "remaining": err.Result.Remaining})
	})
	app.Use(must(t, ratelimit.Config{Limit: 1, Now: newClock().Now}))
	app.Get("/", ok)
	c := testclient.New(app)
	c.Get("/")
	r := c.Get("/")
	if r.Status != 429 || r.Text() != `{"error":"slow down","remaining":0}`+"\n" || r.Header.Get("Retry-After") != "7" {
		t.Fatalf("%d %q %v", r.Status, r.Text(), r.Header)
	}
}

// TestSharedLimiter: two routes with one Limiter share one quota, which
// code outside HTTP sees too.
func TestSharedLimiter(t *testing.T) {
	t.Parallel()
	lim, err := ratelimit.NewLimiter(ratelimit.LimiterConfig{Limit: 3, Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	mw := must(t, ratelimit.Config{Limiter: lim})
	app := nexios.New(nexios.Config{})
	app.Post("/login", ok, nexios.WithMiddleware(mw))
	app.Post("/reset-password", ok, nexios.WithMiddleware(mw))
	c := testclient.New(app)
	if c.Post("/login").Status != 200 || c.Post("/reset-password").Status != 200 {
		t.Fatal("rejected under the limit")
	}
	r, err := lim.Peek(context.Background(), testclient.DefaultRemoteAddr[:strings.IndexByte(testclient.DefaultRemoteAddr, ':')])
	if err != nil || r.Remaining != 1 {
		t.Fatalf("Peek: %+v %v", r, err)
	}
	if c.Post("/login").Status != 200 || c.Post("/reset-password").Status != 429 {
		t.Fatal("shared quota not enforced")
	}
}
