package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/nexios-go/nexios/db"
)

// TestMigrationMatchesModels: the committed first migration is what
// db.GenerateMigration writes for the models today. After changing a
// model, add a migration (db.CreateMigration); to regenerate from scratch,
// delete migrations/*/00001_init.sql and run
// `go test -run TestMigrationMatchesModels -regen`.
var regen = flag.Bool("regen", false, "write the first migration from the models")

func TestMigrationMatchesModels(t *testing.T) {
	models := []any{&User{}, &Post{}}
	if *regen {
		if _, err := db.WriteInitialMigration("migrations", "init", models...); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.GenerateMigration(models...)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []db.Dialect{db.SQLite, db.Postgres} {
		want, err := os.ReadFile(filepath.Join("migrations", string(d), "00001_init.sql"))
		if err != nil {
			t.Fatal(err)
		}
		if string(want) != got[d] {
			t.Errorf("%s migration differs from the models:\n%s", d, got[d])
		}
	}
}
