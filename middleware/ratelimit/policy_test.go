package ratelimit

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// base is aligned to every window the tests use (divisible by 3600 s).
var base = time.Unix(1_800_000_000, 0)

type step struct {
	at         time.Duration // since base
	n          int
	allowed    bool
	remaining  int
	reset      time.Duration
	retryAfter time.Duration
}

func runSteps(t *testing.T, p Policy, steps []step) {
	t.Helper()
	var st State
	for i, s := range steps {
		n := s.n
		if n == 0 {
			n = 1
		}
		next, r := p.Apply(st, base.Add(s.at), n)
		if r.Allowed != s.allowed || r.Remaining != s.remaining || r.Reset != s.reset || r.RetryAfter != s.retryAfter {
			t.Fatalf("step %d at %v: got allowed=%v remaining=%d reset=%v retry=%v; want %v %d %v %v",
				i, s.at, r.Allowed, r.Remaining, r.Reset, r.RetryAfter, s.allowed, s.remaining, s.reset, s.retryAfter)
		}
		if !r.Allowed && next != st && (st != State{}) {
			// A rejection may normalise the state (a new window) but never count.
			if next.Count > st.Count && next.Time == st.Time {
				t.Fatalf("step %d: a rejected request was counted: %+v -> %+v", i, st, next)
			}
		}
		st = next
	}
}

func TestFixedWindow(t *testing.T) {
	t.Parallel()
	p := Policy{Algorithm: FixedWindow, Limit: 3, Window: time.Minute}
	runSteps(t, p, []step{
		{at: 0, allowed: true, remaining: 2, reset: time.Minute},
		{at: 10 * time.Second, allowed: true, remaining: 1, reset: 50 * time.Second},
		{at: 20 * time.Second, allowed: true, remaining: 0, reset: 40 * time.Second},
		{at: 30 * time.Second, allowed: false, remaining: 0, reset: 30 * time.Second, retryAfter: 30 * time.Second},
		{at: 60*time.Second - 1, allowed: false, remaining: 0, reset: 1, retryAfter: 1},
		// The window rolls over: the full quota is back at once.
		{at: 60 * time.Second, allowed: true, remaining: 2, reset: time.Minute},
		{at: 61 * time.Second, n: 2, allowed: true, remaining: 0, reset: 59 * time.Second},
		{at: 62 * time.Second, allowed: false, remaining: 0, reset: 58 * time.Second, retryAfter: 58 * time.Second},
		// Two windows later the old count is gone.
		{at: 200 * time.Second, n: 3, allowed: true, remaining: 0, reset: 40 * time.Second},
	})
}

func TestSlidingWindow(t *testing.T) {
	t.Parallel()
	p := Policy{Algorithm: SlidingWindow, Limit: 10, Window: time.Minute}
	runSteps(t, p, []step{
		{at: 0, n: 10, allowed: true, remaining: 0, reset: 2 * time.Minute},
		{at: 30 * time.Second, allowed: false, remaining: 0, reset: 90 * time.Second,
			// Next window: 10×(60−e)/60 + 1 ≤ 10 once e ≥ 6 s.
			retryAfter: 36 * time.Second},
		// Halfway into the next window the previous 10 weigh 5.
		{at: 90 * time.Second, n: 5, allowed: true, remaining: 0, reset: 90 * time.Second},
		// 5×... : 10×(60−e)/60 + 5 + 1 ≤ 10 once e ≥ 36 s, 6 s from now.
		{at: 90 * time.Second, allowed: false, remaining: 0, reset: 90 * time.Second, retryAfter: 6 * time.Second},
		{at: 96*time.Second - 1, allowed: false, remaining: 0, reset: 84*time.Second + 1, retryAfter: 1},
		{at: 96 * time.Second, allowed: true, remaining: 0, reset: 84 * time.Second},
		// Window 3 starts: previous is 6 (weight 1 at its start).
		{at: 120 * time.Second, n: 4, allowed: true, remaining: 0, reset: 2 * time.Minute},
		// Long after, everything has slid out.
		{at: 10 * time.Minute, n: 10, allowed: true, remaining: 0, reset: 2 * time.Minute},
	})
}

func TestTokenBucket(t *testing.T) {
	t.Parallel()
	p := Policy{Algorithm: TokenBucket, Limit: 10, Window: time.Minute} // one per 6 s, burst 10
	runSteps(t, p, []step{
		{at: 0, allowed: true, remaining: 9, reset: 6 * time.Second},
		{at: 0, n: 9, allowed: true, remaining: 0, reset: time.Minute},
		{at: 0, allowed: false, remaining: 0, reset: time.Minute, retryAfter: 6 * time.Second},
		{at: 6*time.Second - 1, allowed: false, remaining: 0, reset: 54*time.Second + 1, retryAfter: 1},
		{at: 6 * time.Second, allowed: true, remaining: 0, reset: time.Minute},
		{at: 30 * time.Second, allowed: true, remaining: 3, reset: 42 * time.Second},
		{at: 10 * time.Minute, allowed: true, remaining: 9, reset: 6 * time.Second},
	})
	burst := Policy{Algorithm: TokenBucket, Limit: 1, Window: time.Second, Burst: 3}
	runSteps(t, burst, []step{
		{at: 0, n: 3, allowed: true, remaining: 0, reset: 3 * time.Second},
		{at: 0, allowed: false, remaining: 0, reset: 3 * time.Second, retryAfter: time.Second},
		{at: 1500 * time.Millisecond, allowed: true, remaining: 0, reset: 2500 * time.Millisecond},
	})
}

// TestRetryAfterIsExact checks, for random traffic, that a rejected request
// is still rejected 1 ns before its RetryAfter and admitted at it.
func TestRetryAfterIsExact(t *testing.T) {
	t.Parallel()
	for _, alg := range []Algorithm{FixedWindow, SlidingWindow, TokenBucket} {
		t.Run(alg.String(), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(1, uint64(alg)))
			for trial := range 200 {
				p := Policy{Algorithm: alg, Limit: 1 + rng.IntN(20), Window: time.Duration(1+rng.IntN(120)) * time.Second}
				now := base.Add(time.Duration(rng.Int64N(int64(time.Hour))))
				var st State
				for range 60 {
					now = now.Add(time.Duration(rng.Int64N(int64(p.Window) / 4)))
					n := 1 + rng.IntN(p.Capacity())
					next, r := p.Apply(st, now, n)
					if r.Remaining < 0 || r.Remaining > p.Capacity() {
						t.Fatalf("trial %d: remaining %d out of range", trial, r.Remaining)
					}
					if r.Allowed {
						st = next
						continue
					}
					if r.RetryAfter <= 0 {
						t.Fatalf("trial %d %+v: rejected with RetryAfter %v", trial, p, r.RetryAfter)
					}
					if _, early := p.Apply(st, now.Add(r.RetryAfter-1), n); early.Allowed {
						t.Fatalf("trial %d %+v n=%d: admitted before RetryAfter %v", trial, p, n, r.RetryAfter)
					}
					if _, on := p.Apply(st, now.Add(r.RetryAfter), n); !on.Allowed {
						t.Fatalf("trial %d %+v n=%d: still rejected at RetryAfter %v", trial, p, n, r.RetryAfter)
					}
				}
			}
		})
	}
}

// TestResetMeansFresh checks the expiry contract stores rely on: once Reset
// has passed, the state behaves like the zero State.
func TestResetMeansFresh(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	for _, alg := range []Algorithm{FixedWindow, SlidingWindow, TokenBucket} {
		p := Policy{Algorithm: alg, Limit: 7, Window: 10 * time.Second}
		for range 500 {
			var st State
			now := base.Add(time.Duration(rng.Int64N(int64(time.Hour))))
			var r Result
			for range 1 + rng.IntN(15) {
				now = now.Add(time.Duration(rng.Int64N(int64(3 * time.Second))))
				st, r = p.Apply(st, now, 1)
			}
			later := now.Add(r.Reset)
			_, got := p.Apply(st, later, 0)
			_, fresh := p.Apply(State{}, later, 0)
			if got.Remaining != fresh.Remaining || !got.Allowed {
				t.Fatalf("%v: after Reset %v remaining %d, fresh %d", alg, r.Reset, got.Remaining, fresh.Remaining)
			}
		}
	}
}

func TestPeekDoesNotCount(t *testing.T) {
	t.Parallel()
	for _, alg := range []Algorithm{FixedWindow, SlidingWindow, TokenBucket} {
		p := Policy{Algorithm: alg, Limit: 2, Window: time.Minute}
		st, _ := p.Apply(State{}, base, 2)
		peeked, r := p.Apply(st, base, 0)
		if r.Allowed || r.Remaining != 0 || r.RetryAfter <= 0 {
			t.Errorf("%v: peek on a full key = %+v", alg, r)
		}
		if _, again := p.Apply(peeked, base, 0); again != r {
			t.Errorf("%v: peeking changed the state", alg)
		}
		if _, fresh := p.Apply(State{}, base, 0); !fresh.Allowed || fresh.Remaining != 2 || fresh.Reset != 0 {
			t.Errorf("%v: peek on a fresh key = %+v", alg, fresh)
		}
	}
}

func TestPolicyValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    Policy
		want string // "" = valid
	}{
		{Policy{Limit: 1, Window: time.Second}, ""},
		{Policy{Algorithm: TokenBucket, Limit: 1, Window: time.Second, Burst: 5}, ""},
		{Policy{Limit: 0, Window: time.Second}, "Limit must be positive"},
		{Policy{Limit: -1, Window: time.Second}, "Limit must be positive"},
		{Policy{Limit: 1, Window: -time.Second}, "Window must be positive"},
		{Policy{Limit: 1, Window: 20 * 366 * 24 * time.Hour}, "at most"},
		{Policy{Limit: 1, Window: time.Second, Burst: 2}, "TokenBucket only"},
		{Policy{Algorithm: TokenBucket, Limit: 1, Window: time.Second, Burst: -1}, "must not be negative"},
		{Policy{Algorithm: TokenBucket, Limit: 1, Window: 3000 * 24 * time.Hour, Burst: 1 << 30}, "overflows"},
		{Policy{Algorithm: 9, Limit: 1, Window: time.Second}, "unknown algorithm"},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%+v: Validate() = %v, want %q", tt.p, err, tt.want)
		}
	}
	// An invalid policy never admits and never panics.
	if _, r := (Policy{}).Apply(State{}, base, 1); r.Allowed {
		t.Error("the zero Policy admitted a request")
	}
}

func TestAlgorithmString(t *testing.T) {
	t.Parallel()
	for a, want := range map[Algorithm]string{FixedWindow: "fixed-window", SlidingWindow: "sliding-window", GCRA: "token-bucket", 9: "Algorithm(9)"} {
		if a.String() != want {
			t.Errorf("%d.String() = %q, want %q", a, a.String(), want)
		}
	}
}
