package db_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/nexios-go/nexios/db"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGenerateMigrationGolden checks the generator against the committed
// first migration of the tests (go test -run Golden -update rewrites it).
func TestGenerateMigrationGolden(t *testing.T) {
	t.Parallel()
	got, err := db.GenerateMigration(&User{}, &Post{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []db.Dialect{db.SQLite, db.Postgres} {
		path := filepath.Join("testdata", "migrations", string(d), "00001_init.sql")
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(got[d]), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got[d] != string(want) {
			t.Errorf("%s: generated migration differs from %s:\n%s", d, path, got[d])
		}
	}
}
