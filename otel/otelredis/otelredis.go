// Package otelredis traces a go-redis client (the one the redis module's
// stores and broker share) with redisotel: a client span per command or
// pipeline under the caller's span.
//
//	rdb := goredis.NewClient(opts) // or redis.Open(url).Client
//	if err := otelredis.Instrument(rdb, otelredis.Config{}); err != nil { ... }
//
// Command arguments are left out of the spans unless Statements is set:
// sessions, tokens and rate-limit keys travel as arguments.
package otelredis

import (
	"fmt"

	"github.com/redis/go-redis/extra/redisotel/v9"
	goredis "github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"
)

// Config configures the instrumentation.
type Config struct {
	// TracerProvider makes the spans (default: the global one).
	TracerProvider trace.TracerProvider
	// Statements records each command with its arguments
	// (db.query.text). Default false: command names only.
	Statements bool
}

// Instrument adds tracing to rdb (a *redis.Client, *redis.ClusterClient
// or *redis.Ring). Call it once, before the client is used.
func Instrument(rdb goredis.UniversalClient, cfg Config) error {
	opts := []redisotel.TracingOption{redisotel.WithDBStatement(cfg.Statements)}
	if cfg.TracerProvider != nil {
		opts = append(opts, redisotel.WithTracerProvider(cfg.TracerProvider))
	}
	if err := redisotel.InstrumentTracing(rdb, opts...); err != nil {
		return fmt.Errorf("otelredis: %w", err)
	}
	return nil
}
