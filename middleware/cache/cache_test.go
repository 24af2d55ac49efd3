package cache_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/cache"
	httpcache "github.com/nexios-go/nexios/middleware/cache"
	"github.com/nexios-go/nexios/testclient"
)

// user is an authenticated user set by a test auth middleware.
type user string

func (u user) IsAuthenticated() bool { return true }
func (u user) Identity() string      { return string(u) }
func (u user) DisplayName() string   { return string(u) }
func (u user) Scopes() []string      { return nil }

// fixture is an app whose routes count their calls.
type fixture struct {
	app   *nexios.App
	c     *testclient.Client
	calls atomic.Int32
	clock *clock
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newFixture(t *testing.T, cfg httpcache.Config) *fixture {
	t.Helper()
	f := &fixture{clock: &clock{t: time.Now()}}
	if cfg.Cache == nil {
		cfg.Cache = cache.NewMemory(cache.MemoryConfig{Now: f.clock.Now})
	}
	f.app = nexios.New(nexios.Config{})
	// A stand-in auth middleware: "X-User: name" authenticates, outside
	// the cache; "X-Late-User" authenticates inside it.
	f.app.Use(func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			if u := req.Header("X-User"); u != "" {
				nexios.UserKey.Set(req, user(u))
			}
			return next(req, res)
		}
	})
	f.app.Use(nexios.Must(httpcache.New(cfg)))
	f.app.Get("/r", func(req *nexios.Request, res *nexios.Response) error {
		n := f.calls.Add(1)
		if u := req.Header("X-Late-User"); u != "" {
			nexios.UserKey.Set(req, user(u))
		}
		for _, h := range req.QueryValues("h") {
			k, v, _ := strings.Cut(h, ":")
			res.Header().Add(k, v)
		}
		if d := req.Query("sleep"); d != "" {
			ms, _ := time.ParseDuration(d)
			time.Sleep(ms)
		}
		who := "anon"
		if u := req.User(); u.IsAuthenticated() {
			who = u.Identity()
		}
		if req.Query("big") != "" {
			return res.Text(strings.Repeat("x", 2<<20))
		}
		return res.Text(fmt.Sprintf("call %d for %s lang %s", n, who, req.Header("Accept-Language")))
	})
	f.c = testclient.New(f.app)
	return f
}

func (f *fixture) get(t *testing.T, path string, opts ...testclient.RequestOption) *testclient.Response {
	t.Helper()
	r := f.c.Get(path, opts...)
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	return r
}

func TestResponseCache(t *testing.T) {
	t.Parallel()
	const public = "/r?h=Cache-Control:public,+max-age=60"
	for _, tc := range []struct {
		name      string
		cfg       httpcache.Config
		path      string
		first     []testclient.RequestOption
		second    []testclient.RequestOption
		wantCalls int32 // handler calls for the two requests
		wantBody  string
	}{
		{name: "public max-age is stored", path: public, wantCalls: 1, wantBody: "call 1 for anon"},
		{name: "s-maxage is stored", path: "/r?h=Cache-Control:s-maxage=60", wantCalls: 1},
		{name: "no freshness, no DefaultTTL", path: "/r", wantCalls: 2},
		{name: "DefaultTTL", cfg: httpcache.Config{DefaultTTL: time.Minute}, path: "/r", wantCalls: 1},
		{name: "private is not shared", path: "/r?h=Cache-Control:private,+max-age=60", wantCalls: 2},
		{name: "no-store", path: "/r?h=Cache-Control:no-store,+max-age=60", wantCalls: 2},
		{name: "no-cache", path: "/r?h=Cache-Control:no-cache,+max-age=60", wantCalls: 2},
		{name: "max-age=0", path: "/r?h=Cache-Control:max-age=0", wantCalls: 2},
		{name: "Set-Cookie is never stored", path: public + "&h=Set-Cookie:sid=secret", wantCalls: 2},
		{name: "Vary *", path: public + "&h=Vary:*", wantCalls: 2},
		{name: "too large", path: public + "&big=1", wantCalls: 2},
		{name: "the query is part of the key", path: public, second: []testclient.RequestOption{testclient.Query("x", "1")}, wantCalls: 2},
		{name: "request no-cache skips the lookup", path: public, second: []testclient.RequestOption{testclient.Header("Cache-Control", "no-cache")}, wantCalls: 2},
		{name: "request no-store is not stored", path: public, first: []testclient.RequestOption{testclient.Header("Cache-Control", "no-store")}, wantCalls: 2},
		{name: "Authorization bypasses the cache", path: public, first: []testclient.RequestOption{testclient.BearerToken("a")}, wantCalls: 2, wantBody: "call 2 for anon"},
		{name: "an authenticated user bypasses the cache", path: public, first: []testclient.RequestOption{testclient.Header("X-User", "ada")}, wantCalls: 2, wantBody: "call 2 for anon"},
		{name: "a session cookie bypasses the cache", path: public, first: []testclient.RequestOption{testclient.Cookie(&http.Cookie{Name: "session_id", Value: "s"})}, wantCalls: 2},
		{name: "a user authenticated inside is not stored", path: public, first: []testclient.RequestOption{testclient.Header("X-Late-User", "ada")}, wantCalls: 2, wantBody: "call 2 for anon"},
		{name: "per user: same user", cfg: httpcache.Config{PerUser: true}, path: "/r?h=Cache-Control:private,+max-age=60",
			first: []testclient.RequestOption{testclient.Header("X-User", "ada")}, second: []testclient.RequestOption{testclient.Header("X-User", "ada")}, wantCalls: 1, wantBody: "call 1 for ada"},
		{name: "per user: another user", cfg: httpcache.Config{PerUser: true}, path: "/r?h=Cache-Control:private,+max-age=60",
			first: []testclient.RequestOption{testclient.Header("X-User", "ada")}, second: []testclient.RequestOption{testclient.Header("X-User", "bob")}, wantCalls: 2, wantBody: "call 2 for bob"},
		{name: "per user: not to the anonymous", cfg: httpcache.Config{PerUser: true}, path: public,
			first: []testclient.RequestOption{testclient.Header("X-User", "ada")}, wantCalls: 2, wantBody: "call 2 for anon"},
		{name: "per user: private is not shared", cfg: httpcache.Config{PerUser: true}, path: "/r?h=Cache-Control:private,+max-age=60", wantCalls: 2},
		{name: "Vary: same value", path: public + "&h=Vary:Accept-Language",
			first: []testclient.RequestOption{testclient.Header("Accept-Language", "fr")}, second: []testclient.RequestOption{testclient.Header("Accept-Language", "fr")}, wantCalls: 1},
		{name: "Vary: other value", path: public + "&h=Vary:Accept-Language",
			first: []testclient.RequestOption{testclient.Header("Accept-Language", "fr")}, second: []testclient.RequestOption{testclient.Header("Accept-Language", "en")}, wantCalls: 2, wantBody: "call 2 for anon lang en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tc.cfg)
			f.get(t, tc.path, tc.first...)
			r := f.get(t, tc.path, tc.second...)
			if r.Status != http.StatusOK {
				t.Fatalf("status %d", r.Status)
			}
			if got := f.calls.Load(); got != tc.wantCalls {
				t.Fatalf("handler called %d times, want %d (second response %q, X-Cache %q)", got, tc.wantCalls, r.Text(), r.Header.Get("X-Cache"))
			}
			if tc.wantBody != "" && !strings.HasPrefix(r.Text(), tc.wantBody) {
				t.Fatalf("second body %q, want %q…", r.Text(), tc.wantBody)
			}
			wantHit := tc.wantCalls == 1
			if hit := r.Header.Get("X-Cache") == "HIT"; hit != wantHit {
				t.Fatalf("X-Cache %q, want hit %v", r.Header.Get("X-Cache"), wantHit)
			}
			if wantHit && (r.Header.Get("Age") == "" || r.Header.Get("Content-Type") == "") {
				t.Fatalf("a hit without Age or Content-Type: %v", r.Header)
			}
		})
	}
}

func TestResponseCacheExpiresAndHEAD(t *testing.T) {
	t.Parallel()
	f := newFixture(t, httpcache.Config{})
	path := "/r?h=Cache-Control:max-age=10"
	f.get(t, path)
	head := f.c.Do("HEAD", path)
	if head.Status != 200 || head.Header.Get("X-Cache") != "HIT" || head.Text() != "" {
		t.Fatalf("HEAD from the cache: %d %q %q", head.Status, head.Header.Get("X-Cache"), head.Text())
	}
	f.clock.Add(11 * time.Second)
	if r := f.get(t, path); r.Header.Get("X-Cache") != "MISS" || f.calls.Load() != 2 {
		t.Fatalf("after max-age: X-Cache %q, %d calls", r.Header.Get("X-Cache"), f.calls.Load())
	}
}

// 20 concurrent misses for one entry run the handler once.
func TestResponseCacheCoalesces(t *testing.T) {
	t.Parallel()
	f := newFixture(t, httpcache.Config{})
	var wg sync.WaitGroup
	var bodies sync.Map
	for i := range 20 {
		wg.Go(func() {
			r := f.c.Get("/r?h=Cache-Control:max-age=60&sleep=100ms")
			bodies.Store(i, r.Text())
		})
	}
	wg.Wait()
	if n := f.calls.Load(); n != 1 {
		t.Fatalf("the handler ran %d times for 20 concurrent requests, want 1", n)
	}
	bodies.Range(func(_, v any) bool {
		if !strings.HasPrefix(v.(string), "call 1 ") {
			t.Errorf("body %q", v)
		}
		return true
	})
}

type brokenCache struct{}

func (brokenCache) Get(context.Context, string) ([]byte, bool, error) {
	return nil, false, errors.New("down")
}
func (brokenCache) Set(context.Context, string, []byte, time.Duration) error {
	return errors.New("down")
}
func (brokenCache) Delete(context.Context, string) error { return errors.New("down") }

func TestResponseCacheFailingCache(t *testing.T) {
	t.Parallel()
	f := newFixture(t, httpcache.Config{Cache: brokenCache{}})
	for range 2 {
		if r := f.get(t, "/r?h=Cache-Control:max-age=60"); r.Status != 200 {
			t.Fatalf("status %d with a failing cache", r.Status)
		}
	}
	if f.calls.Load() != 2 {
		t.Fatalf("%d calls", f.calls.Load())
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	if _, err := httpcache.New(httpcache.Config{}); err == nil {
		t.Error("no Cache accepted")
	}
	if _, err := httpcache.New(httpcache.Config{Cache: cache.NewMemory(cache.MemoryConfig{}), DefaultTTL: -1}); err == nil {
		t.Error("a negative DefaultTTL accepted")
	}
}
