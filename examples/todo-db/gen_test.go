package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/nexios-go/nexios/db"
)

// TestMigrationMatchesModel: the committed first migration is what
// db.GenerateMigration writes for the model today. After changing the
// model, add a migration (db.CreateMigration) rather than editing this
// one; to regenerate from scratch delete migrations/ and run
// `go test -run TestMigrationMatchesModel -regen`.
var regen = flag.Bool("regen", false, "write the first migration from the model")

func TestMigrationMatchesModel(t *testing.T) {
	if *regen {
		if _, err := db.WriteInitialMigration("migrations", "init", &Todo{}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.GenerateMigration(&Todo{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []db.Dialect{db.SQLite, db.Postgres} {
		want, err := os.ReadFile(filepath.Join("migrations", string(d), "00001_init.sql"))
		if err != nil {
			t.Fatal(err)
		}
		if string(want) != got[d] {
			t.Errorf("%s migration differs from the model:\n%s", d, got[d])
		}
	}
}
