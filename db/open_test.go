package db_test

import (
	"testing"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
)

func openSQLite(t *testing.T) *db.DB {
	t.Helper()
	return dbtest.SQLite(t, migrations(), testOptions)
}

func dbtestSQLite(tb testing.TB) *db.DB {
	tb.Helper()
	return dbtest.SQLite(tb, migrations(), testOptions)
}
