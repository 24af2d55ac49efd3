//go:build nexios_sqlite

package jobs

import (
	"context"
	"database/sql"

	"github.com/riverqueue/river/riverdriver"

	"github.com/nexios-go/nexios/db"
)

// postgresDriver fails: the binary was built with -tags nexios_sqlite,
// which leaves PostgreSQL's drivers out (nexios dev does so for an app
// on SQLite, for quicker rebuilds).
func postgresDriver(context.Context, *sql.DB, bool) (riverdriver.Driver[*sql.Tx], closer, error) {
	return nil, nil, db.ErrNoPostgres
}
