package jobs

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/nexios-go/nexios/db"
)

// Migration returns the migration that creates River's tables (Up) and
// drops them (Down), as version `version` of the app's own migrations, so
// that `migrate` applies it with the others and a pending-migrations check
// (Migrator.Pending) sees it:
//
//	m, err := d.Migrator(migrations, db.WithGoMigrations(jobs.Migration(d, 20250601000000)))
//
// Up brings River's schema to the version this release of River needs;
// it does nothing for the parts already there. After an upgrade of River
// that needs newer tables, Start fails with a *SchemaError: add a second
// jobs.Migration with a new version (or run Migrate). Down removes River's
// tables entirely, jobs included.
//
// On SQLite River's migrations run in the migration's transaction. On
// PostgreSQL they cannot (a migration adds an enum value that the next
// uses, which PostgreSQL refuses within one transaction): they run on the
// database's pool, each in its own transaction, while the migrator's lock
// keeps other instances waiting; River records each applied step, so a
// run that fails part-way resumes where it stopped.
func Migration(d *db.DB, version int64) db.GoMigration {
	return db.GoMigration{
		Version: version,
		Up: func(ctx context.Context) error {
			return migrate(ctx, d, rivermigrate.DirectionUp)
		},
		Down: func(ctx context.Context) error {
			return migrate(ctx, d, rivermigrate.DirectionDown)
		},
	}
}

// Migrate brings River's tables up to date directly, without the app's
// migrations: for tests, and for apps that keep no migrations of their
// own.
func Migrate(ctx context.Context, d *db.DB) error {
	return migrate(ctx, d, rivermigrate.DirectionUp)
}

// SchemaError reports River tables older than the running River needs.
type SchemaError struct {
	// Missing lists River's migration versions not applied.
	Missing []int
}

// Error names the missing migrations and what to do.
func (e *SchemaError) Error() string {
	return fmt.Sprintf("jobs: River's tables are missing migrations %v: apply the app's migrations (jobs.Migration) or run jobs.Migrate", e.Missing)
}

// CheckSchema returns a *SchemaError when River's tables are missing or
// older than this release needs, nil when they are up to date. Start
// calls it.
func CheckSchema(ctx context.Context, d *db.DB) error {
	var (
		existing []rivermigrate.Migration
		all      []rivermigrate.Migration
	)
	switch d.Dialect() {
	case db.SQLite:
		m, err := rivermigrate.New(riversqlite.New(d.SQL()), &rivermigrate.Config{Logger: migrateLogger()})
		if err != nil {
			return fmt.Errorf("jobs: schema: %w", err)
		}
		all = m.AllVersions()
		if tx, ok := db.SQLTx(ctx); ok && d.InTx(ctx) {
			existing, err = m.ExistingVersionsTx(ctx, tx)
		} else {
			existing, err = m.ExistingVersions(ctx)
		}
		if err != nil {
			return fmt.Errorf("jobs: schema: %w", err)
		}
	case db.Postgres:
		drv, _, err := postgresDriver(ctx, d.SQL(), false)
		if err != nil {
			return err
		}
		m, err := rivermigrate.New(drv, &rivermigrate.Config{Logger: migrateLogger()})
		if err != nil {
			return fmt.Errorf("jobs: schema: %w", err)
		}
		all = m.AllVersions()
		if existing, err = m.ExistingVersions(ctx); err != nil {
			return fmt.Errorf("jobs: schema: %w", err)
		}
	default:
		return fmt.Errorf("jobs: unsupported dialect %q", d.Dialect())
	}
	have := make(map[int]bool, len(existing))
	for _, m := range existing {
		have[m.Version] = true
	}
	var missing []int
	for _, m := range all {
		if !have[m.Version] {
			missing = append(missing, m.Version)
		}
	}
	if len(missing) > 0 {
		return &SchemaError{Missing: missing}
	}
	return nil
}

// migrate runs River's migrations in direction dir: all pending ones up,
// or all applied ones down.
func migrate(ctx context.Context, d *db.DB, dir rivermigrate.Direction) error {
	opts := &rivermigrate.MigrateOpts{}
	if dir == rivermigrate.DirectionDown {
		opts.TargetVersion = -1 // every step: River's tables go
	}
	cfg := &rivermigrate.Config{Logger: migrateLogger()}
	var err error
	switch d.Dialect() {
	case db.SQLite:
		var m *rivermigrate.Migrator[sqlTx]
		if m, err = rivermigrate.New(riversqlite.New(d.SQL()), cfg); err != nil {
			break
		}
		if tx, ok := db.SQLTx(ctx); ok && d.InTx(ctx) {
			// The transaction holds SQLite's only writer connection, so
			// the migrations must run in it. SQLite's DDL is
			// transactional and River's SQLite migrations need no commit
			// between steps, which is why River deprecates MigrateTx
			// (for PostgreSQL's sake).
			//lint:ignore SA1019 see above: one transaction is safe on SQLite and required here.
			_, err = m.MigrateTx(ctx, tx, dir, opts)
		} else {
			_, err = m.Migrate(ctx, dir, opts)
		}
	case db.Postgres:
		var drv riverdriver.Driver[sqlTx]
		if drv, _, err = postgresDriver(ctx, d.SQL(), false); err != nil {
			break
		}
		var m *rivermigrate.Migrator[sqlTx]
		if m, err = rivermigrate.New(drv, cfg); err != nil {
			break
		}
		_, err = m.Migrate(ctx, dir, opts)
	default:
		err = fmt.Errorf("unsupported dialect %q", d.Dialect())
	}
	if err != nil {
		return fmt.Errorf("jobs: River migrations %s: %w", dir, err)
	}
	return nil
}

// migrateLogger is River's migrator's logger: warnings and errors of
// slog.Default(). The steps themselves are the data layer migrator's to
// report.
func migrateLogger() *slog.Logger {
	return slog.New(warnOnly{slog.Default().Handler()})
}

// warnOnly drops records below slog.LevelWarn.
type warnOnly struct{ slog.Handler }

func (h warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && h.Handler.Enabled(ctx, l)
}

func (h warnOnly) WithAttrs(attrs []slog.Attr) slog.Handler {
	return warnOnly{h.Handler.WithAttrs(attrs)}
}

func (h warnOnly) WithGroup(name string) slog.Handler { return warnOnly{h.Handler.WithGroup(name)} }
