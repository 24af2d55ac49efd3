package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/jobs"
)

var errRollback = errors.New("rollback")

// createUsers makes the table the transactional tests write to.
func createUsers(t *testing.T, d *db.DB) {
	t.Helper()
	if _, err := d.SQL().ExecContext(t.Context(), `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
}

// signUp creates a user and enqueues its welcome job in one transaction,
// which rolls back when fail is set.
func signUp(ctx context.Context, d *db.DB, c jobs.Enqueuer, id int64, fail bool) error {
	return d.Tx(ctx, func(ctx context.Context) error {
		if _, err := db.Bun(ctx, d).ExecContext(ctx, `INSERT INTO users (id, name) VALUES (?, 'ada')`, id); err != nil {
			return err
		}
		if _, err := c.EnqueueTx(ctx, welcome{UserID: id}); err != nil {
			return err
		}
		if fail {
			return errRollback
		}
		return nil
	})
}

func TestEnqueueTxRunsOnlyIfCommitted(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		createUsers(t, d)
		var runs counter
		c := newClient(t, d, jobs.Config{}, func(c *jobs.Client) {
			check(t, jobs.Register(c, func(ctx context.Context, j *jobs.Job[welcome]) error {
				runs.add(j.Args.UserID)
				return nil
			}))
		})
		start(t, c)
		ctx := t.Context()

		if err := signUp(ctx, d, c, 1, true); !errors.Is(err, errRollback) {
			t.Fatalf("rolled back sign-up: %v", err)
		}
		if err := signUp(ctx, d, c, 2, false); err != nil {
			t.Fatalf("committed sign-up: %v", err)
		}

		list := must[[]*jobs.Info](t)(c.List(ctx, jobs.Filter{Kinds: []string{"welcome"}}))
		if len(list) != 1 {
			t.Fatalf("%d welcome jobs stored, want 1 (the rolled-back one must not exist)", len(list))
		}
		done := waitState(t, c, list[0].ID, 10*time.Second, jobs.Completed)
		if done.Attempt != 1 {
			t.Errorf("attempt %d, want 1", done.Attempt)
		}
		// Give a duplicate run every chance to happen.
		time.Sleep(300 * time.Millisecond)
		if n := runs.get(2); n != 1 {
			t.Errorf("committed user's job ran %d times, want exactly once", n)
		}
		if n := runs.get(1); n != 0 {
			t.Errorf("rolled-back user's job ran %d times, want never", n)
		}
	})
}

func TestEnqueueJoinsTransaction(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		c := newClient(t, d, jobs.Config{InsertOnly: true}, nil)
		ctx := t.Context()
		if _, err := c.EnqueueTx(ctx, ping{}); !errors.Is(err, jobs.ErrNoTx) {
			t.Fatalf("EnqueueTx outside a transaction: %v, want ErrNoTx", err)
		}
		// Enqueue under a transaction's context joins it (on SQLite, a
		// separate transaction would wait forever for the writer).
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		err := d.Tx(tctx, func(ctx context.Context) error {
			if _, err := c.Enqueue(ctx, ping{N: 1}); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("tx: %v", err)
		}
		if list := must[[]*jobs.Info](t)(c.List(ctx, jobs.Filter{})); len(list) != 0 {
			t.Fatalf("%d jobs after the rollback, want 0", len(list))
		}
		if _, err := c.Enqueue(ctx, ping{N: 2}); err != nil {
			t.Fatal(err)
		}
		if list := must[[]*jobs.Info](t)(c.List(ctx, jobs.Filter{})); len(list) != 1 {
			t.Fatalf("%d jobs, want 1", len(list))
		}
	})
}
