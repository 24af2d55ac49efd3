package redisbench

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	goredis "github.com/redis/go-redis/v9"

	"github.com/nexios-go/nexios/middleware/ratelimit"
	nxredis "github.com/nexios-go/nexios/redis"
)

// redisClient opens NEXIOS_TEST_REDIS_URL, or skips.
func redisClient(b *testing.B) *nxredis.Client {
	u := os.Getenv("NEXIOS_TEST_REDIS_URL")
	if u == "" {
		b.Skip("NEXIOS_TEST_REDIS_URL is not set")
	}
	c, err := nxredis.Open(u)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	return c
}

// BenchmarkRedisTake compares one rate-limit decision on the same Redis:
// nexios' RateLimitStore (a Lua script with the exact policy arithmetic,
// on the server's clock) and go-redis/redis_rate (GCRA in Lua). 16
// requests in flight per core, a key per goroutine.
func BenchmarkRedisTake(b *testing.B) {
	rc := redisClient(b)
	prefix := "bench:" + rand.Text()[:8] + ":"
	store := nxredis.NewRateLimitStore(rc, nxredis.RateLimitConfig{Prefix: prefix})
	run := func(b *testing.B, take func(ctx context.Context, key string) error) {
		var n atomic.Int64
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			key := fmt.Sprint("k", n.Add(1))
			for pb.Next() {
				if err := take(context.Background(), key); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "takes/s")
	}
	for _, alg := range []ratelimit.Algorithm{ratelimit.TokenBucket, ratelimit.SlidingWindow, ratelimit.FixedWindow} {
		p := ratelimit.Policy{Algorithm: alg, Limit: 1 << 30, Window: time.Minute}
		b.Run("nexios-"+alg.String(), func(b *testing.B) {
			run(b, func(ctx context.Context, key string) error {
				_, err := store.Take(ctx, key, time.Now(), p, 1)
				return err
			})
		})
	}
	lim := redis_rate.NewLimiter(rc.UniversalClient.(*goredis.Client))
	b.Run("redis_rate-gcra", func(b *testing.B) {
		l := redis_rate.Limit{Rate: 1 << 30, Burst: 1 << 30, Period: time.Minute}
		run(b, func(ctx context.Context, key string) error {
			_, err := lim.Allow(ctx, prefix+"rr:"+key, l)
			return err
		})
	})
}
