package stores

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"

	"github.com/nexios-go/nexios/db"
)

//go:embed ratelimit_pg.sql
var rateLimitPG string

// The tables of the stores. Times are Unix microseconds (expires_us,
// window_end), but a rate limit's state, like ratelimit.State, is in
// nanoseconds. Keys are bytes (see dbKey).
var (
	pgTables = []string{
		`CREATE TABLE nexios_sessions (id text PRIMARY KEY, data bytea NOT NULL, expires_us bigint NOT NULL)`,
		`CREATE INDEX nexios_sessions_expires ON nexios_sessions (expires_us)`,
		`CREATE TABLE nexios_revocations (kind text NOT NULL, value bytea NOT NULL, cutoff_ms bigint NOT NULL,
			expires_us bigint NOT NULL, PRIMARY KEY (kind, value))`,
		`CREATE INDEX nexios_revocations_expires ON nexios_revocations (expires_us)`,
		`CREATE TABLE nexios_throttle (key bytea PRIMARY KEY, count bigint NOT NULL, window_end bigint NOT NULL,
			window_id bigint NOT NULL, last_allowed boolean NOT NULL)`,
		`CREATE INDEX nexios_throttle_window_end ON nexios_throttle (window_end)`,
		// Counters and cache entries are not worth a WAL record: UNLOGGED
		// tables are faster and emptied by a crash (and not replicated),
		// which costs clients at most a fresh quota or a cache miss.
		`CREATE UNLOGGED TABLE nexios_rate_limits (key bytea PRIMARY KEY, alg smallint NOT NULL, t bigint NOT NULL,
			c bigint NOT NULL, p bigint NOT NULL, expires_ns bigint NOT NULL)`,
		`CREATE INDEX nexios_rate_limits_expires ON nexios_rate_limits (expires_ns)`,
		`CREATE UNLOGGED TABLE nexios_cache (key bytea PRIMARY KEY, value bytea NOT NULL, expires_us bigint NOT NULL)`,
		`CREATE INDEX nexios_cache_expires ON nexios_cache (expires_us)`,
		`CREATE UNLOGGED TABLE nexios_broker_payloads (id bigserial PRIMARY KEY, data bytea NOT NULL,
			created_at timestamptz NOT NULL DEFAULT statement_timestamp())`,
		`CREATE INDEX nexios_broker_payloads_created ON nexios_broker_payloads (created_at)`,
	}
	sqliteTables = []string{
		`CREATE TABLE nexios_sessions (id TEXT PRIMARY KEY, data BLOB NOT NULL, expires_us INTEGER NOT NULL)`,
		`CREATE INDEX nexios_sessions_expires ON nexios_sessions (expires_us)`,
		`CREATE TABLE nexios_revocations (kind TEXT NOT NULL, value BLOB NOT NULL, cutoff_ms INTEGER NOT NULL,
			expires_us INTEGER NOT NULL, PRIMARY KEY (kind, value))`,
		`CREATE INDEX nexios_revocations_expires ON nexios_revocations (expires_us)`,
		`CREATE TABLE nexios_throttle (key BLOB PRIMARY KEY, count INTEGER NOT NULL, window_end INTEGER NOT NULL,
			window_id INTEGER NOT NULL, last_allowed INTEGER NOT NULL)`,
		`CREATE INDEX nexios_throttle_window_end ON nexios_throttle (window_end)`,
		`CREATE TABLE nexios_rate_limits (key BLOB PRIMARY KEY, alg INTEGER NOT NULL, t INTEGER NOT NULL,
			c INTEGER NOT NULL, p INTEGER NOT NULL, expires_ns INTEGER NOT NULL)`,
		`CREATE INDEX nexios_rate_limits_expires ON nexios_rate_limits (expires_ns)`,
		`CREATE TABLE nexios_cache (key BLOB PRIMARY KEY, value BLOB NOT NULL, expires_us INTEGER NOT NULL)`,
		`CREATE INDEX nexios_cache_expires ON nexios_cache (expires_us)`,
	}
	dropTables = []string{
		`DROP TABLE IF EXISTS nexios_sessions`,
		`DROP TABLE IF EXISTS nexios_revocations`,
		`DROP TABLE IF EXISTS nexios_throttle`,
		`DROP TABLE IF EXISTS nexios_rate_limits`,
		`DROP TABLE IF EXISTS nexios_cache`,
	}
	pgDrop = []string{
		`DROP FUNCTION IF EXISTS nexios_ratelimit_take(bytea, smallint, bigint, bigint, bigint, bigint, bigint, bigint)`,
		`DROP FUNCTION IF EXISTS nexios_ratelimit_apply(smallint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint)`,
		`DROP TABLE IF EXISTS nexios_broker_payloads`,
	}
)

// Migration returns the migration that creates the stores' tables (and,
// on PostgreSQL, the rate limiter's functions) as version `version` of
// the app's own migrations, so that they are applied with the others and
// a pending-migrations check sees them:
//
//	err := d.Migrate(ctx, migrations, db.WithGoMigrations(stores.Migration(20250601000000)))
//
// Down drops them, and everything they hold. The migration finds the
// dialect from the database it runs on. A later release that changes the
// tables will ship a second migration to add with a new version.
func Migration(version int64) db.GoMigration {
	return db.GoMigration{
		Version: version,
		Up:      func(ctx context.Context) error { return migrate(ctx, true) },
		Down:    func(ctx context.Context) error { return migrate(ctx, false) },
	}
}

// VersionTable is the table Migrate records its version in, apart from
// the app's own migrations.
const VersionTable = "nexios_stores_version"

// Migrate creates the stores' tables directly, for apps that keep no
// migrations of their own (and for tests); it records its version in
// VersionTable and does nothing when the tables are there. Apps with
// migrations add Migration to them instead.
func Migrate(ctx context.Context, d *db.DB) error {
	return d.Migrate(ctx, nil, db.WithGoMigrations(Migration(1)), db.WithVersionTable(VersionTable))
}

func migrate(ctx context.Context, up bool) error {
	tx, ok := db.SQLTx(ctx)
	if !ok {
		return errors.New("stores: the migration must run inside the migrator's transaction")
	}
	// A statement PostgreSQL answers and SQLite refuses at compile time
	// (which leaves a SQLite transaction usable; a failed statement would
	// abort a PostgreSQL one).
	var v string
	pg := tx.QueryRowContext(ctx, `SELECT current_setting('server_version_num')`).Scan(&v) == nil
	var stmts []string
	switch {
	case up && pg:
		stmts = append(append(stmts, pgTables...), pgFunctions()...)
	case up:
		stmts = sqliteTables
	case pg:
		stmts = append(append(stmts, pgDrop...), dropTables...)
	default:
		stmts = dropTables
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("stores: migration: %w", err)
		}
	}
	return nil
}

// pgFunctions returns the CREATE FUNCTION statements of
// ratelimit_pg.sql, each ending with its $fn$ quote.
func pgFunctions() []string {
	var out []string
	for _, part := range strings.Split(rateLimitPG, "\n$fn$;") {
		if strings.Contains(part, "CREATE FUNCTION") {
			out = append(out, part+"\n$fn$")
		}
	}
	return out
}
