package db_test

import (
	"io/fs"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/health"
	"github.com/nexios-go/nexios/testclient"
)

// The readiness probe against the real database: it passes on an open,
// migrated database, fails naming the migration when the code knows one
// the database lacks (an instance deployed ahead of its schema), and
// fails naming the database once it is gone.
func TestReadinessProbe(t *testing.T) {
	each(t, func(t *testing.T, d *db.DB) {
		ahead := fstest.MapFS{"00099_later.sql": {Data: []byte("-- +goose Up\nCREATE TABLE later (id INTEGER);\n-- +goose Down\nDROP TABLE later;\n")}}
		if err := fs.WalkDir(migrations(), ".", func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			data, err := fs.ReadFile(migrations(), path)
			ahead[path] = &fstest.MapFile{Data: data}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		probe := func(files fs.FS) *testclient.Client {
			m, err := d.Migrator(files, testOptions.Migrate...)
			if err != nil {
				t.Fatal(err)
			}
			h, err := health.New(health.Config{
				Checks:   []health.Check{health.Ping("database", d), health.Func("migrations", m.Pending)},
				CacheTTL: -1,
				Verbose:  func(*nexios.Request) bool { return true },
			})
			if err != nil {
				t.Fatal(err)
			}
			app := nexios.New(nexios.Config{})
			h.Register(app)
			return testclient.New(app)
		}
		current, later := probe(migrations()), probe(ahead)
		cases := []struct {
			name   string
			c      *testclient.Client
			status int
			want   string
		}{
			{"migrated", current, http.StatusOK, `"pass"`},
			{"a migration pending", later, http.StatusServiceUnavailable, "00099"},
		}
		for _, tc := range cases {
			r := tc.c.Get("/readyz?verbose")
			if r.Status != tc.status || !strings.Contains(r.Text(), tc.want) {
				t.Errorf("%s: %d %s", tc.name, r.Status, r.Text())
			}
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		r := current.Get("/readyz?verbose")
		if r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Text(), `"database"`) {
			t.Errorf("database closed: %d %s", r.Status, r.Text())
		}
	})
}
