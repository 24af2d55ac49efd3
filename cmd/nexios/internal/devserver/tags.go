package devserver

import (
	"os"
	"strings"

	"github.com/nexios-go/nexios/config"
)

// sqliteTags is the build flag that leaves PostgreSQL's drivers (pgx and
// River's PostgreSQL driver) out of the db and jobs packages: the binary
// of an app on SQLite is then about 5 MB smaller, and each rebuild links
// about 0.2 s sooner (bench/RESULTS.md). Opening a PostgreSQL URL in such
// a binary fails with db.ErrNoPostgres.
const sqliteTags = "-tags=nexios_sqlite"

// onSQLite reports whether the app's DATABASE_URL names a SQLite
// database, read as the app's configuration reads it: the environment
// (env added), then .env.$NEXIOS_ENV, .env.local and .env in dir, or a
// DATABASE_URL_FILE. Unset, or anything else, is false: the build then
// keeps every driver.
func onSQLite(dir string, env []string) bool {
	var c struct {
		DatabaseURL string `env:"DATABASE_URL"`
	}
	if err := config.Load(&c, config.Dir(dir), config.Environ(append(os.Environ(), env...))); err != nil {
		return false
	}
	return strings.HasPrefix(c.DatabaseURL, "sqlite:")
}
