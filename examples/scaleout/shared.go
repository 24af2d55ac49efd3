package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/stores"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/redis"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/websocket"
)

// shared is the state every instance must agree on.
type shared struct {
	sessions    session.Store
	revocations auth.RevocationList
	throttle    auth.ThrottleStore
	limits      ratelimit.Store
	broker      websocket.Broker
	ready       func(context.Context) error
	close       func() error
	sweeper     *stores.Sweeper // PostgreSQL only
}

// sharedState opens the backend the configuration names.
func sharedState(ctx context.Context, cfg Config, log *slog.Logger) (*shared, error) {
	switch cfg.Backend {
	case "redis":
		return onRedis(ctx, cfg, log)
	case "postgres":
		return onPostgres(ctx, cfg, log)
	}
	return nil, fmt.Errorf("unknown backend %q", cfg.Backend)
}

func onRedis(ctx context.Context, cfg Config, log *slog.Logger) (*shared, error) {
	rdb, err := redis.Open(cfg.RedisURL)
	if err != nil {
		return nil, err
	}
	p := cfg.Prefix + ":"
	broker, err := redis.NewBroker(ctx, rdb, redis.BrokerConfig{Prefix: p + "ws:", Logger: log})
	if err != nil {
		return nil, errors.Join(err, rdb.Close())
	}
	return &shared{
		sessions:    redis.NewSessionStore(rdb, redis.SessionConfig{Prefix: p + "session:"}),
		revocations: redis.NewRevocationList(rdb, redis.RevocationConfig{Prefix: p + "revoked:"}),
		throttle:    redis.NewThrottleStore(rdb, redis.ThrottleConfig{Prefix: p + "throttle:"}),
		limits:      redis.NewRateLimitStore(rdb, redis.RateLimitConfig{Prefix: p + "rl:"}),
		broker:      broker,
		ready:       rdb.Ready,
		close:       func() error { return errors.Join(broker.Close(), rdb.Close()) },
	}, nil
}

func onPostgres(ctx context.Context, cfg Config, log *slog.Logger) (*shared, error) {
	d, err := db.Open(ctx, cfg.DatabaseURL, db.WithLogger(log))
	if err != nil {
		return nil, err
	}
	// Instances starting together migrate once: the migrator holds a
	// PostgreSQL lock. An app with migrations of its own adds
	// stores.Migration to them instead.
	if err := stores.Migrate(ctx, d); err != nil {
		return nil, errors.Join(err, d.Close())
	}
	broker, err := stores.NewBroker(ctx, d, stores.BrokerConfig{Prefix: cfg.Prefix, Logger: log})
	if err != nil {
		return nil, errors.Join(err, d.Close())
	}
	return &shared{
		sessions:    stores.NewSessionStore(d),
		revocations: stores.NewRevocationList(d),
		throttle:    stores.NewThrottleStore(d),
		limits:      stores.NewRateLimitStore(d, stores.RateLimitConfig{}),
		broker:      broker,
		ready:       d.Ping,
		close:       func() error { return errors.Join(broker.Close(), d.Close()) },
		sweeper:     stores.NewSweeper(d, stores.SweeperConfig{Logger: log}),
	}, nil
}
