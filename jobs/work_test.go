package jobs_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/jobs"
)

// attempts records when each attempt of a job started.
type attempts struct {
	mu sync.Mutex
	at []time.Time
}

func (a *attempts) add() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.at = append(a.at, time.Now())
	return len(a.at)
}

func (a *attempts) times() []time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]time.Time(nil), a.at...)
}

func TestFailingWorkerIsRetriedWithBackoff(t *testing.T) {
	t.Parallel()
	const step = 300 * time.Millisecond
	each(t, func(t *testing.T, d *db.DB) {
		var att attempts
		c := newClient(t, d, jobs.Config{Backoff: func(failures int) time.Duration { return time.Duration(failures) * step }}, func(c *jobs.Client) {
			check(t, jobs.Register(c, func(ctx context.Context, j *jobs.Job[ping]) error {
				if n := att.add(); n < 3 {
					return errors.New("flaky")
				}
				return nil
			}))
		})
		start(t, c)
		job := must[*jobs.Info](t)(c.Enqueue(t.Context(), ping{N: 1}))
		done := waitState(t, c, job.ID, 15*time.Second, jobs.Completed)
		if done.Attempt != 3 || len(done.Errors) != 2 || done.Errors[0].Error != "flaky" {
			t.Fatalf("attempt %d, errors %+v: want the third attempt after two recorded failures", done.Attempt, done.Errors)
		}
		at := att.times()
		for i := 1; i < len(at); i++ {
			if gap, want := at[i].Sub(at[i-1]), time.Duration(i)*step; gap < want {
				t.Errorf("attempt %d started %s after the previous one, want at least the backoff %s", i+1, gap, want)
			}
		}
	})
}

func TestJobIsDiscardedAfterItsLastAttempt(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		var att attempts
		c := newClient(t, d, jobs.Config{}, func(c *jobs.Client) {
			check(t, jobs.Register(c, func(ctx context.Context, j *jobs.Job[ping]) error {
				att.add()
				return errors.New("always")
			}))
		})
		start(t, c)
		job := must[*jobs.Info](t)(c.Enqueue(t.Context(), ping{}, jobs.MaxAttempts(2)))
		done := waitState(t, c, job.ID, 10*time.Second, jobs.Discarded)
		if done.Attempt != 2 || len(done.Errors) != 2 || done.FinalizedAt == nil {
			t.Fatalf("discarded at attempt %d with %d errors, want 2 and 2", done.Attempt, len(done.Errors))
		}
		time.Sleep(200 * time.Millisecond)
		if n := len(att.times()); n != 2 {
			t.Fatalf("worked %d times, want 2", n)
		}
	})
}

// shapeV1 and shapeV2 are the same kind before and after a release that
// changed a field's type: jobs stored by the old release no longer decode.
type shapeV1 struct {
	Count string `json:"count"`
}

func (shapeV1) Kind() string { return "shape" }

type shapeV2 struct {
	Count int `json:"count"`
}

func (shapeV2) Kind() string { return "shape" }

func TestPermanentFailuresAreDeadLettered(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		var calls counter
		c := newClient(t, d, jobs.Config{}, func(c *jobs.Client) {
			check(t, jobs.Register(c, func(ctx context.Context, j *jobs.Job[shapeV2]) error {
				calls.add(j.ID)
				return nil
			}))
			check(t, jobs.Register(c, func(ctx context.Context, j *jobs.Job[ping]) error {
				calls.add(j.ID)
				return jobs.Permanent(errors.New("no such account"))
			}))
		})
		start(t, c)
		ctx := t.Context()

		old := must[*jobs.Info](t)(c.Enqueue(ctx, shapeV1{Count: "three"}))
		got := waitState(t, c, old.ID, 10*time.Second, jobs.Cancelled)
		if got.Attempt != 1 || len(got.Errors) != 1 || !strings.Contains(got.Errors[0].Error, "do not decode") {
			t.Errorf("undecodable job: attempt %d errors %+v, want cancelled on its first attempt with a decode error", got.Attempt, got.Errors)
		}
		if calls.get(old.ID) != 0 {
			t.Error("the worker was called with arguments that do not decode")
		}

		perm := must[*jobs.Info](t)(c.Enqueue(ctx, ping{}))
		got = waitState(t, c, perm.ID, 10*time.Second, jobs.Cancelled)
		if got.Attempt != 1 || len(got.Errors) != 1 || !strings.Contains(got.Errors[0].Error, "no such account") {
			t.Errorf("permanent failure: attempt %d errors %+v", got.Attempt, got.Errors)
		}
		time.Sleep(200 * time.Millisecond)
		if calls.get(perm.ID) != 1 {
			t.Errorf("permanent failure worked %d times, want once", calls.get(perm.ID))
		}
		// A dead letter can be retried by hand.
		again := must[*jobs.Info](t)(c.Retry(ctx, perm.ID))
		if again.State != jobs.Available {
			t.Errorf("retried job is %s, want available", again.State)
		}
		waitState(t, c, perm.ID, 10*time.Second, jobs.Cancelled)
		if calls.get(perm.ID) != 2 {
			t.Errorf("retried job worked %d times in all, want 2", calls.get(perm.ID))
		}
	})
}

func TestSnoozeDoesNotCountAnAttempt(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		var calls counter
		c := newClient(t, d, jobs.Config{}, func(c *jobs.Client) {
			check(t, jobs.Register(c, func(ctx context.Context, j *jobs.Job[ping]) error {
				if calls.add(j.ID) < 3 {
					return jobs.Snooze(50 * time.Millisecond)
				}
				return nil
			}))
		})
		start(t, c)
		job := must[*jobs.Info](t)(c.Enqueue(t.Context(), ping{}))
		done := waitState(t, c, job.ID, 10*time.Second, jobs.Completed)
		if done.Attempt != 1 || len(done.Errors) != 0 || calls.get(job.ID) != 3 {
			t.Fatalf("attempt %d, %d errors, %d calls: want 3 calls counted as one attempt", done.Attempt, len(done.Errors), calls.get(job.ID))
		}
	})
}

func TestUniqueJobs(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		c := newClient(t, d, jobs.Config{InsertOnly: true}, nil)
		ctx := t.Context()
		byArgs := jobs.Unique(jobs.Uniqueness{ByArgs: true})
		a := must[*jobs.Info](t)(c.Enqueue(ctx, ping{N: 1}, byArgs))
		b := must[*jobs.Info](t)(c.Enqueue(ctx, ping{N: 1}, byArgs))
		other := must[*jobs.Info](t)(c.Enqueue(ctx, ping{N: 2}, byArgs))
		if a.Duplicate || !b.Duplicate || b.ID != a.ID {
			t.Errorf("same args: first %+v duplicate=%v, second id %d duplicate=%v", a.ID, a.Duplicate, b.ID, b.Duplicate)
		}
		if other.Duplicate || other.ID == a.ID {
			t.Error("other args were taken for a duplicate")
		}
		// A dead letter does not block a new job (default states).
		check(t, errOnly(c.Cancel(ctx, a.ID)))
		if again := must[*jobs.Info](t)(c.Enqueue(ctx, ping{N: 1}, byArgs)); again.Duplicate {
			t.Error("a cancelled job blocked a new unique one")
		}
		// By period: one per hour, whatever the arguments.
		hourly := jobs.Unique(jobs.Uniqueness{ByPeriod: time.Hour})
		h1 := must[*jobs.Info](t)(c.Enqueue(ctx, welcome{UserID: 1}, hourly))
		h2 := must[*jobs.Info](t)(c.Enqueue(ctx, welcome{UserID: 2}, hourly))
		if !h2.Duplicate || h2.ID != h1.ID {
			t.Error("a second job in the same period was inserted")
		}
	})
}

func errOnly[T any](_ T, err error) error { return err }

func TestDelayedJobWaits(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ran := make(chan time.Time, 1)
		c := newClient(t, d, jobs.Config{}, func(c *jobs.Client) {
			check(t, jobs.Register(c, func(ctx context.Context, j *jobs.Job[ping]) error {
				ran <- time.Now()
				return nil
			}))
		})
		start(t, c)
		enqueued := time.Now()
		job := must[*jobs.Info](t)(c.Enqueue(t.Context(), ping{}, jobs.Delay(time.Second)))
		if job.State != jobs.Scheduled {
			t.Fatalf("delayed job is %s, want scheduled", job.State)
		}
		select {
		case at := <-ran:
			// River moves scheduled jobs every 5 seconds.
			if wait := at.Sub(enqueued); wait < time.Second {
				t.Fatalf("ran after %s, before its delay", wait)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the delayed job did not run in 10 s")
		}
	})
}

func TestPriorityAndQueues(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		var mu sync.Mutex
		var order []int
		c := newClient(t, d, jobs.Config{Queues: map[string]int{"mail": 1}}, func(c *jobs.Client) {
			check(t, jobs.Register(c, func(ctx context.Context, j *jobs.Job[ping]) error {
				mu.Lock()
				order = append(order, j.Args.N)
				mu.Unlock()
				return nil
			}))
		})
		ctx := t.Context()
		// Enqueued before the client starts, so they are fetched together.
		last := must[*jobs.Info](t)(c.Enqueue(ctx, ping{N: 4}, jobs.Queue("mail"), jobs.Priority(4)))
		must[*jobs.Info](t)(c.Enqueue(ctx, ping{N: 1}, jobs.Queue("mail"), jobs.Priority(1)))
		idle := must[*jobs.Info](t)(c.Enqueue(ctx, ping{N: 9}, jobs.Queue("elsewhere"), jobs.Tags("nightly")))
		start(t, c)
		waitState(t, c, last.ID, 10*time.Second, jobs.Completed)
		mu.Lock()
		defer mu.Unlock()
		if len(order) != 2 || order[0] != 1 || order[1] != 4 {
			t.Errorf("worked %v, want [1 4] (priority order)", order)
		}
		if got := must[*jobs.Info](t)(c.Get(ctx, idle.ID)); got.State != jobs.Available || got.Queue != "elsewhere" || len(got.Tags) != 1 {
			t.Errorf("job of an unworked queue: %+v", got)
		}
	})
}

func TestCancelRunningJob(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		started := make(chan int64, 1)
		c := newClient(t, d, jobs.Config{}, func(c *jobs.Client) {
			check(t, jobs.Register(c, func(ctx context.Context, j *jobs.Job[ping]) error {
				started <- j.ID
				<-ctx.Done()
				return ctx.Err()
			}))
		})
		start(t, c)
		job := must[*jobs.Info](t)(c.Enqueue(t.Context(), ping{}))
		<-started
		check(t, errOnly(c.Cancel(t.Context(), job.ID)))
		got := waitState(t, c, job.ID, 10*time.Second, jobs.Cancelled)
		if got.Attempt != 1 {
			t.Errorf("attempt %d, want 1", got.Attempt)
		}
	})
}

// TestStoredArgsThatAreNotJSONAreCancelled corrupts a job's stored
// arguments (SQLite keeps them as text; PostgreSQL's jsonb column refuses
// such a value): River cannot decode the row, and the job is cancelled on
// its first attempt instead of failing 25 times.
func TestStoredArgsThatAreNotJSONAreCancelled(t *testing.T) {
	t.Parallel()
	d := openDB(t, db.SQLite)
	c := newClient(t, d, jobs.Config{}, func(c *jobs.Client) {
		check(t, jobs.Register(c, func(ctx context.Context, j *jobs.Job[ping]) error { return nil }))
	})
	ctx := t.Context()
	job := must[*jobs.Info](t)(c.Enqueue(ctx, ping{}))
	if _, err := d.SQL().ExecContext(ctx, `UPDATE river_job SET args = 'not json' WHERE id = ?`, job.ID); err != nil {
		t.Fatal(err)
	}
	start(t, c)
	// River's own reads fail on such a row (SQLite's json() refuses it),
	// so read the state directly.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var state string
		var attempt int
		check(t, d.SQL().QueryRowContext(ctx, `SELECT state, attempt FROM river_job WHERE id = ?`, job.ID).Scan(&state, &attempt))
		if state == string(jobs.Cancelled) {
			if attempt != 1 {
				t.Fatalf("cancelled at attempt %d, want 1", attempt)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job is %s at attempt %d, want cancelled", state, attempt)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
