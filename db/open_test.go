package db_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
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

// fileSQLite opens a migrated SQLite file in a temporary directory.
func fileSQLite(t *testing.T, opts ...db.Option) *db.DB {
	t.Helper()
	ctx := ctxT(t)
	d, err := db.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "app.db"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	m, err := d.Migrator(migrations(), testOptions.Migrate...)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestOpenSQLiteFileIsTunedForAServer(t *testing.T) {
	t.Parallel()
	d := fileSQLite(t, db.WithBusyTimeout(7*time.Second))
	ctx := ctxT(t)
	if d.Dialect() != db.SQLite {
		t.Fatal(d.Dialect())
	}
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "7000", "synchronous": "1"} {
		var got string
		// Through a transaction: the writer connection.
		err := d.Tx(ctx, func(ctx context.Context) error {
			tx, _ := db.SQLTx(ctx)
			return tx.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got)
		})
		if err != nil || got != want {
			t.Errorf("PRAGMA %s = %q (%v), want %q", pragma, got, err, want)
		}
	}
	// Reads outside a transaction use the reader pool: they go on while
	// a transaction holds the writer.
	err := d.Tx(ctx, func(txctx context.Context) error {
		newUser(&testingCtx{T: t, ctx: txctx}, d, "w")
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		n, err := db.Q[User](rctx, d).Count()
		if err != nil || n != 0 {
			return fmt.Errorf("read beside the transaction: %d, %w", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSQLiteFileConcurrentWriters races 50 writers on a SQLite file: the
// single writer connection queues them (no SQLITE_BUSY), readers keep
// reading meanwhile, and the unique index lets exactly one email in.
func TestSQLiteFileConcurrentWriters(t *testing.T) {
	t.Parallel()
	d := fileSQLite(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var readErr error
	var readMu sync.Mutex
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := db.Q[User](ctxT(t), d).Count(); err != nil {
					readMu.Lock()
					readErr = err
					readMu.Unlock()
					return
				}
			}
		}()
	}
	raceDuplicates(t, d)
	// And 50 distinct writers all succeed.
	errs := make(chan error, 50)
	var ww sync.WaitGroup
	for i := range 50 {
		ww.Add(1)
		go func() {
			defer ww.Done()
			errs <- db.Create(ctxT(t), d, &User{Username: fmt.Sprintf("w%d", i), Email: fmt.Sprintf("w%d@example.com", i)})
		}()
	}
	ww.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("distinct writer failed: %v", err)
		}
	}
	close(stop)
	wg.Wait()
	if readErr != nil {
		t.Fatalf("reader failed during writes: %v", readErr)
	}
	if n := count(t, d, "users"); n != 51 {
		t.Fatalf("%d users", n)
	}
}

func TestOpenURLs(t *testing.T) {
	t.Parallel()
	ctx := ctxT(t)
	dir := t.TempDir()
	for _, u := range []string{
		"sqlite::memory:",
		"sqlite:",
		"sqlite:" + filepath.Join(dir, "a.db"),
		"sqlite://" + filepath.Join(dir, "b.db"),
		"sqlite:file:" + filepath.Join(dir, "c.db") + "?cache=private",
		"sqlite:file:mem1?mode=memory",
		"sqlite3:" + filepath.Join(dir, "d.db"),
	} {
		d, err := db.Open(ctx, u)
		if err != nil {
			t.Errorf("Open(%q): %v", u, err)
			continue
		}
		if err := d.Ping(ctx); err != nil {
			t.Errorf("Ping(%q): %v", u, err)
		}
		if err := d.Close(); err != nil {
			t.Errorf("Close(%q): %v", u, err)
		}
		if err := d.Close(); err != nil {
			t.Errorf("second Close(%q): %v", u, err)
		}
	}
	for _, u := range []string{"mysql://x", "", "sqlite:" + filepath.Join(dir, "missing", "x.db"), "sqlite:x.db?%zz", "postgres://u:secret@127.0.0.1:1/none?connect_timeout=1"} {
		_, err := db.Open(ctx, u)
		if err == nil {
			t.Errorf("Open(%q) succeeded", u)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q) error leaks the password: %v", u, err)
		}
	}
}

func TestOpenPostgres(t *testing.T) {
	t.Parallel()
	u := dbtest.URL(t)
	d, err := db.Open(ctxT(t), strings.Replace(u, "postgres://", "postgresql://", 1), db.WithMaxOpenConns(3), db.WithConnMaxLifetime(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Dialect() != db.Postgres || d.SQL().Stats().MaxOpenConnections != 3 {
		t.Fatalf("%s %+v", d.Dialect(), d.SQL().Stats())
	}
}

func TestAttachClosesOnShutdown(t *testing.T) {
	t.Parallel()
	ctx := ctxT(t)
	d, err := db.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	app := nexios.New(nexios.Config{})
	d.Attach(app)
	if err := app.Startup(ctx); err != nil {
		t.Fatal(err)
	}
	if err := app.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d.Ping(ctx); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("Ping after shutdown: %v", err)
	}
}
