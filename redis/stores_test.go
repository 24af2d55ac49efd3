package redis_test

import (
	"testing"

	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/cache"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/redis"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/storetest"
)

func TestRevocationListConformance(t *testing.T) {
	t.Parallel()
	rdb := testClient(t)
	storetest.RevocationList(t, func(t *testing.T) auth.RevocationList {
		return redis.NewRevocationList(rdb, redis.RevocationConfig{Prefix: prefix(t)})
	})
}

func TestThrottleConformance(t *testing.T) {
	t.Parallel()
	rdb := testClient(t)
	storetest.Throttle(t, func(t *testing.T) auth.ThrottleStore {
		return redis.NewThrottleStore(rdb, redis.ThrottleConfig{Prefix: prefix(t)})
	})
}

func TestSessionStoreConformance(t *testing.T) {
	t.Parallel()
	rdb := testClient(t)
	storetest.SessionStore(t, func(t *testing.T) session.Store {
		return redis.NewSessionStore(rdb, redis.SessionConfig{Prefix: prefix(t)})
	})
}

func TestRateLimitStoreConformance(t *testing.T) {
	t.Parallel()
	rdb := testClient(t)
	storetest.RateLimitStore(t, func(t *testing.T) ratelimit.Store {
		return redis.NewRateLimitStore(rdb, redis.RateLimitConfig{Prefix: prefix(t)})
	})
}

func TestCacheConformance(t *testing.T) {
	t.Parallel()
	rdb := testClient(t)
	storetest.Cache(t, func(t *testing.T) cache.Cache {
		return redis.NewCache(rdb, redis.CacheConfig{Prefix: prefix(t)})
	})
}
