package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"modernc.org/sqlite"
)

// foldFunc is the name of the SQL function Fold is registered as.
const foldFunc = "nexios_fold"

// sqliteDriver is a private modernc driver carrying the fold function, so
// that registering it touches no other user of modernc.org/sqlite in the
// process. It is built once on first use and never changes after:
// modernc keeps registered functions for the life of the process, so one
// driver per DB would leak a little on every Open (and tests open many).
var sqliteDriver = sync.OnceValues(func() (*sqlite.Driver, error) {
	drv := &sqlite.Driver{}
	err := drv.RegisterDeterministicScalarFunction(foldFunc, 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return Fold(v), nil
		case []byte:
			return Fold(string(v)), nil
		case nil:
			return nil, nil
		default:
			return v, nil // numbers fold to themselves
		}
	})
	return drv, err
})

// connector opens connections of the private driver for one DSN.
type connector struct {
	drv *sqlite.Driver
	dsn string
}

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.drv.Open(c.dsn)
}

func (c connector) Driver() driver.Driver { return c.drv }

// openSQLite opens the pools for the part of the URL after "sqlite:".
func (d *DB) openSQLite(name string, cfg config) error {
	drv, err := sqliteDriver()
	if err != nil {
		return fmt.Errorf("db: register %s: %w", foldFunc, err)
	}
	d.dialect = SQLite
	d.fold = func(expr string) string { return foldFunc + "(" + expr + ")" }
	path, query, _ := strings.Cut(name, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return fmt.Errorf("db: parse %s: %w", d.url, err)
	}
	uri := strings.HasPrefix(path, "file:")
	switch {
	case path == "" || path == ":memory:":
		d.memory = true
	case uri && (q.Get("mode") == "memory" || strings.TrimPrefix(path, "file:") == ":memory:"):
		d.memory = true
	case !uri && strings.HasPrefix(path, "//"):
		path = path[2:] // sqlite:///abs/path.db → /abs/path.db
	}
	busy := strconv.FormatInt(cfg.busyTimeout.Milliseconds(), 10)
	setDefault(q, "_busy_timeout", busy)
	setDefault(q, "_txlock", "immediate")
	q.Add("_pragma", "foreign_keys(1)")
	if d.memory {
		if path == "" {
			path = ":memory:"
		}
		// One connection: every connection to ":memory:" is a database
		// of its own, so the pool must never open a second one or drop
		// the first.
		sqldb := sql.OpenDB(connector{drv, path + "?" + q.Encode()})
		sqldb.SetMaxOpenConns(1)
		sqldb.SetMaxIdleConns(1)
		sqldb.SetConnMaxLifetime(0)
		sqldb.SetConnMaxIdleTime(0)
		d.w = newSQLiteBun(sqldb)
		d.r = d.w
		return nil
	}
	wq := cloneValues(q)
	wq.Add("_pragma", "journal_mode(WAL)")
	wq.Add("_pragma", "synchronous(NORMAL)")
	w := sql.OpenDB(connector{drv, path + "?" + wq.Encode()})
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// The writer opens first so the file exists and is in WAL mode before
	// a read-only connection looks at it.
	if err := w.Ping(); err != nil {
		_ = w.Close()
		return fmt.Errorf("db: open %s: %w", d.url, err)
	}
	rq := cloneValues(q)
	rq.Set("_txlock", "deferred")
	rq.Add("_pragma", "query_only(1)")
	r := sql.OpenDB(connector{drv, path + "?" + rq.Encode()})
	readers := orInt(cfg.maxOpen, 4)
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(orInt(cfg.maxIdle, readers))
	r.SetConnMaxLifetime(0)
	r.SetConnMaxIdleTime(orDur(cfg.maxIdleTime, 0))
	d.w = newSQLiteBun(w)
	d.r = newSQLiteBun(r)
	return nil
}

func setDefault(q url.Values, key, value string) {
	if !q.Has(key) {
		q.Set(key, value)
	}
}

func cloneValues(q url.Values) url.Values {
	c := make(url.Values, len(q))
	for k, v := range q {
		c[k] = append([]string(nil), v...)
	}
	return c
}
