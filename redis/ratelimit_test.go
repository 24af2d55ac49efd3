package redis_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/redis"
)

// The script and Policy.Apply (through the MemoryStore) must agree on every
// field of every result, for random policies and random request sequences,
// with times near today's (Unix nanoseconds beyond 2^53), irregular windows
// and clocks that step back.
func TestRateLimitScriptMatchesPolicy(t *testing.T) {
	t.Parallel()
	rdb := testClient(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	windows := []time.Duration{time.Nanosecond, 7, 999_999_937, time.Second, 1500 * time.Millisecond,
		time.Minute + 13, time.Hour, 24 * time.Hour, 40*24*time.Hour + 12345}
	cases := 120
	if testing.Short() {
		cases = 30
	}
	for c := range cases {
		p := ratelimit.Policy{
			Algorithm: ratelimit.Algorithm(rng.IntN(3)),
			Limit:     []int{1, 2, 3, 10, 97, 1000, 1_000_000_007}[rng.IntN(7)],
			Window:    windows[rng.IntN(len(windows))],
		}
		if p.Algorithm == ratelimit.TokenBucket && rng.IntN(2) == 0 {
			p.Burst = 1 + rng.IntN(50)
		}
		if p.Validate() != nil || p.Algorithm == ratelimit.TokenBucket &&
			int64(p.Capacity())*max(int64(p.Window)/int64(p.Limit), 1) > int64(redis.MaxWindow) {
			continue
		}
		mem := ratelimit.NewMemoryStore(ratelimit.MemoryConfig{})
		red := redis.NewRateLimitStore(rdb, redis.RateLimitConfig{Prefix: prefix(t), Clock: redis.CallerClock})
		now := time.Unix(0, 1_700_000_000_000_000_000+rng.Int64N(1e17))
		for i := range 60 {
			// Steps around the window's scale, sometimes back in time.
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
			n := rng.IntN(min(p.Capacity(), 3) + 1)
			want, err := mem.Take(ctx, "k", now, p, n)
			if err != nil {
				t.Fatal(err)
			}
			got, err := red.Take(ctx, "k", now, p, n)
			if err != nil {
				t.Fatalf("case %d %+v: %v", c, p, err)
			}
			if got != want {
				t.Fatalf("case %d, policy %+v, request %d (now %d, cost %d):\nredis  %+v\nmemory %+v",
					c, p, i, now.UnixNano(), n, got, want)
			}
		}
	}
}

// 100 goroutines × Take(1) against a limit of 50 admit exactly 50, with
// every algorithm, on the server's clock.
func TestRateLimitConcurrentExact(t *testing.T) {
	t.Parallel()
	rdb := testClient(t)
	s := redis.NewRateLimitStore(rdb, redis.RateLimitConfig{Prefix: prefix(t)})
	for _, alg := range []ratelimit.Algorithm{ratelimit.SlidingWindow, ratelimit.FixedWindow, ratelimit.TokenBucket} {
		p := ratelimit.Policy{Algorithm: alg, Limit: 50, Window: time.Hour}
		var admitted, errs atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 100 {
			wg.Go(func() {
				<-start
				r, err := s.Take(context.Background(), "race-"+alg.String(), time.Now(), p, 1)
				if err != nil {
					errs.Add(1)
				} else if r.Allowed {
					admitted.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		if admitted.Load() != 50 || errs.Load() != 0 {
			t.Errorf("%v: %d admitted, %d errors; want exactly 50", alg, admitted.Load(), errs.Load())
		}
	}
}

func TestRateLimitStoreLimits(t *testing.T) {
	t.Parallel()
	rdb := testClient(t)
	s := redis.NewRateLimitStore(rdb, redis.RateLimitConfig{Prefix: prefix(t)})
	ctx := context.Background()
	if _, err := s.Take(ctx, "k", time.Now(), ratelimit.Policy{Limit: 1, Window: 60 * 24 * time.Hour}, 1); err == nil {
		t.Error("a 60-day window was accepted")
	}
	if _, err := s.Take(ctx, "k", time.Now(), ratelimit.Policy{Limit: 0, Window: time.Second}, 1); err == nil {
		t.Error("an invalid policy was accepted")
	}
	r, err := s.Take(ctx, "k", time.Now(), ratelimit.Policy{Limit: 2, Window: time.Second}, 3)
	if err != nil || r.Allowed || r.Limit != 2 {
		t.Errorf("cost over capacity: %+v %v", r, err)
	}
	caller := redis.NewRateLimitStore(rdb, redis.RateLimitConfig{Prefix: prefix(t), Clock: redis.CallerClock})
	if _, err := caller.Take(ctx, "k", time.Unix(-5, 0), ratelimit.Policy{Limit: 2, Window: time.Second}, 1); err == nil {
		t.Error("a time before 1970 was accepted")
	}
}
