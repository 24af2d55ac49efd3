package ratelimit_test

import (
	"context"
	"fmt"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/testclient"
)

func Example() {
	app := nexios.New(nexios.Config{})
	api := nexios.NewRouter("/api")
	// 3 requests a minute per client IP, for the router's routes only.
	api.Use(nexios.Must(ratelimit.New(ratelimit.Config{
		Algorithm: ratelimit.TokenBucket,
		Limit:     3,
		Window:    time.Minute,
	})))
	api.Get("/items", func(_ *nexios.Request, res *nexios.Response) error {
		return res.JSON([]string{"a", "b"})
	})
	app.Mount(api)

	c := testclient.New(app)
	for range 4 {
		r := c.Get("/api/items")
		fmt.Println(r.Status, r.Header.Get("X-RateLimit-Remaining"), r.Header.Get("Retry-After") != "")
	}
	// Output:
	// 200 2 false
	// 200 1 false
	// 200 0 false
	// 429 0 true
}

func ExampleLimiter() {
	// Five login attempts per account every 15 minutes.
	lim := nexios.Must(ratelimit.NewLimiter(ratelimit.LimiterConfig{
		Algorithm: ratelimit.TokenBucket,
		Limit:     5,
		Window:    15 * time.Minute,
	}))
	ctx := context.Background()
	for range 6 {
		res, err := lim.Allow(ctx, "login:ada@example.com")
		if err != nil {
			panic(err)
		}
		fmt.Println(res.Allowed, res.Remaining, res.RetryAfter.Round(time.Second))
	}
	// Output:
	// true 4 0s
	// true 3 0s
	// true 2 0s
	// true 1 0s
	// true 0 0s
	// false 0 3m0s
}
