package stores_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
	"github.com/nexios-go/nexios/db/stores"
)

// options migrate test databases with the stores' migration. The
// PostgreSQL template is keyed by the schema's source, so that a change
// to it builds a new template.
func options(t testing.TB) dbtest.Options {
	t.Helper()
	h := sha256.New()
	for _, f := range []string{"migrate.go", "ratelimit_pg.sql"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		h.Write(b)
	}
	return dbtest.Options{
		Migrate:     []db.MigrateOption{db.WithGoMigrations(stores.Migration(1))},
		TemplateKey: "stores-" + hex.EncodeToString(h.Sum(nil)[:8]),
	}
}

// dialects are the databases every store is tested on: SQLite in memory
// (one connection), a SQLite file (WAL, one writer and a pool of
// readers, as in production) and PostgreSQL.
var dialects = []string{"sqlite", "sqlite-file", "postgres"}

// open returns a fresh migrated database of the kind named, closed when
// the test ends (PostgreSQL tests skip when NEXIOS_TEST_POSTGRES_URL is
// unset).
func open(t testing.TB, kind string) *db.DB {
	t.Helper()
	switch kind {
	case "sqlite":
		return dbtest.SQLite(t, nil, options(t))
	case "postgres":
		return dbtest.Postgres(t, nil, options(t))
	}
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "app.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if err := stores.Migrate(ctx, d); err != nil {
		t.Fatal(err)
	}
	return d
}

// each runs fn as a parallel subtest on every dialect.
func each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	eachOf(t, dialects, fn)
}

// eachOf runs fn as a parallel subtest on each of kinds.
func eachOf(t *testing.T, kinds []string, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			fn(t, open(t, kind))
		})
	}
}

// eachFresh runs fn as a parallel subtest on every dialect with a
// function that returns a database for a suite's subtest: a fresh one on
// SQLite, whose single writer connection would otherwise make the
// parallel subtests of a suite wait for each other (and miss their
// timings on a loaded machine), the same one on PostgreSQL.
func eachFresh(t *testing.T, fn func(t *testing.T, database func(t *testing.T) *db.DB)) {
	t.Helper()
	for _, kind := range dialects {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			if kind != "postgres" {
				fn(t, func(t *testing.T) *db.DB { return open(t, kind) })
				return
			}
			d := open(t, kind)
			fn(t, func(*testing.T) *db.DB { return d })
		})
	}
}

// postgresURLs creates an empty PostgreSQL database for the test, migrates
// it, and returns n databases opened on it: n instances of an app.
func postgresURLs(t testing.TB, n int) (string, []*db.DB) {
	t.Helper()
	url := dbtest.EmptyPostgres(t)
	ctx := context.Background()
	out := make([]*db.DB, n)
	for i := range out {
		d, err := db.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = d.Close() })
		out[i] = d
	}
	if err := stores.Migrate(ctx, out[0]); err != nil {
		t.Fatal(err)
	}
	return url, out
}
