package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/redis"
	"github.com/nexios-go/nexios/websocket"
)

// shared is the state instances behind a load balancer must agree on:
// revoked tokens, login attempts, rate-limit counts and chat rooms. Nil
// fields mean this process's memory (one instance).
type shared struct {
	revocations auth.RevocationList
	throttle    auth.ThrottleStore
	rateLimit   ratelimit.Store
	broker      websocket.Broker
	ready       func(context.Context) error // nil: nothing shared to check
	close       func(context.Context) error
}

// sharedState keeps the shared state in Redis when url is set (REDIS_URL),
// else in memory. The revocation list and the login throttle fail closed
// when Redis is down (503); the request rate limit fails open (admits),
// so an outage of Redis does not take the blog down.
func sharedState(ctx context.Context, url string, log *slog.Logger) (*shared, error) {
	none := func(context.Context) error { return nil }
	if url == "" {
		return &shared{close: none}, nil
	}
	rdb, err := redis.Open(url)
	if err != nil {
		return nil, err
	}
	broker, err := redis.NewBroker(ctx, rdb, redis.BrokerConfig{Logger: log})
	if err != nil {
		return nil, errors.Join(err, rdb.Close())
	}
	return &shared{
		revocations: redis.NewRevocationList(rdb, redis.RevocationConfig{}),
		throttle:    redis.NewThrottleStore(rdb, redis.ThrottleConfig{}),
		rateLimit:   redis.NewRateLimitStore(rdb, redis.RateLimitConfig{}),
		broker:      broker,
		ready:       rdb.Ready,
		close: func(context.Context) error {
			return errors.Join(broker.Close(), rdb.Close())
		},
	}, nil
}
