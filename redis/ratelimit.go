package redis

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nexios-go/nexios/middleware/ratelimit"
)

//go:embed ratelimit.lua
var rateLimitLua string

var rateLimitScript = goredis.NewScript(rateLimitLua)

// Clock selects whose time a RateLimitStore counts with.
type Clock uint8

const (
	// ServerClock uses the Redis server's TIME inside the script: every
	// instance counts with one clock, whatever their own clocks say. The
	// default.
	ServerClock Clock = iota
	// CallerClock uses the time passed to Take (the Limiter's Now), for
	// tests with a fake clock. Instances must then keep their clocks in
	// step.
	CallerClock
)

// RateLimitConfig configures a RateLimitStore.
type RateLimitConfig struct {
	// Prefix is put before every key. Default "nexios:rl:".
	Prefix string
	// Clock selects the time the policies count with. Default
	// ServerClock.
	Clock Clock
}

// RateLimitStore is a ratelimit.Store on Redis: each Take is one Lua
// script on one key that runs the policy's algorithm with the same
// arithmetic as ratelimit.Policy.Apply (and so as the MemoryStore), to the
// nanosecond, against the Redis server's clock. Concurrent Takes from any
// number of instances are serialised by Redis, so a limit of N admits
// exactly N. A key expires (PEXPIRE) when it is back at full quota.
//
// Windows (and a TokenBucket's Burst × Window/Limit) are limited to
// MaxWindow, about 52 days: the script computes with doubles, which hold
// integers exactly up to 2^53 nanoseconds.
type RateLimitStore struct {
	rdb    goredis.UniversalClient
	prefix string
	clock  Clock
}

// MaxWindow is the longest window a RateLimitStore accepts.
const MaxWindow = time.Duration(1 << 52)

var _ ratelimit.Store = (*RateLimitStore)(nil)

// NewRateLimitStore returns a RateLimitStore on rdb.
func NewRateLimitStore(rdb goredis.UniversalClient, cfg RateLimitConfig) *RateLimitStore {
	if cfg.Prefix == "" {
		cfg.Prefix = "nexios:rl:"
	}
	return &RateLimitStore{rdb: rdb, prefix: cfg.Prefix, clock: cfg.Clock}
}

// ErrWindowTooLong is returned by Take for a policy whose window is over
// MaxWindow.
var ErrWindowTooLong = errors.New("redis: rate-limit window over MaxWindow (2^52 ns, about 52 days)")

// Take implements ratelimit.Store.
func (s *RateLimitStore) Take(ctx context.Context, key string, now time.Time, p ratelimit.Policy, n int) (ratelimit.Result, error) {
	if err := p.Validate(); err != nil {
		return ratelimit.Result{}, err
	}
	capacity := p.Capacity()
	if n < 0 || n > capacity {
		// As Policy.Apply: nothing admitted, nothing changed.
		return ratelimit.Result{Limit: capacity}, nil
	}
	step := max(int64(p.Window)/int64(p.Limit), 1)
	span := int64(capacity) * step
	if p.Window > MaxWindow || span > int64(MaxWindow) {
		return ratelimit.Result{}, ErrWindowTooLong
	}
	clock, sec, nsec, slack := "0", int64(0), int64(0), 0
	if s.clock == CallerClock {
		// The key's expiry runs on the server's clock: keep it a minute
		// longer, so that it never ends before its reset on the caller's
		// clock (a state past its reset acts as a fresh key anyway).
		slack = 60_000
		if now.Before(time.Unix(0, 0)) {
			return ratelimit.Result{}, fmt.Errorf("redis: rate-limit time %v is before 1970", now)
		}
		clock, sec, nsec = "1", now.Unix(), int64(now.Nanosecond())
	}
	v, err := rateLimitScript.Run(ctx, s.rdb, []string{s.prefix + key},
		int(p.Algorithm), p.Limit, int64(p.Window), step, span, n, clock, sec, nsec, slack).Int64Slice()
	if err != nil {
		return ratelimit.Result{}, fmt.Errorf("redis: rate limit: %w", err)
	}
	if len(v) != 4 {
		return ratelimit.Result{}, fmt.Errorf("redis: rate limit: script returned %d values", len(v))
	}
	return ratelimit.Result{
		Allowed: v[0] == 1, Limit: capacity, Remaining: int(v[1]),
		Reset: time.Duration(v[2]), RetryAfter: time.Duration(v[3]),
	}, nil
}

// Reset implements ratelimit.Store.
func (s *RateLimitStore) Reset(ctx context.Context, key string) error {
	if err := s.rdb.Del(ctx, s.prefix+key).Err(); err != nil {
		return fmt.Errorf("redis: rate limit reset: %w", err)
	}
	return nil
}
