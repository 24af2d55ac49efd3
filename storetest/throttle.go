package storetest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios/auth"
)

// Throttle runs the conformance suite for an auth.ThrottleStore, the
// store of the login throttle. newStore returns the store under test; it
// is called once per subtest.
//
// It checks: at most limit attempts are counted per window, also when 100
// goroutines reserve against a limit of 50 (exactly 50 get through); a
// refusal says how long the window has left; Release gives one attempt
// back, never more than were counted, and never across windows; Reset
// clears a key; a window ends after its length and the count starts over;
// keys are independent.
func Throttle(t *testing.T, newStore func(t *testing.T) auth.ThrottleStore) {
	t.Helper()
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, s auth.ThrottleStore)
	}{
		{"Limit", throttleLimit},
		{"Concurrent", throttleConcurrent},
		{"Release", throttleRelease},
		{"ConcurrentRelease", throttleConcurrentRelease},
		{"ReleaseOtherWindow", throttleReleaseOtherWindow},
		{"WindowEnds", throttleWindowEnds},
		{"Reset", throttleReset},
		{"KeysIndependent", throttleKeys},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newStore(t))
		})
	}
}

// reserve calls Reserve and checks the answer is allowed == want.
func reserve(t *testing.T, s auth.ThrottleStore, key string, limit int, window time.Duration, want bool, what string) auth.ThrottleResult {
	t.Helper()
	res, err := s.Reserve(ctx, key, limit, window)
	if err != nil {
		t.Fatalf("%s: Reserve: %v", what, err)
	}
	if res.Allowed != want {
		t.Fatalf("%s: Reserve allowed = %v, want %v (%+v)", what, res.Allowed, want, res)
	}
	return res
}

// reserveBy is reserve for a call that must complete by deadline for
// want to hold: it reports false, asserting nothing, if it did not.
func reserveBy(t *testing.T, s auth.ThrottleStore, key string, limit int, window time.Duration, deadline time.Time, want bool, what string) (auth.ThrottleResult, bool) {
	t.Helper()
	res, err := s.Reserve(ctx, key, limit, window)
	if err != nil {
		t.Fatalf("%s: Reserve: %v", what, err)
	}
	if time.Now().After(deadline) {
		return res, false
	}
	if res.Allowed != want {
		t.Fatalf("%s: Reserve allowed = %v, want %v (%+v)", what, res.Allowed, want, res)
	}
	return res, true
}

func throttleLimit(t *testing.T, s auth.ThrottleStore) {
	key := unique("limit")
	first := reserve(t, s, key, 3, time.Hour, true, "attempt 1")
	for i := 2; i <= 3; i++ {
		if r := reserve(t, s, key, 3, time.Hour, true, "attempt within the limit"); r.WindowID != first.WindowID {
			t.Fatalf("attempt %d: window %d, want %d (one window)", i, r.WindowID, first.WindowID)
		}
	}
	for range 3 {
		r := reserve(t, s, key, 3, time.Hour, false, "attempt over the limit")
		if r.RetryAfter <= 0 || r.RetryAfter > time.Hour {
			t.Fatalf("RetryAfter %v, want within (0, 1h]", r.RetryAfter)
		}
	}
}

// 100 goroutines reserve against a limit of 50: exactly 50 get through.
func throttleConcurrent(t *testing.T, s auth.ThrottleStore) {
	for round := range 3 {
		key := unique("race")
		var allowed, errs atomic.Int32
		together(100, func(int) {
			r, err := s.Reserve(ctx, key, 50, time.Hour)
			switch {
			case err != nil:
				errs.Add(1)
			case r.Allowed:
				allowed.Add(1)
			}
		})
		if allowed.Load() != 50 || errs.Load() != 0 {
			t.Fatalf("round %d: 100 concurrent reservations, limit 50: %d allowed, %d errors; want exactly 50, no errors",
				round, allowed.Load(), errs.Load())
		}
	}
}

// Release gives back one attempt, and never more than were counted.
func throttleRelease(t *testing.T, s auth.ThrottleStore) {
	key := unique("release")
	a := reserve(t, s, key, 2, time.Hour, true, "attempt 1")
	reserve(t, s, key, 2, time.Hour, true, "attempt 2")
	reserve(t, s, key, 2, time.Hour, false, "attempt 3")
	must(t, s.Release(ctx, key, a.WindowID))
	reserve(t, s, key, 2, time.Hour, true, "after one release")
	reserve(t, s, key, 2, time.Hour, false, "after one release, one more")

	// Releasing more than was counted gives no credit.
	for range 5 {
		must(t, s.Release(ctx, key, a.WindowID))
	}
	reserve(t, s, key, 2, time.Hour, true, "after releasing everything, attempt 1")
	reserve(t, s, key, 2, time.Hour, true, "after releasing everything, attempt 2")
	reserve(t, s, key, 2, time.Hour, false, "after releasing everything, attempt 3")

	// Releasing a key that has nothing is not an error.
	must(t, s.Release(ctx, unique("nothing"), a.WindowID))
}

// Reservations and releases race; afterwards the count is back to zero, so
// 100 concurrent reservations against a limit of 50 admit exactly 50.
func throttleConcurrentRelease(t *testing.T, s auth.ThrottleStore) {
	key := unique("churn")
	var errs atomic.Int32
	together(100, func(int) {
		for range 3 {
			r, err := s.Reserve(ctx, key, 50, time.Hour)
			if err != nil {
				errs.Add(1)
				return
			}
			if r.Allowed {
				if err := s.Release(ctx, key, r.WindowID); err != nil {
					errs.Add(1)
				}
			}
		}
	})
	var allowed atomic.Int32
	together(100, func(int) {
		r, err := s.Reserve(ctx, key, 50, time.Hour)
		if err != nil {
			errs.Add(1)
		} else if r.Allowed {
			allowed.Add(1)
		}
	})
	if allowed.Load() != 50 || errs.Load() != 0 {
		t.Fatalf("after concurrent reserve/release: %d of 100 allowed (want 50), %d errors", allowed.Load(), errs.Load())
	}
}

// A release for a window that has ended does not touch the next window.
func throttleReleaseOtherWindow(t *testing.T, s auth.ThrottleStore) {
	const window = 400 * time.Millisecond
	timed(t, func() bool {
		key := unique("stale")
		old := reserve(t, s, key, 1, window, true, "first window")
		// The window began before Reserve returned: it is over by then.
		sleepUntil(time.Now().Add(window + 200*time.Millisecond))
		start := time.Now()
		cur := reserve(t, s, key, 1, window, true, "second window")
		if cur.WindowID == old.WindowID {
			t.Fatalf("two windows share the id %d", cur.WindowID)
		}
		must(t, s.Release(ctx, key, old.WindowID))
		_, ok := reserveBy(t, s, key, 1, window, start.Add(window), false, "second window after releasing for the first")
		return ok
	})
}

// A window lasts its length; then the count starts over.
func throttleWindowEnds(t *testing.T, s auth.ThrottleStore) {
	const window = 500 * time.Millisecond
	timed(t, func() bool {
		key := unique("window")
		start := time.Now() // the window begins after this
		reserve(t, s, key, 1, window, true, "attempt 1")
		end := time.Now().Add(window) // and ends before this
		r, ok := reserveBy(t, s, key, 1, window, start.Add(window), false, "attempt 2")
		if !ok {
			return false
		}
		if r.RetryAfter <= 0 || r.RetryAfter > window {
			t.Fatalf("RetryAfter %v, want within (0, %v]", r.RetryAfter, window)
		}
		sleepUntil(start.Add(window - 150*time.Millisecond))
		if _, ok := reserveBy(t, s, key, 1, window, start.Add(window), false, "just before the window ends"); !ok {
			return false
		}
		sleepUntil(end.Add(100 * time.Millisecond))
		next := time.Now()
		reserve(t, s, key, 1, window, true, "after the window")
		_, ok = reserveBy(t, s, key, 1, window, next.Add(window), false, "after the window, attempt 2")
		return ok
	})
}

func throttleReset(t *testing.T, s auth.ThrottleStore) {
	key := unique("reset")
	reserve(t, s, key, 1, time.Hour, true, "attempt 1")
	reserve(t, s, key, 1, time.Hour, false, "attempt 2")
	must(t, s.Reset(ctx, key))
	reserve(t, s, key, 1, time.Hour, true, "after Reset")
	must(t, s.Reset(ctx, unique("nothing"))) // an unknown key: no error
}

func throttleKeys(t *testing.T, s auth.ThrottleStore) {
	a, b := unique("a"), unique("b")
	reserve(t, s, a, 1, time.Hour, true, "key a")
	reserve(t, s, a, 1, time.Hour, false, "key a again")
	reserve(t, s, b, 1, time.Hour, true, "key b")
	must(t, s.Reset(ctx, b))
	reserve(t, s, a, 1, time.Hour, false, "key a after resetting b")
}
