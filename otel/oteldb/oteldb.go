// Package oteldb traces the data layer's SQL with bunotel: a client span
// per query (named after its operation, with the statement and the table)
// under the caller's span, on SQLite and PostgreSQL alike.
//
//	d, err := db.Open(ctx, url)
//	oteldb.Instrument(d, oteldb.Config{})
//
// Every query of d goes through bun's writer handle (reads borrow a
// reader connection), so one hook sees them all. Jobs' own queries go
// through River's driver and are traced by oteljobs instead.
package oteldb

import (
	"github.com/uptrace/bun/extra/bunotel"
	"go.opentelemetry.io/otel/trace"

	"github.com/nexios-go/nexios/db"
)

// Config configures the instrumentation.
type Config struct {
	// TracerProvider makes the spans (default: the global one).
	TracerProvider trace.TracerProvider
	// DBName is recorded as db.name on every span (default: none).
	DBName string
	// FormattedQueries records statements with their argument values.
	// Default false: the statement's template with placeholders, so that
	// personal data and secrets in arguments stay out of traces.
	FormattedQueries bool
}

// Instrument adds the tracing hook to d. Call it once, at start-up,
// before queries run.
func Instrument(d *db.DB, cfg Config) {
	opts := []bunotel.Option{bunotel.WithFormattedQueries(cfg.FormattedQueries)}
	if cfg.TracerProvider != nil {
		opts = append(opts, bunotel.WithTracerProvider(cfg.TracerProvider))
	}
	if cfg.DBName != "" {
		opts = append(opts, bunotel.WithDBName(cfg.DBName))
	}
	// WithQueryHook would return a copy, but the data layer builds every
	// query on its own handle: the hook has to join that one in place.
	//lint:ignore SA1019 see above; db.Open taking hooks would remove the need.
	d.Bun().AddQueryHook(bunotel.NewQueryHook(opts...))
}
