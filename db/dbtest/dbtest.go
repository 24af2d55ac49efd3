// Package dbtest gives each test a fresh, migrated database: an in-memory
// SQLite database, or a PostgreSQL database cloned from a template that
// was migrated once (CREATE DATABASE … TEMPLATE …, a few milliseconds).
// Each runs a test body once per dialect:
//
//	func TestUsers(t *testing.T) {
//		dbtest.Each(t, migrations, func(t *testing.T, d *db.DB) {
//			// the same assertions on SQLite and on PostgreSQL
//		})
//	}
//
// PostgreSQL comes from NEXIOS_TEST_POSTGRES_URL (a database the test may
// CREATE DATABASE from); when the variable is unset the PostgreSQL
// subtests are skipped with a message saying so.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/nexios-go/nexios/db"
)

// EnvPostgres is the variable naming the PostgreSQL server tests use.
const EnvPostgres = "NEXIOS_TEST_POSTGRES_URL"

// Options configure the databases the helpers open.
type Options struct {
	// Open are options for db.Open.
	Open []db.Option
	// Migrate are options for the migrator (Go migrations).
	Migrate []db.MigrateOption
	// TemplateKey distinguishes PostgreSQL templates whose Go migrations
	// changed while their files did not (the files are hashed, the Go
	// code cannot be).
	TemplateKey string
}

// Each runs fn as the subtest "sqlite" on a fresh in-memory SQLite
// database and as "postgres" on a fresh PostgreSQL database, both
// migrated with the migrations in fsys (nil for none).
func Each(t *testing.T, fsys fs.FS, fn func(t *testing.T, d *db.DB), opts ...Options) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, SQLite(t, fsys, opts...))
	})
	t.Run("postgres", func(t *testing.T) {
		fn(t, Postgres(t, fsys, opts...))
	})
}

// Open returns a fresh migrated database of the dialect: SQLite or
// Postgres (skipping the test when PostgreSQL is not configured).
func Open(t testing.TB, dialect db.Dialect, fsys fs.FS, opts ...Options) *db.DB {
	t.Helper()
	if dialect == db.Postgres {
		return Postgres(t, fsys, opts...)
	}
	return SQLite(t, fsys, opts...)
}

// SQLite returns a fresh in-memory SQLite database migrated with fsys,
// closed when the test ends.
func SQLite(t testing.TB, fsys fs.FS, opts ...Options) *db.DB {
	t.Helper()
	o := merge(opts)
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite::memory:", o.Open...)
	if err != nil {
		t.Fatalf("dbtest: open SQLite: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if err := migrate(ctx, d, fsys, o); err != nil {
		t.Fatalf("dbtest: migrate SQLite: %v", err)
	}
	return d
}

// MaxOpenConns is the pool size of a database from Postgres: small, so
// that the tests of several packages running at once stay under the
// server's max_connections, and large enough for concurrency tests to
// race for real. Options.Open may set another (db.WithMaxOpenConns).
const MaxOpenConns = 8

// Postgres returns a fresh PostgreSQL database cloned from a template
// migrated with fsys, dropped when the test ends. It skips the test when
// NEXIOS_TEST_POSTGRES_URL is unset.
func Postgres(t testing.TB, fsys fs.FS, opts ...Options) *db.DB {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("dbtest: %s is not set; PostgreSQL tests skipped (e.g. %s=postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", EnvPostgres, EnvPostgres)
	}
	o := merge(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, err := openAdmin(base)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	defer admin.Close()
	tpl, err := templateDB(ctx, admin, base, fsys, o)
	if err != nil {
		t.Fatalf("dbtest: PostgreSQL template: %v", err)
	}
	sweep(ctx, admin)
	name := newName()
	if err := createFrom(ctx, admin, name, tpl); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	// Many tests share one server (max_connections is 100 by default):
	// each test database gets a small pool unless the test asks for more.
	d, err := db.Open(ctx, withDatabase(base, name), append([]db.Option{db.WithMaxOpenConns(MaxOpenConns)}, o.Open...)...)
	if err != nil {
		_ = dropDatabase(context.Background(), base, name)
		t.Fatalf("dbtest: open %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = d.Close()
		if err := dropDatabase(context.Background(), base, name); err != nil {
			t.Logf("dbtest: drop %s: %v", name, err)
		}
	})
	return d
}

// URL returns the PostgreSQL URL of the test server, skipping the test
// when it is not configured; for tests that manage databases themselves.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvPostgres)
	if u == "" {
		t.Skipf("dbtest: %s is not set; PostgreSQL tests skipped", EnvPostgres)
	}
	return u
}

// EmptyPostgres creates an empty PostgreSQL database for the test,
// dropped when it ends, and returns its URL (skipping the test when
// PostgreSQL is not configured): for tests of migrations themselves.
func EmptyPostgres(t testing.TB) string {
	t.Helper()
	base := URL(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := openAdmin(base)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	defer admin.Close()
	sweep(ctx, admin)
	name := newName()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	t.Cleanup(func() {
		if err := dropDatabase(context.Background(), base, name); err != nil {
			t.Logf("dbtest: drop %s: %v", name, err)
		}
	})
	return withDatabase(base, name)
}

func merge(opts []Options) Options {
	var o Options
	for _, x := range opts {
		o.Open = append(o.Open, x.Open...)
		o.Migrate = append(o.Migrate, x.Migrate...)
		o.TemplateKey += x.TemplateKey
	}
	return o
}

func migrate(ctx context.Context, d *db.DB, fsys fs.FS, o Options) error {
	if fsys == nil && len(o.Migrate) == 0 {
		return nil
	}
	m, err := d.Migrator(fsys, o.Migrate...)
	if err != nil {
		return err
	}
	return m.Up(ctx)
}

func openAdmin(base string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", EnvPostgres, err)
	}
	admin := stdlib.OpenDB(*cfg)
	admin.SetMaxOpenConns(2)
	return admin, nil
}

// templateDB returns the name of a template database migrated with fsys,
// creating it once per migration set. Processes racing to create it (go
// test runs packages in parallel) serialise on an advisory lock; a
// template is built under a temporary name and renamed when complete,
// so a crash never leaves a half-migrated one behind.
func templateDB(ctx context.Context, admin *sql.DB, base string, fsys fs.FS, o Options) (string, error) {
	sum, err := hashFS(fsys)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256([]byte(sum + "\x00" + o.TemplateKey))
	name := "nexios_tpl_" + hex.EncodeToString(h[:8])
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	lockID := int64(h[8])<<56 | int64(h[9])<<48 | int64(h[10])<<40 | int64(h[11])<<32 | int64(h[12])<<24 | int64(h[13])<<16 | int64(h[14])<<8 | int64(h[15])
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockID); err != nil {
		return "", err
	}
	defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockID) }()
	var exists bool
	if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	if _, err := conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{building}.Sanitize()+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+pgx.Identifier{building}.Sanitize()); err != nil {
		return "", err
	}
	d, err := db.Open(ctx, withDatabase(base, building), o.Open...)
	if err != nil {
		return "", err
	}
	merr := migrate(ctx, d, fsys, o)
	if err := d.Close(); err != nil && merr == nil {
		merr = err
	}
	if merr != nil {
		return "", merr
	}
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+pgx.Identifier{building}.Sanitize()+" RENAME TO "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", err
	}
	return name, nil
}

// createFrom clones tpl, retrying while another session briefly holds
// the template (PostgreSQL refuses a template that has connections).
func createFrom(ctx context.Context, admin *sql.DB, name, tpl string) error {
	q := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize() + " TEMPLATE " + pgx.Identifier{tpl}.Sanitize()
	for delay := 10 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		_, err := admin.ExecContext(ctx, q)
		var pe *pgconn.PgError
		if err == nil || !errors.As(err, &pe) || pe.Code != "55006" {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %w)", ctx.Err(), err)
		case <-time.After(delay):
		}
	}
}

func dropDatabase(ctx context.Context, base, name string) error {
	admin, err := openAdmin(base)
	if err != nil {
		return err
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// withDatabase returns base with its database name replaced.
func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name
	return u.String()
}

// hashFS hashes every file of fsys (names and contents), so a template
// is rebuilt when a migration changes.
func hashFS(fsys fs.FS) (string, error) {
	h := sha256.New()
	if fsys == nil {
		return "none", nil
	}
	err := fs.WalkDir(fsys, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		f, err := fsys.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, _ = io.WriteString(h, p+"\x00")
		_, err = io.Copy(h, f)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("hash migrations: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// testPrefix starts the name of every per-test database; the creation
// time follows, so that databases a killed test process could not drop
// are swept later.
const testPrefix = "nexios_test_"

// staleAfter is the age past which a per-test database is assumed
// abandoned: no test runs that long.
const staleAfter = time.Hour

func newName() string {
	return fmt.Sprintf("%s%d_%s", testPrefix, time.Now().Unix(), randomHex(6))
}

// sweep drops per-test databases older than staleAfter, left behind by
// test processes that were killed before their clean-up ran. Failures
// are ignored: another process may be sweeping too.
func sweep(ctx context.Context, admin *sql.DB) {
	rows, err := admin.QueryContext(ctx, "SELECT datname FROM pg_database WHERE datname LIKE 'nexios\\_test\\_%'")
	if err != nil {
		return
	}
	var stale []string
	for rows.Next() {
		var name string
		if rows.Scan(&name) != nil {
			continue
		}
		stamp, _, ok := strings.Cut(strings.TrimPrefix(name, testPrefix), "_")
		sec, err := strconv.ParseInt(stamp, 10, 64)
		if ok && err == nil && time.Since(time.Unix(sec, 0)) > staleAfter {
			stale = append(stale, name)
		}
	}
	_ = rows.Close()
	for _, name := range stale {
		_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToLower(hex.EncodeToString(b))
}
