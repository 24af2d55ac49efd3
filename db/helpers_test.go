package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"go.uber.org/goleak"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// settingsMigration is a Go migration (version 4) the tests add to the
// files: it creates a table and writes a row in the migration's
// transaction through the package's own functions.
var settingsMigration = db.GoMigration{
	Version: 4,
	Up: func(ctx context.Context) error {
		tx, ok := db.SQLTx(ctx)
		if !ok {
			return errors.New("no transaction in a Go migration's context")
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE settings (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ('schema', 'v4')`)
		return err
	},
	Down: func(ctx context.Context) error {
		tx, _ := db.SQLTx(ctx)
		_, err := tx.ExecContext(ctx, `DROP TABLE settings`)
		return err
	},
}

var testOptions = dbtest.Options{Migrate: []db.MigrateOption{db.WithGoMigrations(settingsMigration)}, TemplateKey: "settings-v1"}

// each runs fn on a fresh migrated SQLite and PostgreSQL database.
func each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	dbtest.Each(t, migrations(), func(t *testing.T, d *db.DB) {
		t.Parallel()
		fn(t, d)
	}, testOptions)
}

func ctxT(t testing.TB) context.Context { return t.Context() }

func newUser(t testing.TB, d *db.DB, name string) *User {
	t.Helper()
	u := &User{Username: name, Email: name + "@example.com", Password: "x", IsActive: true}
	if err := db.Create(ctxT(t), d, u); err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

func newPost(t testing.TB, d *db.DB, u *User, title string) *Post {
	t.Helper()
	p := &Post{Title: title, Content: "c", UserID: u.ID}
	if err := db.Create(ctxT(t), d, p); err != nil {
		t.Fatalf("create post %s: %v", title, err)
	}
	return p
}

// httpError asserts err is an *nexios.HTTPError of status.
func httpError(t testing.TB, err error, status int) *nexios.HTTPError {
	t.Helper()
	var he *nexios.HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("error %v (%T) is not an *nexios.HTTPError", err, err)
	}
	if he.Status != status {
		t.Fatalf("status %d, want %d (%v)", he.Status, status, err)
	}
	return he
}

// validationError asserts err is a 422 naming param in the query.
func validationError(t testing.TB, err error, param string) nexios.FieldError {
	t.Helper()
	var ve *nexios.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *nexios.ValidationError", err, err)
	}
	if nexios.StatusOf(err) != 422 {
		t.Fatalf("status %d, want 422", nexios.StatusOf(err))
	}
	for _, fe := range ve.Errors {
		if fe.Field == param && fe.Location == "query" {
			return fe
		}
	}
	t.Fatalf("validation error %v does not name query parameter %q", ve.Errors, param)
	return nexios.FieldError{}
}

func count(t testing.TB, d *db.DB, table string) int {
	t.Helper()
	var n int
	if err := d.SQL().QueryRowContext(ctxT(t), fmt.Sprintf("SELECT count(*) FROM %s", table)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var _ = sql.ErrNoRows
