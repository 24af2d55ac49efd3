//go:build nexios_sqlite

package db

import (
	"context"

	"github.com/uptrace/bun/schema"
)

// Built with -tags nexios_sqlite: PostgreSQL's driver is left out.

func (d *DB) openPostgres(context.Context, string, config) error { return ErrNoPostgres }

// pgConstraint: no PostgreSQL error can occur.
func pgConstraint(error, *schema.Table) *ConstraintError { return nil }
