package db_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
)

// emptyDB is an empty database of the dialect, for migration tests.
func emptyDB(t *testing.T, dialect db.Dialect) *db.DB {
	t.Helper()
	u := "sqlite::memory:"
	if dialect == db.Postgres {
		u = dbtest.EmptyPostgres(t)
	}
	d, err := db.Open(ctxT(t), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

func eachDialect(t *testing.T, fn func(t *testing.T, dialect db.Dialect)) {
	for _, dl := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dl), func(t *testing.T) {
			t.Parallel()
			fn(t, dl)
		})
	}
}

func TestMigrationsRoundTripAndStatus(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, dialect db.Dialect) {
		ctx := ctxT(t)
		d := emptyDB(t, dialect)
		m, err := d.Migrator(migrations(), testOptions.Migrate...)
		if err != nil {
			t.Fatal(err)
		}
		var pe *db.PendingError
		err = m.Pending(ctx)
		if !errors.As(err, &pe) || len(pe.Pending) != 4 || !strings.Contains(err.Error(), "00001_init.sql") || !strings.Contains(err.Error(), "4 migration(s) pending") {
			t.Fatalf("Pending before Up: %v", err)
		}
		if err := m.RoundTrip(ctx); err != nil {
			t.Fatal(err)
		}
		if err := m.Pending(ctx); err != nil {
			t.Fatalf("Pending after Up: %v", err)
		}
		st, err := m.Status(ctx)
		if err != nil || len(st) != 4 || !st[3].Applied || st[1].Source != "00002_items.sql" {
			t.Fatalf("Status: %+v %v", st, err)
		}
		// The dialect's 00002 replaced the shared one (which would fail).
		if n := count(t, d, "items"); n != 0 {
			t.Fatal(n)
		}
		if err := m.Redo(ctx); err != nil {
			t.Fatal(err)
		}
		if v, err := m.Version(ctx); err != nil || v != 4 {
			t.Fatalf("version %d %v", v, err)
		}
		if n := count(t, d, "settings"); n != 1 {
			t.Fatalf("Go migration rows after redo: %d", n)
		}
		if err := m.DownTo(ctx, 1); err != nil {
			t.Fatal(err)
		}
		if err := m.Pending(ctx); err == nil || !strings.Contains(err.Error(), "3 migration(s)") {
			t.Fatalf("Pending after DownTo(1): %v", err)
		}
		if err := m.UpTo(ctx, 3); err != nil {
			t.Fatal(err)
		}
		if v, _ := m.Version(ctx); v != 3 {
			t.Fatalf("UpTo(3) left version %d", v)
		}
		if err := m.Down(ctx); err != nil {
			t.Fatal(err)
		}
		if err := m.Up(ctx); err != nil {
			t.Fatal(err)
		}
		if err := m.Up(ctx); err != nil {
			t.Fatalf("Up when up to date: %v", err)
		}
	})
}

// TestRoundTripCatchesIncompleteDown: a Down that leaves an index behind
// is reported, naming it.
func TestRoundTripCatchesIncompleteDown(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"00001_t.sql": {Data: []byte("-- +goose Up\nCREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR);\nCREATE INDEX t_name_idx ON t (name);\n-- +goose Down\nDROP INDEX t_name_idx;\nDROP TABLE t;\n")},
		"00002_u.sql": {Data: []byte("-- +goose Up\nCREATE TABLE u (id INTEGER PRIMARY KEY);\n-- +goose Down\nSELECT 1;\n")},
	}
	eachDialect(t, func(t *testing.T, dialect db.Dialect) {
		d := emptyDB(t, dialect)
		m, err := d.Migrator(fsys)
		if err != nil {
			t.Fatal(err)
		}
		err = m.RoundTrip(ctxT(t))
		if err == nil || !strings.Contains(err.Error(), "left over") || !strings.Contains(err.Error(), " u") {
			t.Fatalf("RoundTrip: %v", err)
		}
	})
}

func TestMigratorRejectsBadDirectories(t *testing.T) {
	t.Parallel()
	d := emptyDB(t, db.SQLite)
	for name, fsys := range map[string]fstest.MapFS{
		"duplicate version": {"00001_a.sql": {Data: []byte("-- +goose Up\nSELECT 1;\n")}, "00001_b.sql": {Data: []byte("-- +goose Up\nSELECT 1;\n")}},
		"no migrations":     {"README.md": {Data: []byte("hi")}},
	} {
		if _, err := d.Migrator(fsys); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	bad := fstest.MapFS{"00001_a.sql": {Data: []byte("-- +goose Up\nCREATE TABLE broken (;\n-- +goose Down\nSELECT 1;\n")}}
	m, err := d.Migrator(bad)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Up(ctxT(t)); err == nil || !strings.Contains(err.Error(), "00001_a.sql") {
		t.Fatalf("a failing migration: %v", err)
	}
	if err := m.Pending(ctxT(t)); err == nil {
		t.Fatal("a failed migration is not pending")
	}
}

// TestConcurrentMigratorsMigrateOnce races three instances migrating one
// PostgreSQL database: the session lock lets one apply the migrations
// while the others wait and then find nothing to do. The Go migration
// inserts a row with a primary key, so a second run would fail.
func TestConcurrentMigratorsMigrateOnce(t *testing.T) {
	t.Parallel()
	u := dbtest.EmptyPostgres(t)
	ctx := ctxT(t)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	start := make(chan struct{})
	for i := range 3 {
		d, err := db.Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		m, err := d.Migrator(migrations(), testOptions.Migrate...)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = m.Up(ctx)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
	d, err := db.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var applied int
	if err := d.SQL().QueryRowContext(ctx, "SELECT count(*) FROM goose_db_version WHERE version_id > 0").Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if applied != 4 || count(t, d, "settings") != 1 {
		t.Fatalf("%d versions recorded, %d settings rows: migrated more than once", applied, count(t, d, "settings"))
	}
}

func TestCreateMigration(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p1, err := db.CreateMigration(dir, "Add users!", "")
	if err != nil || filepath.Base(p1) != "00001_add_users.sql" {
		t.Fatalf("%s %v", p1, err)
	}
	p2, err := db.CreateMigration(dir, "search", db.Postgres)
	if err != nil || p2 != filepath.Join(dir, "postgres", "00002_search.sql") {
		t.Fatalf("%s %v", p2, err)
	}
	paths, err := db.WriteInitialMigration(dir, "", &User{}, &Post{})
	if err != nil || len(paths) != 2 || filepath.Base(paths[0]) != "00003_init.sql" {
		t.Fatalf("%v %v", paths, err)
	}
	if _, err := db.CreateMigration(dir, "  ", ""); err == nil {
		t.Fatal("empty name accepted")
	}
	body, _ := os.ReadFile(p1)
	if !strings.Contains(string(body), "-- +goose Up") || !strings.Contains(string(body), "-- +goose Down") {
		t.Fatalf("template: %s", body)
	}
}

// TestGeneratedMigrationRuns applies a migration generated from the
// models to each dialect and uses it: the generator's output is valid
// SQL with working constraints there.
func TestGeneratedMigrationRuns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := db.WriteInitialMigration(dir, "init", &Post{}, &User{}); err != nil {
		t.Fatal(err)
	}
	eachDialect(t, func(t *testing.T, dialect db.Dialect) {
		ctx := ctxT(t)
		d := emptyDB(t, dialect)
		m, err := d.Migrator(os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.RoundTrip(ctx); err != nil {
			t.Fatal(err)
		}
		u := newUser(t, d, "gen")
		newPost(t, d, u, "p")
		err = db.Create(ctx, d, &User{Username: "gen", Email: "x@example.com"})
		httpError(t, err, 409)
	})
}

type cycleA struct {
	db.BaseModel `bun:"table:cycle_a"`
	ID           int64 `bun:",pk"`
	BID          int64 `db:"fk:cycle_b.id"`
}

type cycleB struct {
	db.BaseModel `bun:"table:cycle_b"`
	ID           int64 `bun:",pk"`
	AID          int64 `db:"fk:cycle_a.id,on_delete:cascade"`
}

type badTag struct {
	db.BaseModel `bun:"table:bad"`
	ID           int64 `bun:",pk" db:"sparkle"`
}

func TestGenerateMigrationErrors(t *testing.T) {
	t.Parallel()
	if _, err := db.GenerateMigration(&cycleA{}, &cycleB{}); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Fatalf("cycle: %v", err)
	}
	if _, err := db.GenerateMigration(&badTag{}); err == nil || !strings.Contains(err.Error(), "sparkle") {
		t.Fatalf("bad tag: %v", err)
	}
	out, err := db.GenerateMigration(&cycleA{})
	if err != nil || !strings.Contains(out[db.Postgres], `FOREIGN KEY ("bid") REFERENCES "cycle_b" ("id")`) {
		t.Fatalf("fk tag: %v\n%s", err, out[db.Postgres])
	}
}
