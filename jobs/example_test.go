package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"testing/fstest"
	"time"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/jobs"
)

// WelcomeMail is a job's arguments: JSON, and a kind naming its worker.
type WelcomeMail struct {
	UserID int64  `json:"user_id"`
	Email  string `json:"email"`
}

func (WelcomeMail) Kind() string { return "welcome_mail" }

// A job enqueued in the data layer's transaction exists only if the
// transaction commits: the welcome mail of a user whose creation rolled
// back is never sent.
func ExampleClient_EnqueueTx() {
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite::memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	if err := jobs.Migrate(ctx, d); err != nil { // River's tables
		log.Fatal(err)
	}
	if _, err := d.SQL().ExecContext(ctx, `CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)`); err != nil {
		log.Fatal(err)
	}

	c, err := jobs.New(d, jobs.Config{Logger: quiet})
	if err != nil {
		log.Fatal(err)
	}
	sent := make(chan string)
	err = jobs.Register(c, func(ctx context.Context, j *jobs.Job[WelcomeMail]) error {
		sent <- j.Args.Email
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		log.Fatal(err)
	}
	defer c.Stop(ctx)

	signUp := func(id int64, email string, fail bool) error {
		return d.Tx(ctx, func(ctx context.Context) error {
			if _, err := db.Bun(ctx, d).ExecContext(ctx, `INSERT INTO users (id, email) VALUES (?, ?)`, id, email); err != nil {
				return err
			}
			if _, err := c.EnqueueTx(ctx, WelcomeMail{UserID: id, Email: email}); err != nil {
				return err
			}
			if fail {
				return errors.New("payment declined")
			}
			return nil
		})
	}
	fmt.Println(signUp(1, "bob@example.com", true))
	fmt.Println(signUp(2, "ada@example.com", false))
	fmt.Println("welcome mail for", <-sent)
	// Output:
	// payment declined
	// <nil>
	// welcome mail for ada@example.com
}

// Tests use Memory, the same API without a database, and drive it:
// Drain works every job, following retries by moving its clock instead
// of sleeping.
func ExampleMemory() {
	ctx := context.Background()
	q, err := jobs.NewMemory(jobs.MemoryConfig{Logger: quiet})
	if err != nil {
		log.Fatal(err)
	}
	tries := 0
	err = jobs.Register(q, func(ctx context.Context, j *jobs.Job[WelcomeMail]) error {
		tries++
		if tries < 3 {
			return errors.New("SMTP server busy") // retried with backoff
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	job, _ := q.Enqueue(ctx, WelcomeMail{UserID: 1, Email: "ada@example.com"})
	if _, err := q.Drain(ctx); err != nil {
		log.Fatal(err)
	}
	job, _ = q.Get(ctx, job.ID)
	fmt.Println(job.State, "at attempt", job.Attempt, "after", len(job.Errors), "failures:", job.Errors[0].Error)
	// Output: completed at attempt 3 after 2 failures: SMTP server busy
}

// A worker gives up on a job that cannot succeed with Permanent: the job
// is cancelled, a dead letter kept with its error, and Retry can run it
// again once the cause is fixed.
func ExamplePermanent() {
	ctx := context.Background()
	q, _ := jobs.NewMemory(jobs.MemoryConfig{Logger: quiet})
	_ = jobs.Register(q, func(ctx context.Context, j *jobs.Job[WelcomeMail]) error {
		if j.Args.Email == "" {
			return jobs.Permanent(fmt.Errorf("user %d has no e-mail address", j.Args.UserID))
		}
		return nil
	})
	job, _ := q.Enqueue(ctx, WelcomeMail{UserID: 7})
	_, _ = q.Drain(ctx)
	dead, _ := q.List(ctx, jobs.Filter{States: []jobs.State{jobs.Cancelled}})
	fmt.Println(len(dead), dead[0].ID == job.ID, dead[0].Errors[0].Error)
	// Output: 1 true user 7 has no e-mail address
}

// River's tables are a migration of the app, at the version the app
// chooses: `migrate` applies them with the others and a pending check
// sees them.
func ExampleMigration() {
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite::memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	migrations := fstest.MapFS{
		"00001_users.sql": {Data: []byte("-- +goose Up\nCREATE TABLE users (id INTEGER PRIMARY KEY);\n-- +goose Down\nDROP TABLE users;\n")},
	}
	m, err := d.Migrator(migrations, db.WithGoMigrations(jobs.Migration(d, 2)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Pending(ctx))
	if err := m.Up(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Pending(ctx), jobs.CheckSchema(ctx, d))
	// Output:
	// db: 2 migration(s) pending: 00001_users.sql, 2
	// <nil> <nil>
}

// Unique jobs are not inserted twice: here one digest per user and hour.
func ExampleUnique() {
	ctx := context.Background()
	q, _ := jobs.NewMemory(jobs.MemoryConfig{})
	hourly := jobs.Unique(jobs.Uniqueness{ByArgs: true, ByPeriod: time.Hour})
	a, _ := q.Enqueue(ctx, WelcomeMail{UserID: 1}, hourly)
	b, _ := q.Enqueue(ctx, WelcomeMail{UserID: 1}, hourly)
	c, _ := q.Enqueue(ctx, WelcomeMail{UserID: 2}, hourly)
	fmt.Println(b.Duplicate, b.ID == a.ID, c.Duplicate)
	// Output: true true false
}

// A periodic job is enqueued by the elected leader once per tick, however
// many instances run. Memory enqueues a tick on demand.
func ExamplePeriodic() {
	ctx := context.Background()
	prune := jobs.Periodic{Every: time.Hour, Args: func() jobs.Args { return WelcomeMail{} }}
	// In the app: jobs.New(d, jobs.Config{Periodic: []jobs.Periodic{prune}})
	q, _ := jobs.NewMemory(jobs.MemoryConfig{Periodic: []jobs.Periodic{prune}})
	_ = q.RunPeriodic(ctx)
	queued, _ := q.List(ctx, jobs.Filter{})
	fmt.Println(len(queued), queued[0].Kind)
	// Output: 1 welcome_mail
}
