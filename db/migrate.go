package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrator applies the versioned migrations of a directory to a DB. Make
// one with DB.Migrator.
//
// The directory holds goose migrations — NNNNN_name.sql files with
// "-- +goose Up" and "-- +goose Down" sections — shared by both
// dialects, plus optional sqlite/ and postgres/ subdirectories whose
// files are used by that dialect only and replace a shared file of the
// same version:
//
//	migrations/00001_users.sql           both
//	migrations/sqlite/00002_search.sql   SQLite's version 2
//	migrations/postgres/00002_search.sql PostgreSQL's version 2
//
// Go migrations (WithGoMigrations) join them by version. On PostgreSQL a
// session advisory lock makes instances that start together migrate
// once: the others wait, then find nothing to do.
type Migrator struct {
	d     *DB
	p     *goose.Provider
	table string
}

// MigrateOption configures a Migrator.
type MigrateOption func(*migrateConfig)

type migrateConfig struct {
	table string
	gos   []GoMigration
}

// GoMigration is a migration written in Go. Up and Down run in the
// migration's transaction, which their context carries: Q, Create, Exec
// and the other functions of the package run in it, and SQLTx(ctx)
// returns it. (Bun(ctx, d) does not: goose begins that transaction, not
// bun; use SQLTx there.) A nil Down makes the migration irreversible
// (Down fails).
type GoMigration struct {
	Version int64
	Up      func(ctx context.Context) error
	Down    func(ctx context.Context) error
}

// WithGoMigrations adds Go migrations.
func WithGoMigrations(ms ...GoMigration) MigrateOption {
	return func(c *migrateConfig) { c.gos = append(c.gos, ms...) }
}

// WithVersionTable names the table that records applied versions
// (default "goose_db_version").
func WithVersionTable(name string) MigrateOption {
	return func(c *migrateConfig) { c.table = name }
}

// Migrate applies every pending migration of fsys (see Migrator) and
// returns when the database is up to date: the one call an app makes at
// start-up. Several instances starting together migrate once on
// PostgreSQL (the migrator holds a session lock).
func (d *DB) Migrate(ctx context.Context, fsys fs.FS, opts ...MigrateOption) error {
	m, err := d.Migrator(fsys, opts...)
	if err != nil {
		return err
	}
	return m.Up(ctx)
}

// Migrator returns a Migrator for the migrations in fsys (its root is the
// migrations directory: pass fs.Sub(embedded, "migrations")); a nil fsys
// has no files, for Go migrations only.
func (d *DB) Migrator(fsys fs.FS, opts ...MigrateOption) (*Migrator, error) {
	cfg := migrateConfig{table: goose.DefaultTablename}
	for _, o := range opts {
		o(&cfg)
	}
	merged, err := dialectFS(fsys, d.dialect)
	if err != nil {
		return nil, err
	}
	popts := []goose.ProviderOption{
		goose.WithDisableGlobalRegistry(true),
		goose.WithTableName(cfg.table),
		goose.WithSlog(d.logger),
	}
	for _, g := range cfg.gos {
		popts = append(popts, goose.WithGoMigrations(d.gooseMigration(g)))
	}
	gd := goose.DialectSQLite3
	if d.dialect == Postgres {
		gd = goose.DialectPostgres
		// Retry every second for up to 10 minutes: a slow migration on
		// another instance holds the lock that long.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 600))
		if err != nil {
			return nil, fmt.Errorf("db: migration lock: %w", err)
		}
		popts = append(popts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gd, d.SQL(), merged, popts...)
	if err != nil {
		return nil, fmt.Errorf("db: migrations: %w", err)
	}
	return &Migrator{d: d, p: p, table: cfg.table}, nil
}

func (d *DB) gooseMigration(g GoMigration) *goose.Migration {
	wrap := func(fn func(context.Context) error) *goose.GoFunc {
		if fn == nil {
			return &goose.GoFunc{RunTx: func(context.Context, *sql.Tx) error {
				return fmt.Errorf("db: migration %d cannot be rolled back", g.Version)
			}}
		}
		return &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
			return fn(d.withSQLTx(ctx, tx))
		}}
	}
	return goose.NewGoMigration(g.Version, wrap(g.Up), wrap(g.Down))
}

// Up applies every pending migration.
func (m *Migrator) Up(ctx context.Context) error {
	_, err := m.p.Up(ctx)
	return migrateErr("up", err)
}

// UpTo applies the pending migrations up to and including version.
func (m *Migrator) UpTo(ctx context.Context, version int64) error {
	_, err := m.p.UpTo(ctx, version)
	return migrateErr("up", err)
}

// Down rolls back the most recently applied migration.
func (m *Migrator) Down(ctx context.Context) error {
	_, err := m.p.Down(ctx)
	return migrateErr("down", err)
}

// DownTo rolls back the migrations above version (0: all of them).
func (m *Migrator) DownTo(ctx context.Context, version int64) error {
	_, err := m.p.DownTo(ctx, version)
	return migrateErr("down", err)
}

// Redo rolls back the most recently applied migration and applies it
// again.
func (m *Migrator) Redo(ctx context.Context) error {
	if err := m.Down(ctx); err != nil {
		return err
	}
	_, err := m.p.UpByOne(ctx)
	return migrateErr("redo", err)
}

// Version returns the highest applied version (0 for none).
func (m *Migrator) Version(ctx context.Context) (int64, error) {
	v, err := m.p.GetDBVersion(ctx)
	return v, migrateErr("version", err)
}

// MigrationStatus is the state of one migration.
type MigrationStatus struct {
	Version   int64
	Source    string // file name, or "" for a Go migration
	Applied   bool
	AppliedAt time.Time
}

// Status lists every migration, in version order, with its state.
func (m *Migrator) Status(ctx context.Context) ([]MigrationStatus, error) {
	st, err := m.p.Status(ctx)
	if err != nil {
		return nil, migrateErr("status", err)
	}
	out := make([]MigrationStatus, len(st))
	for i, s := range st {
		out[i] = MigrationStatus{Version: s.Source.Version, Source: s.Source.Path, Applied: s.State == goose.StateApplied, AppliedAt: s.AppliedAt}
	}
	return out, nil
}

// PendingError lists migrations not applied yet.
type PendingError struct {
	Pending []MigrationStatus
}

func (e *PendingError) Error() string {
	names := make([]string, len(e.Pending))
	for i, p := range e.Pending {
		names[i] = fmt.Sprint(p.Version)
		if p.Source != "" {
			names[i] = p.Source
		}
	}
	return fmt.Sprintf("db: %d migration(s) pending: %s", len(e.Pending), strings.Join(names, ", "))
}

// Pending returns a *PendingError naming the migrations not applied yet,
// or nil: a start-up or readiness check for instances that must not run
// against an old schema.
func (m *Migrator) Pending(ctx context.Context) error {
	st, err := m.Status(ctx)
	if err != nil {
		return err
	}
	var pending []MigrationStatus
	for _, s := range st {
		if !s.Applied {
			pending = append(pending, s)
		}
	}
	if len(pending) > 0 {
		return &PendingError{Pending: pending}
	}
	return nil
}

// RoundTrip checks that the migrations undo cleanly, for CI: it rolls
// back whatever is applied, applies every migration, rolls them all back
// and applies them again, and fails when a step fails, when rolling back
// does not restore the schema it started from, or when the second up
// builds another schema than the first. It drops every migrated table:
// run it on a scratch database (dbtest.EmptyPostgres, sqlite::memory:).
func (m *Migrator) RoundTrip(ctx context.Context) error {
	if err := m.DownTo(ctx, 0); err != nil {
		return fmt.Errorf("db: round trip, initial down: %w", err)
	}
	base, err := m.d.schema(ctx, m.table)
	if err != nil {
		return err
	}
	if err := m.Up(ctx); err != nil {
		return fmt.Errorf("db: round trip, first up: %w", err)
	}
	up, err := m.d.schema(ctx, m.table)
	if err != nil {
		return err
	}
	if err := m.DownTo(ctx, 0); err != nil {
		return fmt.Errorf("db: round trip, down: %w", err)
	}
	down, err := m.d.schema(ctx, m.table)
	if err != nil {
		return err
	}
	if diff := diffSchema(base, down); diff != "" {
		return fmt.Errorf("db: round trip: rolling back every migration does not restore the schema: %s", diff)
	}
	if err := m.Up(ctx); err != nil {
		return fmt.Errorf("db: round trip, second up: %w", err)
	}
	again, err := m.d.schema(ctx, m.table)
	if err != nil {
		return err
	}
	if diff := diffSchema(up, again); diff != "" {
		return fmt.Errorf("db: round trip: up after down builds another schema: %s", diff)
	}
	return nil
}

func migrateErr(what string, err error) error {
	if err == nil || (errors.Is(err, goose.ErrNoNextVersion) && what == "up") {
		return nil // nothing to apply: up to date
	}
	var pe *goose.PartialError
	if errors.As(err, &pe) && pe.Failed != nil && pe.Failed.Source != nil {
		name := pe.Failed.Source.Path
		if name == "" {
			name = fmt.Sprintf("Go migration %d", pe.Failed.Source.Version)
		}
		return fmt.Errorf("db: migrate %s: %s failed (%d applied before it): %w", what, name, len(pe.Applied), err)
	}
	return fmt.Errorf("db: migrate %s: %w", what, err)
}
