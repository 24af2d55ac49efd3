package redis_test

import (
	"testing"
	"time"

	"github.com/nexios-go/nexios/redis"
	"github.com/nexios-go/nexios/storetest"
)

// Redis is killed under a running app (a redis-server of the test's own,
// started again on the same port afterwards): each failure policy does
// what it says, nothing panics, and everything works again when Redis is
// back.
func TestFailurePoliciesWhenRedisStops(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	rdb := srv.Client()
	storetest.Outage(t, storetest.Stores{
		Sessions:    redis.NewSessionStore(rdb, redis.SessionConfig{}),
		Revocations: redis.NewRevocationList(rdb, redis.RevocationConfig{}),
		RateLimit:   redis.NewRateLimitStore(rdb, redis.RateLimitConfig{}),
		Throttle:    redis.NewThrottleStore(rdb, redis.ThrottleConfig{}),
	}, storetest.Fault{
		Cut:     srv.Stop,
		Restore: srv.Start,
		// A command meets the dead pool, then dials (200 ms timeouts,
		// one retry): slower to fail than a refused connection.
		FailWithin: 10 * time.Second,
	})
}
