package dbcmd_test

import (
	"context"
	"fmt"
	"os"
	"testing/fstest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/cli"
	"github.com/nexios-go/nexios/cli/dbcmd"
	"github.com/nexios-go/nexios/db"
)

// check fails while a migration is pending, naming it; migrate up applies
// it.
func ExampleMigrations() {
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite::memory:")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer d.Close()
	m, err := d.Migrator(fstest.MapFS{
		"00001_users.sql": {Data: []byte("-- +goose Up\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n-- +goose Down\nDROP TABLE users;\n")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	app := nexios.New(nexios.Config{})
	for _, args := range [][]string{{"check"}, {"migrate", "up"}, {"check"}} {
		cmd := cli.Command(app, cli.Name("app"), dbcmd.Database(d), dbcmd.Migrations(m))
		cmd.SetOut(os.Stdout)
		cmd.SetArgs(args)
		if err := cmd.ExecuteContext(ctx); err != nil {
			fmt.Println("error:", err)
		}
	}
	// Output:
	// ok    database
	// FAIL  migrations  db: 1 migration(s) pending: 00001_users.sql
	// error: 1 of 2 checks failed
	// applied 00001_users.sql
	// ok  database
	// ok  migrations
	// All 2 checks passed.
}
