package redis

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nexios-go/nexios/auth"
)

//go:embed throttle.lua
var throttleLua string

var throttleScript = goredis.NewScript(throttleLua)

// ThrottleConfig configures a ThrottleStore.
type ThrottleConfig struct {
	// Prefix is put before every key. Default "nexios:throttle:".
	Prefix string
}

// ThrottleStore is the login throttle's auth.ThrottleStore on Redis: one
// hash per key, every operation one Lua script on the server's clock, so
// of any number of concurrent Reserve calls from any number of instances
// at most limit are counted in a window. The login throttle fails closed:
// a Redis error refuses the login with 503.
type ThrottleStore struct {
	rdb    goredis.UniversalClient
	prefix string
}

var _ auth.ThrottleStore = (*ThrottleStore)(nil)

// NewThrottleStore returns a ThrottleStore on rdb.
func NewThrottleStore(rdb goredis.UniversalClient, cfg ThrottleConfig) *ThrottleStore {
	if cfg.Prefix == "" {
		cfg.Prefix = "nexios:throttle:"
	}
	return &ThrottleStore{rdb: rdb, prefix: cfg.Prefix}
}

// Reserve implements auth.ThrottleStore.
func (s *ThrottleStore) Reserve(ctx context.Context, key string, limit int, window time.Duration) (auth.ThrottleResult, error) {
	us := max(window.Microseconds(), 1)
	v, err := throttleScript.Run(ctx, s.rdb, []string{s.prefix + key}, "reserve", limit, us).Int64Slice()
	if err != nil {
		return auth.ThrottleResult{}, fmt.Errorf("redis: login throttle: %w", err)
	}
	if len(v) != 3 {
		return auth.ThrottleResult{}, fmt.Errorf("redis: login throttle: script returned %d values", len(v))
	}
	return auth.ThrottleResult{Allowed: v[0] == 1, WindowID: uint64(v[1]), RetryAfter: time.Duration(v[2]) * time.Microsecond}, nil
}

// Release implements auth.ThrottleStore.
func (s *ThrottleStore) Release(ctx context.Context, key string, windowID uint64) error {
	err := throttleScript.Run(ctx, s.rdb, []string{s.prefix + key}, "release", strconv.FormatUint(windowID, 10)).Err()
	if err != nil {
		return fmt.Errorf("redis: login throttle: %w", err)
	}
	return nil
}

// Reset implements auth.ThrottleStore.
func (s *ThrottleStore) Reset(ctx context.Context, key string) error {
	if err := throttleScript.Run(ctx, s.rdb, []string{s.prefix + key}, "reset").Err(); err != nil {
		return fmt.Errorf("redis: login throttle: %w", err)
	}
	return nil
}
