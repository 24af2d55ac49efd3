package jobs_test

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
	"github.com/nexios-go/nexios/jobs"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild()) // the process a crash test kills
	}
	// The tests mostly wait: for polls, backoffs, leader terms. Run more
	// of them at once than the default (GOMAXPROCS), unless -parallel is
	// given.
	flag.Parse()
	if !flagSet("test.parallel") {
		_ = flag.Set("test.parallel", "8")
	}
	goleak.VerifyTestMain(m)
}

func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// quiet is the logger of clients whose failures are expected.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// each runs fn on a fresh SQLite and a fresh PostgreSQL database with
// River's tables, in parallel.
func each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			fn(t, openDB(t, dialect))
		})
	}
}

// openDB returns a fresh database of the dialect with River's tables.
func openDB(t testing.TB, dialect db.Dialect) *db.DB {
	t.Helper()
	d := dbtest.Open(t, dialect, nil)
	if err := jobs.Migrate(t.Context(), d); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return d
}

// fast are settings that make tests quick: short polling and backoff.
func fast(cfg jobs.Config) jobs.Config {
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 50 * time.Millisecond
	}
	if cfg.FetchCooldown == 0 {
		cfg.FetchCooldown = 10 * time.Millisecond
	}
	if cfg.Backoff == nil {
		cfg.Backoff = func(int) time.Duration { return 50 * time.Millisecond }
	}
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	return cfg
}

// newClient returns a client with fast settings on which register adds
// workers; it is stopped when the test ends.
func newClient(t testing.TB, d *db.DB, cfg jobs.Config, register func(c *jobs.Client)) *jobs.Client {
	t.Helper()
	c, err := jobs.New(d, fast(cfg))
	if err != nil {
		t.Fatalf("jobs.New: %v", err)
	}
	if register != nil {
		register(c)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := c.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return c
}

// start starts c.
func start(t testing.TB, c *jobs.Client) {
	t.Helper()
	if err := c.Start(t.Context()); err != nil {
		t.Fatalf("start: %v", err)
	}
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// waitState waits until job id is in one of the states and returns it.
func waitState(t testing.TB, m jobs.Manager, id int64, timeout time.Duration, states ...jobs.State) *jobs.Info {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last *jobs.Info
	for {
		info, err := m.Get(context.Background(), id)
		if err != nil {
			t.Fatalf("get %d: %v", id, err)
		}
		last = info
		for _, s := range states {
			if info.State == s {
				return info
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d is %s after %s, want %v (errors %v)", id, last.State, timeout, states, last.Errors)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// counter counts calls per key, safely across workers.
type counter struct {
	mu sync.Mutex
	n  map[int64]int
}

func (c *counter) add(k int64) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[int64]int{}
	}
	c.n[k]++
	return c.n[k]
}

func (c *counter) get(k int64) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[k]
}

// Args types of the tests.

type ping struct {
	N int `json:"n"`
}

func (ping) Kind() string { return "ping" }

type welcome struct {
	UserID int64 `json:"user_id"`
}

func (welcome) Kind() string { return "welcome" }
