// Package cache is a small cache interface with an in-memory LRU+TTL
// implementation and request coalescing, the base of the HTTP response
// cache (middleware/cache) and of application caching:
//
//	c := cache.NewMemory(cache.MemoryConfig{MaxEntries: 10_000})
//	loader := cache.NewLoader(c, 5*time.Minute)
//	v, err := loader.Load(ctx, "user:42", func(ctx context.Context) ([]byte, error) {
//		return expensiveLookup(ctx, 42) // runs once per key however many ask at once
//	})
//
// A Redis implementation (module github.com/nexios-go/nexios/redis) shares
// one cache between instances. Every implementation must pass
// storetest.Cache.
package cache

import (
	"context"
	"errors"
	"time"
)

// Cache keeps byte values under string keys for a limited time.
// Implementations must be safe for concurrent use, must never return an
// entry after its TTL, may drop any entry earlier (a bounded cache evicts),
// and must not let a caller's later changes to a value slice reach the
// stored copy (nor the other way round).
type Cache interface {
	// Get returns the value under key, and ok false when there is none
	// (absent, expired or evicted). The error is for the cache failing.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Set stores value under key for ttl, replacing any value there.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes key; an absent key is not an error.
	Delete(ctx context.Context, key string) error
}

// ErrInvalidTTL is returned by Set for a TTL that is not positive.
var ErrInvalidTTL = errors.New("cache: ttl must be positive")
