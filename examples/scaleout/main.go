// Command scaleout is an app meant to run as several processes behind a
// load balancer, with its shared state in Redis or PostgreSQL: sessions,
// JWT revocations, the login throttle, rate limits and chat rooms. Any
// instance serves any request; no sticky sessions.
//
//	BACKEND=redis    REDIS_URL=redis://127.0.0.1:6379/0 ADDR=127.0.0.1:8001 go run ./examples/scaleout
//	BACKEND=postgres DATABASE_URL=postgres://…          ADDR=127.0.0.1:8002 go run ./examples/scaleout
//
// lb_test.go builds it, starts three processes behind HAProxy and checks
// that they behave as one app (see docs/scaling.md).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/nexios-go/nexios/config"
)

// Config is the instance's configuration, from the environment.
type Config struct {
	Addr        string        `env:"ADDR" envDefault:"127.0.0.1:8000"`
	Instance    string        `env:"INSTANCE" envDefault:"a" usage:"the name in the X-Instance header of every response"`
	Backend     string        `env:"BACKEND" envDefault:"redis" validate:"oneof=redis postgres"`
	RedisURL    string        `env:"REDIS_URL" validate:"required_if=Backend redis"`
	DatabaseURL string        `env:"DATABASE_URL" validate:"required_if=Backend postgres"`
	Prefix      string        `env:"PREFIX" envDefault:"scaleout" usage:"key prefix on Redis, channel prefix on PostgreSQL: one per deployment"`
	JWTSecret   config.Secret `env:"JWT_SECRET" envDefault:"a development secret of at least 32 bytes" validate:"min=32"`
	RateLimit   int           `env:"RATE_LIMIT" envDefault:"100" validate:"min=1" usage:"requests per minute on /limited, for the whole fleet"`
}

func main() {
	var cfg Config
	if err := config.Load(&cfg, config.Args(os.Args[1:])); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	app, err := build(context.Background(), cfg, slog.Default())
	if err == nil {
		err = app.Run(cfg.Addr)
	}
	if err != nil {
		slog.Error("scaleout stopped", "error", err)
		os.Exit(1)
	}
}
