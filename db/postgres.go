//go:build !nexios_sqlite

package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/schema"
)

// PostgreSQL through pgx. Building with -tags nexios_sqlite leaves it out
// (postgres_off.go): nexios dev does so for an app whose DATABASE_URL is
// SQLite, so that each rebuild links a smaller binary.

func (d *DB) openPostgres(_ context.Context, url string, cfg config) error {
	pc, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("db: parse %s: %w", d.url, err)
	}
	if !strings.Contains(url, "default_query_exec_mode=") {
		// bun writes arguments into the SQL text, so every query is a
		// new text: pgx's default (prepare and cache each text) would pay
		// an extra round trip per query and churn its cache. One round
		// trip with an unnamed statement suits that, and PgBouncer's
		// transaction pooling too. The URL may choose another mode.
		pc.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	sqldb := stdlib.OpenDB(*pc)
	sqldb.SetMaxOpenConns(orInt(cfg.maxOpen, 25))
	sqldb.SetMaxIdleConns(orInt(cfg.maxIdle, orInt(cfg.maxOpen, 25)))
	sqldb.SetConnMaxLifetime(orDur(cfg.maxLifetime, 30*time.Minute))
	sqldb.SetConnMaxIdleTime(orDur(cfg.maxIdleTime, 5*time.Minute))
	d.dialect = Postgres
	d.w = bun.NewDB(sqldb, pgdialect.New())
	d.r = d.w
	return nil
}

// pgConstraint recognises a PostgreSQL constraint violation by its
// SQLSTATE; nil for any other error.
func pgConstraint(err error, table *schema.Table) *ConstraintError {
	pe, ok := errors.AsType[*pgconn.PgError](err)
	if !ok {
		return nil
	}
	var kind ConstraintKind
	switch pe.Code {
	case "23505":
		kind = Unique
	case "23503":
		kind = ForeignKey
	case "23502":
		kind = NotNull
	case "23514":
		kind = Check
	default:
		return nil
	}
	ce := &ConstraintError{Kind: kind, Table: pe.TableName, Constraint: pe.ConstraintName, Err: err}
	if kind != Check {
		ce.Columns = pgColumns(pe, table)
	}
	return ce
}

// pgColumns returns the columns of a PostgreSQL violation: those of the
// model's unique constraint of that name when the model declares it, else
// the key list of the error's detail, "Key (a, b)=(…) already exists"
// (its parentheses survive translation of the message).
func pgColumns(pe *pgconn.PgError, table *schema.Table) []string {
	if pe.ColumnName != "" {
		return []string{pe.ColumnName}
	}
	if table != nil && pe.Code == "23505" && pe.TableName == table.Name {
		for group, fields := range table.Unique {
			if group == "" {
				for _, f := range fields {
					if pe.ConstraintName == table.Name+"_"+f.Name+"_key" {
						return []string{f.Name}
					}
				}
				continue
			}
			if group == pe.ConstraintName {
				cols := make([]string, len(fields))
				for i, f := range fields {
					cols[i] = f.Name
				}
				return cols
			}
		}
	}
	open := strings.IndexByte(pe.Detail, '(')
	end := strings.Index(pe.Detail, ")=(")
	if open < 0 || end <= open {
		return nil
	}
	var cols []string
	for c := range strings.SplitSeq(pe.Detail[open+1:end], ",") {
		cols = append(cols, strings.Trim(strings.TrimSpace(c), `"`))
	}
	return cols
}
