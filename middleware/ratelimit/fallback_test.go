package ratelimit_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios/middleware/ratelimit"
)

// switchable fails while down is set, counting the calls it got.
type switchable struct {
	ratelimit.Store
	down  atomic.Bool
	calls atomic.Int32
}

func (s *switchable) Take(ctx context.Context, key string, now time.Time, p ratelimit.Policy, n int) (ratelimit.Result, error) {
	s.calls.Add(1)
	if s.down.Load() {
		return ratelimit.Result{}, errors.New("unreachable")
	}
	return s.Store.Take(ctx, key, now, p, n)
}

func TestFallbackStore(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	primary := &switchable{Store: ratelimit.NewMemoryStore(ratelimit.MemoryConfig{})}
	s := ratelimit.NewFallbackStore(primary, ratelimit.FallbackConfig{Cooldown: time.Second, Now: clock,
		Logger: slog.New(slog.DiscardHandler)})
	p := ratelimit.Policy{Algorithm: ratelimit.FixedWindow, Limit: 3, Window: time.Hour}
	take := func(want bool, what string) {
		t.Helper()
		r, err := s.Take(context.Background(), "k", now, p, 1)
		if err != nil || r.Allowed != want {
			t.Fatalf("%s: %+v %v, want allowed %v", what, r, err, want)
		}
	}
	take(true, "primary 1")
	take(true, "primary 2")
	primary.down.Store(true)
	// The local store starts from zero: the bound is the primary's count
	// plus a full local quota.
	for i := range 3 {
		take(true, "local "+string(rune('1'+i)))
	}
	take(false, "local over the limit")
	if !s.Degraded() {
		t.Fatal("not degraded during the outage")
	}
	calls := primary.calls.Load()
	if calls != 3 {
		t.Fatalf("the primary was called %d times; after failing once it must be left alone during the cooldown", calls)
	}
	primary.down.Store(false)
	take(false, "still local during the cooldown")
	now = now.Add(1100 * time.Millisecond)
	take(true, "primary again (its count: 2 of 3)")
	take(false, "primary over the limit")
	if s.Degraded() {
		t.Fatal("still degraded after the primary answered")
	}
	if err := s.Reset(context.Background(), "k"); err != nil {
		t.Fatal(err)
	}
	take(true, "after Reset")
	// A cancelled request is not an outage.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	primary.down.Store(true)
	if _, err := s.Take(ctx, "k", now, p, 1); err == nil {
		t.Fatal("a cancelled request counted locally")
	}
	if s.Degraded() {
		t.Fatal("a cancelled request made the store degraded")
	}
}
