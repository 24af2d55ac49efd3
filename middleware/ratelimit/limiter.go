package ratelimit

import (
	"context"
	"fmt"
	"time"
)

// LimiterConfig configures a Limiter. The zero value allows 100 requests a
// minute per key with the sliding-window counter, in memory.
type LimiterConfig struct {
	// Algorithm counts requests. Default SlidingWindow.
	Algorithm Algorithm
	// Limit is the number of requests allowed per Window. Default 100;
	// negative is an error.
	Limit int
	// Window is the period Limit applies to. Default 1 minute; negative is
	// an error.
	Window time.Duration
	// Burst is the bucket size of TokenBucket. Default Limit; setting it
	// with another algorithm is an error.
	Burst int
	// Store keeps the counters. Default: a new MemoryStore of its own.
	// Share one store between limiters only with distinct keys (see
	// Config.Prefix).
	Store Store
	// Now returns the current time. Default time.Now; tests inject a clock.
	Now func() time.Time
}

// Limiter applies one Policy to keys, outside HTTP as well as inside the
// middleware (login throttling, per-account quotas). It is safe for
// concurrent use.
type Limiter struct {
	policy Policy
	store  Store
	now    func() time.Time
}

// NewLimiter returns a Limiter, or an error for an invalid configuration.
func NewLimiter(cfg LimiterConfig) (*Limiter, error) {
	if cfg.Limit == 0 {
		cfg.Limit = 100
	}
	if cfg.Window == 0 {
		cfg.Window = time.Minute
	}
	p := Policy{Algorithm: cfg.Algorithm, Limit: cfg.Limit, Window: cfg.Window, Burst: cfg.Burst}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if cfg.Store == nil {
		cfg.Store = NewMemoryStore(MemoryConfig{})
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Limiter{policy: p, store: cfg.Store, now: cfg.Now}, nil
}

// Policy returns the limiter's policy.
func (l *Limiter) Policy() Policy { return l.policy }

// Store returns the limiter's store.
func (l *Limiter) Store() Store { return l.store }

// Allow counts one request for key and reports whether it is admitted.
// A rejected request is Result.Allowed == false, not an error; the error
// reports a failing store.
func (l *Limiter) Allow(ctx context.Context, key string) (Result, error) {
	return l.store.Take(ctx, key, l.now(), l.policy, 1)
}

// AllowN counts a request of cost n (1 ≤ n ≤ Policy().Capacity()) for key.
func (l *Limiter) AllowN(ctx context.Context, key string, n int) (Result, error) {
	if n < 1 || n > l.policy.capacity() {
		return Result{}, fmt.Errorf("ratelimit: cost %d outside 1..%d", n, l.policy.capacity())
	}
	return l.store.Take(ctx, key, l.now(), l.policy, n)
}

// Peek reports the state of key without counting a request: Allowed and
// RetryAfter tell whether one request would be admitted now.
func (l *Limiter) Peek(ctx context.Context, key string) (Result, error) {
	return l.store.Take(ctx, key, l.now(), l.policy, 0)
}

// Reset forgets key, restoring its full quota.
func (l *Limiter) Reset(ctx context.Context, key string) error {
	return l.store.Reset(ctx, key)
}
