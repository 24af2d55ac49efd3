package ratelimit_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios/middleware/ratelimit"
)

// TestPolicyLimitBounds: a limit near the top of int is refused at
// configuration instead of panicking (divide by zero) at the second
// request of a sliding window.
func TestPolicyLimitBounds(t *testing.T) {
	t.Parallel()
	for _, p := range []ratelimit.Policy{
		{Algorithm: ratelimit.SlidingWindow, Limit: math.MaxInt64, Window: time.Minute},
		{Algorithm: ratelimit.FixedWindow, Limit: 1 << 62, Window: time.Minute},
		{Algorithm: ratelimit.TokenBucket, Limit: 10, Burst: math.MaxInt64, Window: time.Minute},
	} {
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "at most") {
			t.Errorf("%+v: %v", p, err)
		}
	}
	ok := ratelimit.Policy{Algorithm: ratelimit.SlidingWindow, Limit: 1 << 40, Window: time.Minute}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	st, _ := ok.Apply(ratelimit.State{}, now, 1<<40)
	st, _ = ok.Apply(st, now.Add(time.Second), 1<<40) // used to divide by zero
	_ = st
}
