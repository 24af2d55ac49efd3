//go:build !nexios_sqlite

package jobs

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
)

// postgresDriver returns riverdatabasesql on the data layer's pool and,
// when listen is set, with a pgx pool of its own for LISTEN (the data
// layer's pool is database/sql, over pgx), which the caller closes.
// Building with -tags nexios_sqlite leaves it out (see river_sqlite.go).
func postgresDriver(ctx context.Context, sqldb *sql.DB, listen bool) (riverdriver.Driver[*sql.Tx], closer, error) {
	if !listen {
		return riverdatabasesql.New(sqldb), nil, nil
	}
	pool, err := listenPool(ctx, sqldb)
	if err != nil {
		return nil, nil, err
	}
	return riverdatabasesql.NewWithPgxListener(sqldb, pool), pool, nil
}

// listenPool returns a pgx pool with the connection settings of the data
// layer's pool, for River's LISTEN connection.
func listenPool(ctx context.Context, sqldb *sql.DB) (*pgxpool.Pool, error) {
	conn, err := sqldb.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("jobs: connect: %w", err)
	}
	defer conn.Close()
	pcfg, err := pgxpool.ParseConfig("")
	if err != nil {
		return nil, fmt.Errorf("jobs: listener pool: %w", err)
	}
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("jobs: the PostgreSQL pool is not pgx's (%T)", dc)
		}
		cc := sc.Conn().Config()
		// pgx set the connection's OnNotification to that connection's
		// own buffer, and the copy keeps it: left as it is, the
		// listener's notifications would be delivered to the data
		// layer's connection and River's wait would return nothing.
		cc.OnNotification = nil
		pcfg.ConnConfig = cc
		return nil
	})
	if err != nil {
		return nil, err
	}
	pcfg.MinConns, pcfg.MaxConns = 0, 1
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: listener pool: %w", err)
	}
	return pool, nil
}
