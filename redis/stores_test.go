package redis_test

import (
	"testing"

	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/redis"
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
