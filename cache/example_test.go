package cache_test

import (
	"context"
	"fmt"
	"time"

	"github.com/nexios-go/nexios/cache"
)

// A Loader computes a value once and serves it from the cache until its
// TTL ends.
func ExampleLoader() {
	l := cache.NewLoader(cache.NewMemory(cache.MemoryConfig{MaxEntries: 1000}), time.Minute)
	calls := 0
	price := func(context.Context) ([]byte, error) {
		calls++
		return []byte("42.00"), nil
	}
	for range 3 {
		v, _ := l.Load(context.Background(), "price:widget", price)
		fmt.Println(string(v))
	}
	fmt.Println("computed", calls, "time")
	// Output:
	// 42.00
	// 42.00
	// 42.00
	// computed 1 time
}
