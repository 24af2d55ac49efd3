package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/nexios-go/nexios/cache"
)

// CacheConfig configures a Cache.
type CacheConfig struct {
	// Prefix is put before every key. Default "nexios:cache:".
	Prefix string
}

// Cache is a cache.Cache on Redis, shared by every instance: one string
// key per entry with the TTL as its expiry (millisecond precision, at
// least one millisecond). Bound its memory with Redis' maxmemory and an
// eviction policy (allkeys-lru, or volatile-lru when the database holds
// other data), which the cache.Cache contract allows.
type Cache struct {
	rdb    goredis.UniversalClient
	prefix string
}

var _ cache.Cache = (*Cache)(nil)

// NewCache returns a Cache on rdb.
func NewCache(rdb goredis.UniversalClient, cfg CacheConfig) *Cache {
	if cfg.Prefix == "" {
		cfg.Prefix = "nexios:cache:"
	}
	return &Cache{rdb: rdb, prefix: cfg.Prefix}
}

// Get implements cache.Cache.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := c.rdb.Get(ctx, c.prefix+key).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("redis: cache get: %w", err)
	}
	return v, true, nil
}

// Set implements cache.Cache.
func (c *Cache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return cache.ErrInvalidTTL
	}
	if err := c.rdb.Set(ctx, c.prefix+key, value, max(ttl, time.Millisecond)).Err(); err != nil {
		return fmt.Errorf("redis: cache set: %w", err)
	}
	return nil
}

// Delete implements cache.Cache.
func (c *Cache) Delete(ctx context.Context, key string) error {
	if err := c.rdb.Del(ctx, c.prefix+key).Err(); err != nil {
		return fmt.Errorf("redis: cache delete: %w", err)
	}
	return nil
}
