package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	neturl "net/url"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"

	"github.com/nexios-go/nexios"
)

// Dialect names a database engine.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a database opened with Open: a connection pool (two on a SQLite
// file: one writer connection and a pool of readers), the dialect, and the
// settings the queries share. It is safe for concurrent use.
type DB struct {
	dialect Dialect
	url     string // as given, for error messages without secrets (see redact)
	w       *bun.DB
	r       *bun.DB // == w unless SQLite on a file
	fold    func(expr string) string
	key     []byte // cursor signing key
	logger  *slog.Logger
	memory  bool

	models    sync.Map // reflect.Type → *model
	closeOnce sync.Once
	closeErr  error
}

// config is what the Options set.
type config struct {
	maxOpen     int
	maxIdle     int
	maxLifetime time.Duration
	maxIdleTime time.Duration
	busyTimeout time.Duration
	cursorKey   []byte
	logger      *slog.Logger
}

// Option configures Open.
type Option func(*config)

// WithMaxOpenConns bounds the open connections (PostgreSQL: default 25;
// SQLite: the read pool, default 4 — the writer is always one connection).
func WithMaxOpenConns(n int) Option { return func(c *config) { c.maxOpen = n } }

// WithMaxIdleConns bounds the idle connections kept (default: the maximum
// open, so a busy server does not reconnect).
func WithMaxIdleConns(n int) Option { return func(c *config) { c.maxIdle = n } }

// WithConnMaxLifetime closes connections older than d (default 30 minutes
// on PostgreSQL, so a fail-over or a pooler's rebalancing reaches every
// connection; never on SQLite).
func WithConnMaxLifetime(d time.Duration) Option { return func(c *config) { c.maxLifetime = d } }

// WithConnMaxIdleTime closes connections idle for d (default 5 minutes on
// PostgreSQL).
func WithConnMaxIdleTime(d time.Duration) Option { return func(c *config) { c.maxIdleTime = d } }

// WithBusyTimeout sets how long a SQLite statement waits for a lock held
// by another process before failing with SQLITE_BUSY (default 5s). Writers
// of this process never see it: they queue for the single writer
// connection.
func WithBusyTimeout(d time.Duration) Option { return func(c *config) { c.busyTimeout = d } }

// WithCursorKey sets the key that signs keyset-pagination cursors. Give
// every instance of a service the same secret (32 random bytes); the
// default is a random key per DB, so cursors do not survive a restart and
// are not accepted by another instance.
func WithCursorKey(key []byte) Option {
	return func(c *config) { c.cursorKey = append([]byte(nil), key...) }
}

// WithLogger sets the logger for the data layer's warnings (default
// slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// Open opens the database named by url and checks that it answers:
//
//	sqlite:app.db                  a SQLite file (created when missing)
//	sqlite:///var/lib/app/app.db   the same with an absolute path
//	sqlite::memory:                a private in-memory SQLite database
//	sqlite:file:app.db?mode=ro     a SQLite URI, passed to the driver
//	postgres://user@host/db?sslmode=disable   (or postgresql://)
//
// A SQLite file is tuned for a web server: WAL journal, a busy timeout,
// foreign keys enforced, synchronous=NORMAL, and writes through a single
// connection whose transactions begin IMMEDIATE, so concurrent writers
// queue instead of failing with SQLITE_BUSY while readers use a pool of
// read-only connections. An in-memory database is one connection.
func Open(ctx context.Context, url string, opts ...Option) (*DB, error) {
	cfg := config{busyTimeout: 5 * time.Second, logger: slog.Default()}
	for _, o := range opts {
		o(&cfg)
	}
	if len(cfg.cursorKey) == 0 {
		cfg.cursorKey = make([]byte, 32)
		_, _ = rand.Read(cfg.cursorKey) // crypto/rand.Read never fails (Go 1.24+)
	}
	d := &DB{url: redact(url), key: cfg.cursorKey, logger: cfg.logger}
	var err error
	switch {
	case strings.HasPrefix(url, "sqlite:") || strings.HasPrefix(url, "sqlite3:"):
		err = d.openSQLite(url[strings.IndexByte(url, ':')+1:], cfg)
	case strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://"):
		err = d.openPostgres(ctx, url, cfg)
	default:
		return nil, fmt.Errorf("db: unsupported database URL %q: want sqlite:… or postgres://…", d.url)
	}
	if err != nil {
		return nil, err
	}
	if err := d.Ping(ctx); err != nil {
		_ = d.Close()
		return nil, err
	}
	if d.dialect == Postgres {
		if err := d.chooseFold(ctx); err != nil {
			_ = d.Close()
			return nil, err
		}
	}
	return d, nil
}

// chooseFold picks the SQL that folds case like Fold. lower() follows the
// database's LC_CTYPE: under a UTF-8 libc locale it maps non-ASCII letters
// the way Go does; under "C" it folds ASCII only, and the ICU root
// collation, when the server has ICU, does the mapping instead.
func (d *DB) chooseFold(ctx context.Context) error {
	const probe = `SELECT lower('ÉΣẞЖ') = 'éσßж', EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu')`
	var native, icu bool
	if err := d.w.QueryRowContext(ctx, probe).Scan(&native, &icu); err != nil {
		return fmt.Errorf("db: probe case folding on %s: %w", d.url, err)
	}
	lower := "lower(%s)"
	switch {
	case native:
	case icu:
		// ICU lowers İ to i + U+0307 (full case mapping); Go and libc
		// to i. Replacing it by I first gives the same i.
		lower = `lower(replace(%s, 'İ', 'I') COLLATE "und-x-icu")`
	default:
		d.logger.WarnContext(ctx, "db: PostgreSQL lower() folds ASCII only here (LC_CTYPE C, no ICU); search will not fold accented letters", "db", d.url)
	}
	d.fold = func(expr string) string {
		return "replace(replace(" + fmt.Sprintf(lower, expr) + ", 'ς', 'σ'), 'ß', 'ss')"
	}
	return nil
}

// Dialect names the database engine: SQLite or Postgres.
func (d *DB) Dialect() Dialect { return d.dialect }

// SQL returns the *sql.DB writes and transactions go through, for
// libraries that take one (a job queue, goose). On a SQLite file it is
// the single writer connection: do not hold it for long.
func (d *DB) SQL() *sql.DB { return d.w.DB }

// ReadSQL returns the *sql.DB reads outside a transaction go through: the
// read-only pool on a SQLite file, else the same pool as SQL.
func (d *DB) ReadSQL() *sql.DB { return d.r.DB }

// Bun returns the bun database, the escape hatch to queries the facade
// does not cover. Inside Tx use the package-level Bun(ctx, d), which
// returns the transaction.
func (d *DB) Bun() *bun.DB { return d.w }

// Ping checks that the database answers (every pool): a readiness probe.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.w.PingContext(ctx); err != nil {
		return fmt.Errorf("db: ping %s: %w", d.url, err)
	}
	if d.r != d.w {
		if err := d.r.PingContext(ctx); err != nil {
			return fmt.Errorf("db: ping %s (readers): %w", d.url, err)
		}
	}
	return nil
}

// Close closes the pools, waiting for queries in progress. It is safe to
// call more than once.
func (d *DB) Close() error {
	d.closeOnce.Do(func() {
		var errs []error
		if d.r != d.w {
			errs = append(errs, d.r.Close())
		}
		errs = append(errs, d.w.Close())
		d.closeErr = errors.Join(errs...)
	})
	return d.closeErr
}

// Attach closes d when app shuts down (an OnShutdown hook).
func (d *DB) Attach(app *nexios.App) {
	app.OnShutdown(func(context.Context) error { return d.Close() })
}

// redact hides a password in a URL, for messages and logs.
func redact(raw string) string {
	u, err := neturl.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}

func orInt(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

func orDur(v, def time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return def
}

// newSQLiteBun wraps a SQLite pool for bun.
func newSQLiteBun(sqldb *sql.DB) *bun.DB { return bun.NewDB(sqldb, sqlitedialect.New()) }
