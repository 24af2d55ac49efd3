package redis_test

import (
	"crypto/rand"
	"os"
	"testing"

	"github.com/nexios-go/nexios/redis"
)

// testClient opens the Redis named by NEXIOS_TEST_REDIS_URL, or skips.
func testClient(t testing.TB) *redis.Client {
	t.Helper()
	c, err := redis.Open(testURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// testURL is the shared Redis of the tests; they skip without one.
func testURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("NEXIOS_TEST_REDIS_URL")
	if u == "" {
		t.Skip("NEXIOS_TEST_REDIS_URL is not set: set it to a Redis 7 URL (redis://127.0.0.1:6379/0) to run the Redis tests")
	}
	return u
}

// prefix returns a key prefix no other test uses.
func prefix(t testing.TB) string { return "nexios-test:" + t.Name() + ":" + rand.Text()[:8] + ":" }
