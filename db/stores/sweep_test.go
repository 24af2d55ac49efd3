package stores_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/stores"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/session"
)

func count(t *testing.T, d *db.DB, table string) int {
	t.Helper()
	var n int
	if err := d.SQL().QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// fill writes one short-lived and one long-lived entry to every store.
func fill(t *testing.T, d *db.DB, short time.Duration) (sessionToken string) {
	t.Helper()
	ctx := context.Background()
	sessions := stores.NewSessionStore(d)
	revocations := stores.NewRevocationList(d)
	throttle := stores.NewThrottleStore(d)
	limits := stores.NewRateLimitStore(d, stores.RateLimitConfig{})
	c := stores.NewCache(d)
	for i, ttl := range []time.Duration{short, time.Hour} {
		rec := &session.Record{Values: map[string]any{"i": i}, CreatedAt: time.Now(), LastSeen: time.Now()}
		tok, err := sessions.Save(ctx, "", rec, ttl)
		if err != nil {
			t.Fatal(err)
		}
		sessionToken = tok
		key := string(rune('a' + i))
		must(t, errOf(revocations.RevokeOnce(ctx, key, time.Now().Add(ttl))))
		must(t, revocations.RevokeFamily(ctx, key, time.Now().Add(ttl)))
		must(t, revocations.RevokeSubject(ctx, key, time.Now(), time.Now().Add(ttl)))
		must(t, errOf(throttle.Reserve(ctx, key, 5, ttl)))
		must(t, errOf(limits.Take(ctx, key, time.Now(), ratelimit.Policy{Algorithm: ratelimit.FixedWindow, Limit: 5, Window: ttl}, 1)))
		must(t, c.Set(ctx, key, []byte("v"), ttl))
	}
	return sessionToken
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func errOf[T any](_ T, err error) error { return err }

var tables = []string{"nexios_sessions", "nexios_revocations", "nexios_throttle", "nexios_rate_limits", "nexios_cache"}

// Sweep deletes what has expired, and only that.
func TestSweep(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const short = 300 * time.Millisecond
		// Start early in a fixed window (aligned to the Unix epoch): the
		// rate limit's short-lived row then lives ≈ 290 ms, not anywhere
		// between 0 and 300.
		time.Sleep(time.Until(time.Now().Truncate(short).Add(short + 10*time.Millisecond)))
		start := time.Now()
		live := fill(t, d, short)
		before := map[string]int{}
		for _, tb := range tables {
			before[tb] = count(t, d, tb)
		}
		early, err := stores.Sweep(ctx, d, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Nothing had expired, unless the machine was too slow to get
		// here within the shortest lifetime (a loaded CI run): then the
		// early sweep may have taken some, and the two sweeps together
		// must still take exactly the expired rows.
		if early != 0 && time.Since(start) < 250*time.Millisecond {
			t.Fatalf("Sweep before anything expired = %d", early)
		}
		time.Sleep(time.Second) // every short lifetime has ended
		n, err := stores.Sweep(ctx, d, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Per store one short-lived row each: 1 session, 3 revocations,
		// 1 throttle window, 1 rate-limit key, 1 cache entry.
		if early+n != 7 {
			t.Fatalf("the sweeps deleted %d + %d rows, want 7", early, n)
		}
		for _, tb := range tables {
			want := before[tb] - 1
			if tb == "nexios_revocations" {
				want = before[tb] - 3
			}
			if got := count(t, d, tb); got != want {
				t.Fatalf("%s: %d rows after the sweep, want %d", tb, got, want)
			}
		}
		if _, err := stores.NewSessionStore(d).Load(ctx, live); err != nil {
			t.Fatalf("a live session after the sweep: %v", err)
		}
		if revoked, err := stores.NewRevocationList(d).IsRevoked(ctx, auth.RevocationCheck{JTI: "b"}); err != nil || !revoked {
			t.Fatalf("a live revocation after the sweep: %v %v", revoked, err)
		}
	})
}

// The Sweeper sweeps from the app's start-up to its shutdown, and stops.
func TestSweeperAttach(t *testing.T) {
	t.Parallel()
	d := open(t, "sqlite-file")
	fill(t, d, 50*time.Millisecond)
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	sw := stores.NewSweeper(d, stores.SweeperConfig{Interval: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	sw.Attach(app)
	if err := app.Startup(context.Background()); err != nil {
		t.Fatal(err)
	}
	sw.Start() // already running: nothing happens
	waitFor(t, "the sweep of expired sessions", func() bool { return count(t, d, "nexios_sessions") == 1 })
	if err := app.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	sw.Stop() // already stopped
}

// A store called inside a transaction of its database joins it: on SQLite
// it would otherwise wait for the writer connection the transaction
// holds; everywhere its writes commit or roll back with the transaction.
func TestStoresJoinTransactions(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		l := stores.NewRevocationList(d)
		rollback := errors.New("rollback")
		err := d.Tx(ctx, func(ctx context.Context) error {
			if first, err := l.RevokeOnce(ctx, "in-tx", time.Now().Add(time.Hour)); err != nil || !first {
				t.Fatalf("RevokeOnce in a transaction: %v %v", first, err)
			}
			if r, err := l.IsRevoked(ctx, auth.RevocationCheck{JTI: "in-tx"}); err != nil || !r {
				t.Fatalf("IsRevoked in the same transaction: %v %v", r, err)
			}
			limits := stores.NewRateLimitStore(d, stores.RateLimitConfig{})
			if _, err := limits.Take(ctx, "in-tx", time.Now(), ratelimit.Policy{Limit: 1, Window: time.Hour}, 1); err != nil {
				t.Fatalf("Take in a transaction: %v", err)
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		if r, err := l.IsRevoked(ctx, auth.RevocationCheck{JTI: "in-tx"}); err != nil || r {
			t.Fatalf("a revocation rolled back with its transaction: %v %v", r, err)
		}
		must(t, d.Tx(ctx, func(ctx context.Context) error { return errOf(l.RevokeOnce(ctx, "in-tx", time.Now().Add(time.Hour))) }))
		if r, err := l.IsRevoked(ctx, auth.RevocationCheck{JTI: "in-tx"}); err != nil || !r {
			t.Fatalf("a revocation committed with its transaction: %v %v", r, err)
		}
	})
}

// The migration goes down and up again cleanly on both databases.
func TestMigrationRoundTrip(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			var d *db.DB
			if kind == "sqlite" {
				var err error
				d, err = db.Open(context.Background(), "sqlite::memory:")
				must(t, err)
				t.Cleanup(func() { _ = d.Close() })
			} else {
				_, ds := postgresURLs(t, 1)
				d = ds[0]
			}
			m, err := d.Migrator(nil, db.WithGoMigrations(stores.Migration(1)), db.WithVersionTable(stores.VersionTable))
			must(t, err)
			must(t, m.RoundTrip(context.Background()))
			must(t, stores.Migrate(context.Background(), d)) // up to date: nothing to do
		})
	}
}
