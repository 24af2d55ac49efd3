package health_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/health"
	"github.com/nexios-go/nexios/testclient"
)

func Example() {
	app := nexios.New(nexios.Config{})
	redisUp := false
	h := nexios.Must(health.New(health.Config{
		Checks: []health.Check{
			health.Func("database", func(ctx context.Context) error { return nil }), // health.Ping("database", d)
			health.Func("redis", func(ctx context.Context) error {
				if !redisUp {
					return errors.New("dial tcp 10.0.0.7:6379: connection refused")
				}
				return nil
			}),
		},
		CacheTTL: -1, // for the example: every probe runs the checks
		// Details for operators only.
		Verbose: func(req *nexios.Request) bool { return req.Header("Authorization") == "Bearer ops-token" },
	}))
	h.Register(app)

	c := testclient.New(app)
	r := c.Get("/readyz")
	fmt.Println(r.Status, r.Text())
	r = c.Get("/readyz?verbose") // no credentials: no details
	fmt.Println(r.Status, r.Text())
	redisUp = true
	r = c.Get("/readyz")
	fmt.Println(r.Status, r.Text())
	r = c.Get("/livez")
	fmt.Println(r.Status, r.Header.Get("Content-Type"), r.Text())
	// Output:
	// 503 {"status":"fail"}
	// 503 {"status":"fail"}
	// 200 {"status":"pass"}
	// 200 application/health+json {"status":"pass"}
}
