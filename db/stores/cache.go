package stores

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/nexios-go/nexios/cache"
	"github.com/nexios-go/nexios/db"
)

// Cache is a cache.Cache on SQL, shared by every instance using the
// database: one row per entry in nexios_cache with its expiry
// (microseconds). An expired entry is a miss at once and its row is
// deleted by a sweep (Sweep, Sweeper). It does not bound its size: keep
// TTLs short, or use it for values worth a round trip to the database
// (on PostgreSQL the table is UNLOGGED: fast, and emptied by a crash).
type Cache struct {
	base
	get, set, del stmt
}

var _ cache.Cache = (*Cache)(nil)

// NewCache returns a Cache on d, whose tables Migration (or Migrate)
// created.
func NewCache(d *db.DB) *Cache {
	c := &Cache{base: newBase(d)}
	c.get = c.prepare(`SELECT value FROM nexios_cache WHERE key = $1 AND expires_us > {now}`, 1)
	c.set = c.prepare(`INSERT INTO nexios_cache (key, value, expires_us) VALUES ($1, $2, {now} + $3::bigint)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_us = excluded.expires_us`, 3)
	c.del = c.prepare(`DELETE FROM nexios_cache WHERE key = $1`, 1)
	return c
}

// Get implements cache.Cache.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	var v []byte
	err := c.conn(ctx, false).QueryRowContext(ctx, c.get.text, c.get.args(dbKey(key))...).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("stores: cache get: %w", err)
	}
	if v == nil {
		v = []byte{} // an empty value is a hit
	}
	return v, true, nil
}

// Set implements cache.Cache.
func (c *Cache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return cache.ErrInvalidTTL
	}
	if value == nil {
		value = []byte{} // NOT NULL: nil is the empty value
	}
	if _, err := c.conn(ctx, true).ExecContext(ctx, c.set.text, c.set.args(dbKey(key), value, micros(ttl))...); err != nil {
		return fmt.Errorf("stores: cache set: %w", err)
	}
	return nil
}

// Delete implements cache.Cache.
func (c *Cache) Delete(ctx context.Context, key string) error {
	if _, err := c.conn(ctx, true).ExecContext(ctx, c.del.text, c.del.args(dbKey(key))...); err != nil {
		return fmt.Errorf("stores: cache delete: %w", err)
	}
	return nil
}
