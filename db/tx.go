package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/uptrace/bun"
)

// txKey is the context key of the transaction in progress.
type txKey struct{}

// txState is a transaction carried in a context: queries of the DB that
// began it run inside it.
type txState struct {
	owner *DB
	tx    *sql.Tx
	bun   bun.Tx // zero when the *sql.Tx came from elsewhere (a goose Go migration)
	depth int    // savepoint nesting, for unique savepoint names

	mu    sync.Mutex
	after []func() // AfterCommit functions registered at this level
}

// AfterCommit registers fn to run once the transaction ctx carries has
// committed: when the outermost Tx (or the transaction middleware)
// commits, after the commit, in the order registered. If the transaction
// rolls back, or the savepoint fn was registered in does, fn is dropped.
// It is how work that must not happen for rolled-back data (an e-mail, a
// message to another system, an in-memory job queue) waits for the data.
//
// AfterCommit reports false, and registers nothing, when ctx carries no
// transaction begun by Tx or the transaction middleware (a Go
// migration's, begun by goose, included): the caller decides then.
func AfterCommit(ctx context.Context, fn func()) bool {
	st, _ := ctx.Value(txKey{}).(*txState)
	if st == nil || st.bun.Tx == nil {
		return false
	}
	st.mu.Lock()
	st.after = append(st.after, fn)
	st.mu.Unlock()
	return true
}

// hooks returns the functions registered at this level.
func (st *txState) hooks() []func() {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.after
}

// stateFor returns the transaction of d carried by ctx, or nil.
func stateFor(ctx context.Context, d *DB) *txState {
	st, _ := ctx.Value(txKey{}).(*txState)
	if st == nil || st.owner != d {
		return nil
	}
	return st
}

// SQLTx returns the *sql.Tx of the transaction ctx carries (begun by Tx
// or the transaction middleware), so another library — a job queue
// enqueueing a job — writes in the same transaction.
func SQLTx(ctx context.Context) (*sql.Tx, bool) {
	st, _ := ctx.Value(txKey{}).(*txState)
	if st == nil {
		return nil, false
	}
	return st.tx, true
}

// InTx reports whether ctx carries a transaction of d.
func (d *DB) InTx(ctx context.Context) bool { return stateFor(ctx, d) != nil }

// Bun returns the bun handle queries of d should use under ctx: the
// transaction ctx carries (begun by Tx or TxMiddleware), else the
// database. It is the escape hatch for queries the facade does not cover.
// Inside a Go migration, whose transaction goose began, it returns the
// database: use SQLTx there.
func Bun(ctx context.Context, d *DB) bun.IDB {
	if st := stateFor(ctx, d); st != nil && st.bun.Tx != nil {
		return st.bun
	}
	return d.w
}

// conn returns what a query of d runs on under ctx: the transaction ctx
// carries, else the writer (write == true) or the reader pool.
func (d *DB) conn(ctx context.Context, write bool) bun.IConn {
	if st := stateFor(ctx, d); st != nil {
		return st.tx
	}
	if write {
		return d.w
	}
	return d.r
}

// Tx runs fn in a transaction carried by the context fn receives: every
// query of d under that context runs in it. The transaction commits when
// fn returns nil and rolls back when it returns an error or panics (the
// panic goes on). A Tx inside a Tx is a savepoint: its failure rolls back
// its own work only.
//
// On SQLite a transaction holds the single writer connection: inside fn,
// always pass the context fn received. A write of d under the outer
// context (on an in-memory database, any query) would wait for the
// connection fn holds.
func (d *DB) Tx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	return d.TxOptions(ctx, nil, fn)
}

// TxOptions is Tx with options (isolation level, read-only) for the
// outermost transaction; nested calls ignore opts.
func (d *DB) TxOptions(ctx context.Context, opts *sql.TxOptions, fn func(ctx context.Context) error) (err error) {
	if st := stateFor(ctx, d); st != nil {
		return d.savepoint(ctx, st, fn)
	}
	btx, err := d.w.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("db: begin: %w", d.mapError(err, opWrite))
	}
	st := &txState{owner: d, tx: btx.Tx, bun: btx}
	done := false
	defer func() {
		if !done {
			_ = btx.Rollback() // fn panicked: undo, let the panic go on
		}
	}()
	if err := fn(context.WithValue(ctx, txKey{}, st)); err != nil {
		done = true
		if rerr := btx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("db: rollback: %w", rerr))
		}
		return err
	}
	done = true
	if err := btx.Commit(); err != nil {
		return fmt.Errorf("db: commit: %w", d.mapError(err, opWrite))
	}
	for _, fn := range st.hooks() {
		fn()
	}
	return nil
}

// savepoint runs fn inside a savepoint of the transaction st.
func (d *DB) savepoint(ctx context.Context, st *txState, fn func(ctx context.Context) error) error {
	inner := &txState{owner: d, tx: st.tx, bun: st.bun, depth: st.depth + 1}
	name := fmt.Sprintf("nexios_sp_%d", inner.depth)
	if _, err := st.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("db: savepoint: %w", d.mapError(err, opWrite))
	}
	done := false
	defer func() {
		if !done {
			d.rollbackTo(ctx, st.tx, name)
		}
	}()
	if err := fn(context.WithValue(ctx, txKey{}, inner)); err != nil {
		done = true
		d.rollbackTo(ctx, st.tx, name)
		return err
	}
	done = true
	if _, err := st.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name); err != nil {
		return fmt.Errorf("db: release savepoint: %w", d.mapError(err, opWrite))
	}
	// The savepoint's work is now the outer transaction's, and so are
	// its AfterCommit functions.
	if after := inner.hooks(); len(after) > 0 {
		st.mu.Lock()
		st.after = append(st.after, after...)
		st.mu.Unlock()
	}
	return nil
}

// rollbackTo undoes a savepoint's work and releases it. Failure leaves the
// outer transaction to fail at commit, so it is only logged.
func (d *DB) rollbackTo(ctx context.Context, tx *sql.Tx, name string) {
	ctx = context.WithoutCancel(ctx) // undo even when the request is gone
	if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name); err != nil {
		d.logger.WarnContext(ctx, "db: rollback to savepoint failed", "savepoint", name, "error", err)
		return
	}
	_, _ = tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name)
}

// withSQLTx returns ctx carrying tx as a transaction of d, for code that
// received a *sql.Tx from elsewhere (goose runs Go migrations in one).
func (d *DB) withSQLTx(ctx context.Context, tx *sql.Tx) context.Context {
	return context.WithValue(ctx, txKey{}, &txState{owner: d, tx: tx})
}
