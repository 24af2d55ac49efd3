package storetest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios/middleware/ratelimit"
)

// RateLimitStore runs the conformance suite for a ratelimit.Store.
// newStore returns the store under test; it is called once per subtest.
// The store may count with its own clock (a Redis server's TIME) rather
// than the time passed to Take, so the suite passes the real time and
// checks what holds either way.
//
// It checks, for each algorithm: 100 goroutines × Take(1) against a limit
// of 50 admit exactly 50; sequential Takes count down Remaining and the
// first refused one says when to retry, within the window; a read (cost 0)
// counts nothing; a cost of n counts n; Reset restores the quota; keys are
// independent; a fixed window ends and the quota comes back; a token
// bucket admits its Burst back to back and refills at Limit per Window.
func RateLimitStore(t *testing.T, newStore func(t *testing.T) ratelimit.Store) {
	t.Helper()
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, s ratelimit.Store)
	}{
		{"Concurrent", rateConcurrent},
		{"Sequential", rateSequential},
		{"PeekAndCost", ratePeekAndCost},
		{"Reset", rateReset},
		{"KeysIndependent", rateKeys},
		{"WindowEnds", rateWindowEnds},
		{"TokenBucketRefill", rateBucketRefill},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newStore(t))
		})
	}
}

var algorithms = []ratelimit.Algorithm{ratelimit.SlidingWindow, ratelimit.FixedWindow, ratelimit.TokenBucket}

func take(t *testing.T, s ratelimit.Store, key string, p ratelimit.Policy, n int, want bool, what string) ratelimit.Result {
	t.Helper()
	r, err := s.Take(ctx, key, time.Now(), p, n)
	if err != nil {
		t.Fatalf("%s: Take: %v", what, err)
	}
	if r.Allowed != want {
		t.Fatalf("%s (%v): Allowed = %v, want %v (%+v)", what, p.Algorithm, r.Allowed, want, r)
	}
	if r.Limit != p.Capacity() {
		t.Fatalf("%s: Limit = %d, want %d", what, r.Limit, p.Capacity())
	}
	return r
}

// 100 goroutines × Take(1) against a limit of 50 admit exactly 50.
func rateConcurrent(t *testing.T, s ratelimit.Store) {
	for _, alg := range algorithms {
		for round := range 2 {
			p := ratelimit.Policy{Algorithm: alg, Limit: 50, Window: time.Hour}
			key := unique("race")
			var admitted, errs atomic.Int32
			together(100, func(int) {
				r, err := s.Take(ctx, key, time.Now(), p, 1)
				switch {
				case err != nil:
					errs.Add(1)
				case r.Allowed:
					admitted.Add(1)
				}
			})
			if admitted.Load() != 50 || errs.Load() != 0 {
				t.Fatalf("%v round %d: 100 concurrent Take(1), limit 50: %d admitted, %d errors; want exactly 50, no errors",
					alg, round, admitted.Load(), errs.Load())
			}
		}
	}
}

func rateSequential(t *testing.T, s ratelimit.Store) {
	for _, alg := range algorithms {
		p := ratelimit.Policy{Algorithm: alg, Limit: 3, Window: time.Hour}
		key := unique("seq")
		for i := range 3 {
			r := take(t, s, key, p, 1, true, "within the limit")
			if r.Remaining != 2-i {
				t.Fatalf("%v: request %d: Remaining %d, want %d", alg, i+1, r.Remaining, 2-i)
			}
			if r.Reset <= 0 || r.Reset > 2*time.Hour || r.RetryAfter != 0 {
				t.Fatalf("%v: request %d: Reset %v, RetryAfter %v", alg, i+1, r.Reset, r.RetryAfter)
			}
		}
		r := take(t, s, key, p, 1, false, "over the limit")
		if r.RetryAfter <= 0 || r.RetryAfter > 2*time.Hour || r.Remaining != 0 {
			t.Fatalf("%v: refused: RetryAfter %v, Remaining %d", alg, r.RetryAfter, r.Remaining)
		}
	}
}

func ratePeekAndCost(t *testing.T, s ratelimit.Store) {
	for _, alg := range algorithms {
		p := ratelimit.Policy{Algorithm: alg, Limit: 5, Window: time.Hour}
		key := unique("peek")
		for range 3 {
			if r := take(t, s, key, p, 0, true, "a read of a fresh key"); r.Remaining != 5 {
				t.Fatalf("%v: read: Remaining %d, want 5", alg, r.Remaining)
			}
		}
		if r := take(t, s, key, p, 3, true, "cost 3"); r.Remaining != 2 {
			t.Fatalf("%v: after cost 3: Remaining %d, want 2", alg, r.Remaining)
		}
		take(t, s, key, p, 3, false, "cost 3 with 2 left")
		if r := take(t, s, key, p, 0, true, "a read with 2 left"); r.Remaining != 2 {
			t.Fatalf("%v: read: Remaining %d, want 2", alg, r.Remaining)
		}
		take(t, s, key, p, 2, true, "cost 2 with 2 left")
		if r := take(t, s, key, p, 0, false, "a read with none left"); r.RetryAfter <= 0 {
			t.Fatalf("%v: read with none left: RetryAfter %v", alg, r.RetryAfter)
		}
	}
}

func rateReset(t *testing.T, s ratelimit.Store) {
	for _, alg := range algorithms {
		p := ratelimit.Policy{Algorithm: alg, Limit: 1, Window: time.Hour}
		key := unique("reset")
		take(t, s, key, p, 1, true, "first")
		take(t, s, key, p, 1, false, "second")
		must(t, s.Reset(ctx, key))
		take(t, s, key, p, 1, true, "after Reset")
		must(t, s.Reset(ctx, unique("unknown")))
	}
}

func rateKeys(t *testing.T, s ratelimit.Store) {
	p := ratelimit.Policy{Limit: 1, Window: time.Hour}
	a, b := unique("a"), unique("b")
	take(t, s, a, p, 1, true, "key a")
	take(t, s, a, p, 1, false, "key a again")
	take(t, s, b, p, 1, true, "key b")
	must(t, s.Reset(ctx, b))
	take(t, s, a, p, 1, false, "key a after resetting b")
}

// takeBy is take for a call that must complete by deadline for want to
// hold: it reports false, asserting nothing, if it did not.
func takeBy(t *testing.T, s ratelimit.Store, key string, p ratelimit.Policy, deadline time.Time, want bool, what string) (ratelimit.Result, bool) {
	t.Helper()
	r, err := s.Take(ctx, key, time.Now(), p, 1)
	if err != nil {
		t.Fatalf("%s: Take: %v", what, err)
	}
	if time.Now().After(deadline) {
		return r, false
	}
	if r.Allowed != want {
		t.Fatalf("%s (%v): Allowed = %v, want %v (%+v)", what, p.Algorithm, r.Allowed, want, r)
	}
	return r, true
}

// A fixed window (aligned to the Unix epoch) ends, and the quota is back.
func rateWindowEnds(t *testing.T, s ratelimit.Store) {
	const w = 400 * time.Millisecond
	p := ratelimit.Policy{Algorithm: ratelimit.FixedWindow, Limit: 2, Window: w}
	timed(t, func() bool {
		// Start early in a window, so that the test's clock and the
		// store's agree on which window it is.
		next := time.Now().Truncate(w).Add(w + 20*time.Millisecond)
		sleepUntil(next)
		end := next.Truncate(w).Add(w)
		key := unique("window")
		for _, what := range []string{"1", "2"} {
			if _, ok := takeBy(t, s, key, p, end, true, what); !ok {
				return false
			}
		}
		r, ok := takeBy(t, s, key, p, end, false, "3")
		if !ok {
			return false
		}
		if r.RetryAfter <= 0 || r.RetryAfter > w {
			t.Fatalf("RetryAfter %v, want within (0, %v]", r.RetryAfter, w)
		}
		sleepUntil(end.Add(50 * time.Millisecond))
		_, ok = takeBy(t, s, key, p, end.Add(w), true, "in the next window")
		return ok
	})
}

// A token bucket of Burst 3 refilled at 10 per second: 3 back to back,
// then one every 100 ms.
func rateBucketRefill(t *testing.T, s ratelimit.Store) {
	p := ratelimit.Policy{Algorithm: ratelimit.TokenBucket, Limit: 10, Window: time.Second, Burst: 3}
	timed(t, func() bool {
		key := unique("bucket")
		start := time.Now() // no token comes back before start+100ms
		for range 3 {
			if _, ok := takeBy(t, s, key, p, start.Add(100*time.Millisecond), true, "within the burst"); !ok {
				return false
			}
		}
		r, ok := takeBy(t, s, key, p, start.Add(100*time.Millisecond), false, "after the burst")
		if !ok {
			return false
		}
		if r.RetryAfter <= 0 || r.RetryAfter > 100*time.Millisecond {
			t.Fatalf("RetryAfter %v, want within (0, 100ms]", r.RetryAfter)
		}
		time.Sleep(r.RetryAfter + 30*time.Millisecond)
		take(t, s, key, p, 1, true, "after one refill")
		// The bucket emptied after start: its second token is not due
		// before start+200ms.
		_, ok = takeBy(t, s, key, p, start.Add(200*time.Millisecond), false, "right after that")
		return ok
	})
}
