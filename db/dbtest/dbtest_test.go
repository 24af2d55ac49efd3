package dbtest_test

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
)

var migrations = fstest.MapFS{
	"00001_notes.sql": {Data: []byte("-- +goose Up\nCREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n-- +goose Down\nDROP TABLE notes;\n")},
}

// TestEachGivesIsolatedMigratedDatabases: both dialects run, each test
// gets its own migrated database, and a write in one is not seen by
// another.
func TestEachGivesIsolatedMigratedDatabases(t *testing.T) {
	t.Parallel()
	ran := map[db.Dialect]bool{}
	dbtest.Each(t, migrations, func(t *testing.T, d *db.DB) {
		ran[d.Dialect()] = true
		ctx := t.Context()
		if _, err := d.Exec(ctx, "INSERT INTO notes (id, body) VALUES (1, 'first')"); err != nil {
			t.Fatal(err)
		}
		other := dbtest.Open(t, d.Dialect(), migrations)
		var n int
		if err := other.SQL().QueryRowContext(ctx, "SELECT count(*) FROM notes").Scan(&n); err != nil || n != 0 {
			t.Fatalf("second database sees %d notes (%v)", n, err)
		}
	})
	if !ran[db.SQLite] {
		t.Fatal("the SQLite subtest did not run")
	}
}

// TestPostgresDatabasesAreOwnedAndDropped: each test gets a
// database of its own, gone after the test.
func TestPostgresDatabasesAreOwnedAndDropped(t *testing.T) {
	t.Parallel()
	base := dbtest.URL(t)
	var names []string
	t.Run("use", func(t *testing.T) {
		for range 2 {
			d := dbtest.Postgres(t, migrations)
			var name string
			if err := d.SQL().QueryRowContext(t.Context(), "SELECT current_database()").Scan(&name); err != nil {
				t.Fatal(err)
			}
			names = append(names, name)
		}
		if names[0] == names[1] {
			t.Fatal("two tests share a database")
		}
	})
	admin, err := db.Open(context.Background(), base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for _, name := range names {
		var exists bool
		if err := admin.SQL().QueryRow("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil || exists {
			t.Fatalf("database %s still exists after its test (%v)", name, err)
		}
	}
}

// TestStaleDatabasesAreSwept: a per-test database left by a killed test
// process (its name says it is over an hour old) is dropped by the next
// test that creates one.
func TestStaleDatabasesAreSwept(t *testing.T) {
	t.Parallel()
	base := dbtest.URL(t)
	admin, err := db.Open(context.Background(), base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	stale := fmt.Sprintf("nexios_test_%d_deadbeef", time.Now().Add(-2*time.Hour).Unix())
	if _, err := admin.SQL().Exec("CREATE DATABASE " + stale); err != nil {
		t.Fatal(err)
	}
	dbtest.Postgres(t, migrations)
	var exists bool
	if err := admin.SQL().QueryRow("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", stale).Scan(&exists); err != nil || exists {
		_, _ = admin.SQL().Exec("DROP DATABASE IF EXISTS " + stale)
		t.Fatalf("stale database not swept (%v)", err)
	}
}
