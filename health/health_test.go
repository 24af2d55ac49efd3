package health_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/health"
	"github.com/nexios-go/nexios/internal/leaktest"
	"github.com/nexios-go/nexios/testclient"
)

type doc struct {
	Status string   `json:"status"`
	Notes  []string `json:"notes"`
	Checks map[string][]struct {
		Status        string  `json:"status"`
		ObservedValue float64 `json:"observedValue"`
		ObservedUnit  string  `json:"observedUnit"`
		Output        string  `json:"output"`
	} `json:"checks"`
}

func decode(t *testing.T, r *testclient.Response) doc {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != health.ContentType {
		t.Fatalf("Content-Type = %q, want %q", ct, health.ContentType)
	}
	var d doc
	if err := json.Unmarshal(r.Body, &d); err != nil {
		t.Fatalf("body %q: %v", r.Body, err)
	}
	return d
}

func newApp(t *testing.T, cfg health.Config, appCfg nexios.Config) (*nexios.App, *testclient.Client) {
	t.Helper()
	app := nexios.New(appCfg)
	h, err := health.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.Register(app)
	return app, testclient.New(app)
}

func TestReadiness(t *testing.T) {
	t.Parallel()
	secret := errors.New("dial tcp 10.1.2.3:6379: connection refused")
	operator := func(req *nexios.Request) bool { return req.Header("X-Operator") == "yes" }
	tests := []struct {
		name       string
		checks     []health.Check
		query      string
		operator   bool
		wantCode   int
		wantStatus string
		wantChecks map[string]string // name → status; nil: no details expected
		wantOutput string
	}{
		{name: "no checks", wantCode: 200, wantStatus: "pass"},
		{name: "all pass", checks: []health.Check{
			health.Func("database", func(context.Context) error { return nil }),
			health.Started("jobs", func() bool { return true }),
		}, wantCode: 200, wantStatus: "pass"},
		{name: "one fails, no details", checks: []health.Check{
			health.Func("database", func(context.Context) error { return nil }),
			health.Func("redis", func(context.Context) error { return secret }),
		}, wantCode: 503, wantStatus: "fail"},
		{name: "verbose asked but not allowed", checks: []health.Check{
			health.Func("redis", func(context.Context) error { return secret }),
		}, query: "verbose", wantCode: 503, wantStatus: "fail"},
		{name: "allowed but not asked", checks: []health.Check{
			health.Func("redis", func(context.Context) error { return secret }),
		}, operator: true, wantCode: 503, wantStatus: "fail"},
		{name: "verbose and allowed", checks: []health.Check{
			health.Func("database", func(context.Context) error { return nil }),
			health.Func("redis", func(context.Context) error { return secret }),
		}, query: "verbose", operator: true, wantCode: 503, wantStatus: "fail",
			wantChecks: map[string]string{"database": "pass", "redis": "fail"}, wantOutput: secret.Error()},
		{name: "optional failure warns", checks: []health.Check{
			{Name: "cache", Check: func(context.Context) error { return secret }, Optional: true},
		}, query: "verbose", operator: true, wantCode: 200, wantStatus: "warn",
			wantChecks: map[string]string{"cache": "warn"}},
		{name: "not started", checks: []health.Check{
			health.Started("jobs", func() bool { return false }),
		}, query: "verbose", operator: true, wantCode: 503, wantStatus: "fail",
			wantChecks: map[string]string{"jobs": "fail"}, wantOutput: health.ErrNotStarted.Error()},
		{name: "panic is a failure", checks: []health.Check{
			health.Func("boom", func(context.Context) error { panic("boom") }),
		}, query: "verbose", operator: true, wantCode: 503, wantStatus: "fail",
			wantChecks: map[string]string{"boom": "fail"}, wantOutput: "panicked"},
		{name: "timeout is a failure even when the check ignores its context", checks: []health.Check{
			{Name: "slow", Check: func(context.Context) error { time.Sleep(300 * time.Millisecond); return nil }, Timeout: 20 * time.Millisecond},
		}, query: "verbose", operator: true, wantCode: 503, wantStatus: "fail",
			wantChecks: map[string]string{"slow": "fail"}, wantOutput: "no answer within 20ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, c := newApp(t, health.Config{Checks: tt.checks, Verbose: operator}, nexios.Config{})
			var opts []testclient.RequestOption
			if tt.query != "" {
				opts = append(opts, testclient.Query(tt.query, ""))
			}
			if tt.operator {
				opts = append(opts, testclient.Header("X-Operator", "yes"))
			}
			r := c.Get("/readyz", opts...)
			if r.Status != tt.wantCode {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.wantCode, r.Body)
			}
			d := decode(t, r)
			if d.Status != tt.wantStatus {
				t.Errorf("status %q, want %q", d.Status, tt.wantStatus)
			}
			if tt.wantChecks == nil {
				if d.Checks != nil || strings.Contains(string(r.Body), "10.1.2.3") {
					t.Errorf("details leaked without permission: %s", r.Body)
				}
				return
			}
			for name, want := range tt.wantChecks {
				got := d.Checks[name]
				if len(got) != 1 || got[0].Status != want || got[0].ObservedUnit != "ms" {
					t.Errorf("check %s = %+v, want status %s", name, got, want)
				}
			}
			if tt.wantOutput != "" && !strings.Contains(string(r.Body), tt.wantOutput) {
				t.Errorf("body %s does not contain %q", r.Body, tt.wantOutput)
			}
		})
	}
}

func TestVerboseDefaultsToDebug(t *testing.T) {
	t.Parallel()
	fail := []health.Check{health.Func("db", func(context.Context) error { return errors.New("down") })}
	for _, debug := range []bool{false, true} {
		_, c := newApp(t, health.Config{Checks: fail}, nexios.Config{Debug: debug})
		d := decode(t, c.Get("/readyz?verbose"))
		if got := d.Checks != nil; got != debug {
			t.Errorf("debug=%v: details shown = %v", debug, got)
		}
	}
}

func TestLiveness(t *testing.T) {
	t.Parallel()
	var called atomic.Bool
	app, c := newApp(t, health.Config{Checks: []health.Check{
		health.Func("db", func(context.Context) error { called.Store(true); return errors.New("down") }),
	}}, nexios.Config{})
	r := c.Get("/livez")
	if r.Status != 200 || decode(t, r).Status != "pass" || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("livez: %d %s", r.Status, r.Body)
	}
	if called.Load() {
		t.Error("liveness ran a readiness check")
	}
	// Liveness keeps passing while the app shuts down: failing it would
	// make the orchestrator kill a process that is finishing its work.
	if err := app.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := c.Get("/livez"); r.Status != 200 {
		t.Fatalf("livez during shutdown: %d", r.Status)
	}
	if r := c.Get("/readyz"); r.Status != 503 {
		t.Fatalf("readyz during shutdown: %d", r.Status)
	}
}

func TestReadyFailsWhenStopping(t *testing.T) {
	t.Parallel()
	app, c := newApp(t, health.Config{Verbose: func(*nexios.Request) bool { return true }}, nexios.Config{})
	if r := c.Get("/readyz"); r.Status != 200 {
		t.Fatalf("before: %d", r.Status)
	}
	if err := app.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := c.Get("/readyz?verbose")
	d := decode(t, r)
	if r.Status != 503 || d.Status != "fail" || len(d.Notes) != 1 || d.Notes[0] != "shutting down" {
		t.Fatalf("after: %d %s", r.Status, r.Body)
	}
}

func TestCacheAndSharedRuns(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	release := make(chan struct{})
	_, c := newApp(t, health.Config{CacheTTL: time.Hour, Checks: []health.Check{
		health.Func("db", func(context.Context) error {
			runs.Add(1)
			<-release
			return nil
		}),
	}}, nexios.Config{})
	// Probes racing while a run is in progress all wait for that run.
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Go(func() { codes[i] = c.Get("/readyz").Status })
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	for i, code := range codes {
		if code != 200 {
			t.Errorf("probe %d: %d", i, code)
		}
	}
	c.Get("/readyz") // cached
	if n := runs.Load(); n != 1 {
		t.Errorf("checks ran %d times, want 1", n)
	}
}

func TestNoCache(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	_, c := newApp(t, health.Config{CacheTTL: -1, Checks: []health.Check{
		health.Func("db", func(context.Context) error { runs.Add(1); return nil }),
	}}, nexios.Config{})
	for range 3 {
		c.Get("/readyz")
	}
	if n := runs.Load(); n != 3 {
		t.Errorf("checks ran %d times, want 3", n)
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	ok := func(context.Context) error { return nil }
	for _, cfg := range []health.Config{
		{Checks: []health.Check{{Check: ok}}},
		{Checks: []health.Check{{Name: "a", Check: ok}, {Name: "a", Check: ok}}},
		{Checks: []health.Check{{Name: "a"}}},
		{Checks: []health.Check{{Name: "a", Check: ok, Timeout: -1}}},
		{Timeout: -time.Second},
	} {
		if _, err := health.New(cfg); err == nil {
			t.Errorf("New(%+v) = nil error", cfg)
		}
	}
}

func TestCustomPathsAndHead(t *testing.T) {
	t.Parallel()
	_, c := newApp(t, health.Config{LivePath: "/healthz/live", ReadyPath: "/healthz/ready"}, nexios.Config{})
	if r := c.Get("/healthz/live"); r.Status != 200 {
		t.Errorf("live: %d", r.Status)
	}
	if r := c.Head("/healthz/ready"); r.Status != 200 || len(r.Body) != 0 {
		t.Errorf("HEAD ready: %d %q", r.Status, r.Body)
	}
	if r := c.Get("/readyz"); r.Status != http.StatusNotFound {
		t.Errorf("default path still served: %d", r.Status)
	}
}

func TestHungCheckDoesNotLeakPastTimeout(t *testing.T) {
	defer leaktest.Check(t)()
	_, c := newApp(t, health.Config{CacheTTL: -1, Checks: []health.Check{
		{Name: "ctx-aware", Timeout: 10 * time.Millisecond, Check: func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		}},
	}}, nexios.Config{})
	if r := c.Get("/readyz"); r.Status != 503 {
		t.Fatalf("status %d", r.Status)
	}
}
