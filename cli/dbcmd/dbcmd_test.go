package dbcmd_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"go.uber.org/goleak"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/cli"
	"github.com/nexios-go/nexios/cli/dbcmd"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var migrations = fstest.MapFS{
	"00001_users.sql": {Data: []byte("-- +goose Up\nCREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n\n-- +goose Down\nDROP TABLE users;\n")},
	"00002_posts.sql": {Data: []byte("-- +goose Up\nCREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT NOT NULL);\n\n-- +goose Down\nDROP TABLE posts;\n")},
}

// run executes the command line of an empty app with the data layer's
// options.
func run(t *testing.T, o []cli.Option, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := cli.Command(nexios.New(nexios.Config{}), append([]cli.Option{cli.Name("app")}, o...)...)
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	return out.String(), err
}

// eachDialect runs fn on an empty SQLite file and an empty PostgreSQL
// database.
func eachDialect(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		open(t, "sqlite:"+filepath.Join(t.TempDir(), "app.db"), fn)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		open(t, dbtest.EmptyPostgres(t), fn)
	})
}

func open(t *testing.T, url string, fn func(t *testing.T, d *db.DB)) {
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	fn(t, d)
}

func TestMigrateAndCheck(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, d *db.DB) {
		m, err := d.Migrator(migrations)
		if err != nil {
			t.Fatal(err)
		}
		o := []cli.Option{dbcmd.Database(d), dbcmd.Migrations(m)}
		steps := []struct {
			args []string
			fail bool
			want []string
		}{
			{[]string{"check"}, true, []string{"ok    database", "FAIL  migrations  db: 2 migration(s) pending: 00001_users.sql, 00002_posts.sql"}},
			{[]string{"migrate", "status"}, false, []string{"1        00001_users.sql  pending  -", "2        00002_posts.sql  pending  -", "0 applied, 2 pending"}},
			{[]string{"migrate", "up", "--to", "1"}, false, []string{"applied 00001_users.sql\n"}},
			{[]string{"check"}, true, []string{"pending: 00002_posts.sql\n"}},
			{[]string{"migrate", "up"}, false, []string{"applied 00002_posts.sql\n"}},
			{[]string{"migrate", "up"}, false, []string{"nothing to do: the database is at version 2\n"}},
			{[]string{"check"}, false, []string{"ok    database", "ok    migrations", "All 2 checks passed."}},
			{[]string{"migrate", "redo"}, false, []string{"redone 2\n"}},
			{[]string{"migrate", "status"}, false, []string{"2 applied, 0 pending"}},
			{[]string{"migrate", "down"}, false, []string{"rolled back 00002_posts.sql\n"}},
			{[]string{"migrate", "down", "--to", "0"}, false, []string{"rolled back 00001_users.sql\n"}},
			{[]string{"migrate", "down"}, false, []string{"nothing to do: the database is at version 0\n"}},
			{[]string{"migrate", "redo"}, true, []string{"no migration is applied"}},
		}
		for _, s := range steps {
			out, err := run(t, o, s.args...)
			if err != nil {
				out += err.Error()
			}
			if (err != nil) != s.fail {
				t.Errorf("%v: err %v\n%s", s.args, err, out)
			}
			flat := strings.Join(strings.Fields(out), " ")
			for _, w := range s.want {
				if !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
					t.Errorf("%v: output lacks %q:\n%s", s.args, w, out)
				}
			}
		}
	})
}

func TestDatabaseCheckFails(t *testing.T) {
	t.Parallel()
	d, err := db.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "app.db"))
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	out, err := run(t, []cli.Option{dbcmd.Database(d)}, "check")
	if cli.ExitCode(err) != 1 || !strings.Contains(out, "FAIL  database  db: ping sqlite:") || !strings.Contains(out, "database is closed") {
		t.Errorf("err %v\n%s", err, out)
	}
}

func TestMigrateCreate(t *testing.T) {
	t.Parallel()
	d, err := db.Open(context.Background(), "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	m, err := d.Migrator(migrations)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	o := []cli.Option{dbcmd.Migrations(m, dbcmd.Dir(dir))}
	out, err := run(t, o, "migrate", "create", "Add tags!")
	want := filepath.Join(dir, "00001_add_tags.sql")
	if err != nil || out != "created "+want+"\n" {
		t.Fatalf("create: err %v, out %q", err, out)
	}
	if b, _ := os.ReadFile(want); !strings.Contains(string(b), "-- +goose Up") {
		t.Errorf("the new migration:\n%s", b)
	}
	other := t.TempDir()
	out, err = run(t, o, "migrate", "create", "search", "--dir", other, "--dialect", "postgres")
	if want := filepath.Join(other, "postgres", "00001_search.sql"); err != nil || out != "created "+want+"\n" {
		t.Errorf("create --dialect: err %v, out %q", err, out)
	}
	for _, args := range [][]string{
		{"migrate", "create"},
		{"migrate", "create", "x", "--dialect", "mysql"},
		{"migrate", "sideways"},
		{"migrate", "up", "extra"},
	} {
		if _, err := run(t, o, args...); cli.ExitCode(err) != 2 {
			t.Errorf("%v: err %v, want a usage error", args, err)
		}
	}
	if out, err := run(t, o, "migrate"); err != nil || !strings.Contains(out, "Available Commands:") || !strings.Contains(out, "redo") {
		t.Errorf("migrate without a subcommand: err %v\n%s", err, out)
	}
	for _, sub := range []string{"up", "down", "redo", "status", "create"} {
		if out, err := run(t, o, "migrate", sub, "--help"); err != nil || !strings.Contains(out, "Usage:") {
			t.Errorf("migrate %s --help: %v", sub, err)
		}
	}
}
