package stores_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/stores"
	"github.com/nexios-go/nexios/middleware/ratelimit"
)

// The store and Policy.Apply (through the MemoryStore) agree on every
// field of every result, for random policies and request sequences, with
// times near today's, irregular windows, windows of years and clocks that
// step back. On PostgreSQL this checks the PL/pgSQL port of Apply; on
// SQLite the store around Apply (expiry, deletion, algorithm changes).
func TestRateLimitMatchesPolicy(t *testing.T) {
	t.Parallel()
	eachOf(t, []string{"sqlite", "postgres"}, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		seed := uint64(time.Now().UnixNano())
		rng := rand.New(rand.NewPCG(2, seed))
		windows := []time.Duration{time.Nanosecond, 7, 999_999_937, time.Second, 1500 * time.Millisecond,
			time.Minute + 13, time.Hour, 24 * time.Hour, 40*24*time.Hour + 12345, 9 * 366 * 24 * time.Hour}
		limits := []int{1, 2, 3, 10, 97, 1000, 1_000_000_007, 1<<53 + 5}
		cases := 80
		if testing.Short() || d.Dialect() == db.SQLite {
			cases = 20 // SQLite runs Policy.Apply itself: this checks the store around it
		}
		store := stores.NewRateLimitStore(d, stores.RateLimitConfig{Clock: stores.CallerClock})
		for c := range cases {
			p := ratelimit.Policy{
				Algorithm: ratelimit.Algorithm(rng.IntN(3)),
				Limit:     limits[rng.IntN(len(limits))],
				Window:    windows[rng.IntN(len(windows))],
			}
			if p.Algorithm == ratelimit.TokenBucket && rng.IntN(2) == 0 {
				p.Burst = 1 + rng.IntN(50)
			}
			if p.Validate() != nil {
				continue
			}
			mem := ratelimit.NewMemoryStore(ratelimit.MemoryConfig{})
			key := "diff-" + string(rune('a'+c%26)) + time.Now().String()
			now := time.Unix(0, 1_700_000_000_000_000_000+rng.Int64N(1e17))
			for i := range 40 {
				step := time.Duration(rng.Int64N(int64(p.Window)/max(int64(p.Limit)/4, 1) + 2))
				switch rng.IntN(10) {
				case 0:
					step = -step / 3
				case 1:
					step = p.Window + step
				case 2:
					step = 0
				}
				now = now.Add(step)
				if now.UnixNano() > math.MaxInt64/2 {
					// Long windows step far: stay within the instants the
					// policies support, by stepping back. Validate keeps a
					// bucket's span under MaxInt64/2, so no instant before
					// MaxInt64/2 ns (the year 2116) overflows an int64 —
					// beyond it, PostgreSQL's bigint would say so and Go
					// would wrap.
					now = now.Add(-3e18)
				}
				n := rng.IntN(min(p.Capacity(), 3) + 1)
				if rng.IntN(20) == 0 {
					n = p.Capacity() // all at once
				}
				want, err := mem.Take(ctx, key, now, p, n)
				if err != nil {
					t.Fatal(err)
				}
				got, err := store.Take(ctx, key, now, p, n)
				if err != nil {
					t.Fatalf("seed %d case %d %+v: %v", seed, c, p, err)
				}
				if got != want {
					t.Fatalf("seed %d case %d, policy %+v, request %d (now %d, cost %d):\nstore  %+v\nmemory %+v",
						seed, c, p, i, now.UnixNano(), n, got, want)
				}
			}
		}
	})
}

// A key written under one algorithm and read under another starts afresh,
// as in the memory store.
func TestRateLimitAlgorithmChange(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := stores.NewRateLimitStore(d, stores.RateLimitConfig{})
		fixed := ratelimit.Policy{Algorithm: ratelimit.FixedWindow, Limit: 1, Window: time.Hour}
		if r, err := s.Take(ctx, "k", time.Now(), fixed, 1); err != nil || !r.Allowed {
			t.Fatalf("first: %+v %v", r, err)
		}
		if r, err := s.Take(ctx, "k", time.Now(), fixed, 1); err != nil || r.Allowed {
			t.Fatalf("second: %+v %v", r, err)
		}
		bucket := ratelimit.Policy{Algorithm: ratelimit.TokenBucket, Limit: 1, Window: time.Hour}
		if r, err := s.Take(ctx, "k", time.Now(), bucket, 1); err != nil || !r.Allowed {
			t.Fatalf("another algorithm: %+v %v", r, err)
		}
	})
}

func TestRateLimitInvalid(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := stores.NewRateLimitStore(d, stores.RateLimitConfig{})
		if _, err := s.Take(ctx, "k", time.Now(), ratelimit.Policy{Limit: 0, Window: time.Second}, 1); err == nil {
			t.Error("an invalid policy was accepted")
		}
		for _, n := range []int{-1, 3} {
			r, err := s.Take(ctx, "k", time.Now(), ratelimit.Policy{Limit: 2, Window: time.Second}, n)
			if err != nil || r.Allowed || r.Limit != 2 {
				t.Errorf("cost %d: %+v %v", n, r, err)
			}
		}
		// A key of any length and bytes is a key.
		long := string(make([]byte, 5000)) + "\xff"
		p := ratelimit.Policy{Limit: 1, Window: time.Hour}
		if r, err := s.Take(ctx, long, time.Now(), p, 1); err != nil || !r.Allowed {
			t.Fatalf("a 5,000-byte key: %+v %v", r, err)
		}
		if r, err := s.Take(ctx, long, time.Now(), p, 1); err != nil || r.Allowed {
			t.Fatalf("a 5,000-byte key again: %+v %v", r, err)
		}
		if r, err := s.Take(ctx, long[:4999]+"\xfe", time.Now(), p, 1); err != nil || !r.Allowed {
			t.Fatalf("another long key: %+v %v", r, err)
		}
	})
}
