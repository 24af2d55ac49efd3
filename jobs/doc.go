// Package jobs runs durable background jobs in the app's database, on
// River (github.com/riverqueue/river): SQLite through riversqlite on the
// data layer's writer connection, PostgreSQL through riverdatabasesql on
// its pool with LISTEN/NOTIFY.
//
// A job is a value with a Kind (Args), worked by the function registered
// for that kind (Register). It is enqueued on its own (Client.Enqueue) or
// in the data layer's transaction (Client.EnqueueTx), in which case it
// exists only if the transaction commits. A failed job is retried with
// backoff until its attempts run out; Permanent failures and arguments
// that no longer decode cancel it at once. Cancelled and discarded jobs
// are kept as dead letters to inspect (List, Get) and Retry.
//
//	c, err := jobs.New(d, jobs.Config{})
//	err = jobs.Register(c, func(ctx context.Context, j *jobs.Job[WelcomeMail]) error {
//		return send(ctx, j.Args.UserID)
//	})
//	c.Attach(app) // works jobs while the app runs
//
//	err = d.Tx(ctx, func(ctx context.Context) error {
//		if err := db.Create(ctx, d, &user); err != nil {
//			return err
//		}
//		_, err := c.EnqueueTx(ctx, WelcomeMail{UserID: user.ID})
//		return err
//	})
//
// Options set a job's queue, priority, attempts, delay and uniqueness.
// Periodic jobs are enqueued by the elected leader, once per tick across
// every instance. Run is a worker process's main loop; an insert-only
// client enqueues without working. River's tables come from the app's
// migrations (Migration) or Migrate.
//
// Memory has the same API without a database, for tests: RunPending and
// Drain work the jobs in the test's goroutine. Code that enqueues takes an
// Enqueuer, code that manages jobs a Manager; both types implement both.
//
// Package jobs/mailjob is the worker of mail.TemplatedMail jobs. See
// docs/jobs.md.
package jobs
