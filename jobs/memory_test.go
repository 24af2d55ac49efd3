package jobs_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/jobs"
)

func newMemory(t *testing.T, cfg jobs.MemoryConfig) *jobs.Memory {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	m, err := jobs.NewMemory(cfg)
	check(t, err)
	t.Cleanup(func() { check(t, m.Stop(context.Background())) })
	return m
}

func TestMemoryOutcomes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		work     func(n int) error // n: 1 for the first call
		opts     []jobs.Option
		state    jobs.State
		attempt  int
		errors   int
		calls    int
		errMatch string
	}{
		{"success", func(int) error { return nil }, nil, jobs.Completed, 1, 0, 1, ""},
		{"retried until it succeeds", func(n int) error {
			if n < 3 {
				return errors.New("flaky")
			}
			return nil
		}, nil, jobs.Completed, 3, 2, 3, "flaky"},
		{"discarded after max attempts", func(int) error { return errors.New("down") }, []jobs.Option{jobs.MaxAttempts(4)}, jobs.Discarded, 4, 4, 4, "down"},
		{"permanent", func(int) error { return jobs.Permanent(errors.New("bad address")) }, nil, jobs.Cancelled, 1, 1, 1, "bad address"},
		{"snoozed, not counted", func(n int) error {
			if n < 3 {
				return jobs.Snooze(time.Hour)
			}
			return nil
		}, nil, jobs.Completed, 1, 0, 3, ""},
		{"panic is a failure", func(n int) error {
			if n == 1 {
				panic("boom")
			}
			return nil
		}, nil, jobs.Completed, 2, 1, 2, "panicked: boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newMemory(t, jobs.MemoryConfig{})
			calls := 0
			check(t, jobs.Register(m, func(ctx context.Context, j *jobs.Job[ping]) error {
				calls++
				return tc.work(calls)
			}))
			job := must[*jobs.Info](t)(m.Enqueue(t.Context(), ping{N: 1}, tc.opts...))
			must[int](t)(m.Drain(t.Context()))
			got := must[*jobs.Info](t)(m.Get(t.Context(), job.ID))
			if got.State != tc.state || got.Attempt != tc.attempt || len(got.Errors) != tc.errors || calls != tc.calls {
				t.Fatalf("%s at attempt %d with %d errors after %d calls; want %s, %d, %d, %d", got.State, got.Attempt, len(got.Errors), calls, tc.state, tc.attempt, tc.errors, tc.calls)
			}
			if tc.errMatch != "" && !strings.Contains(got.Errors[0].Error, tc.errMatch) {
				t.Errorf("error %q, want %q", got.Errors[0].Error, tc.errMatch)
			}
		})
	}
}

func TestMemoryBackoffAndClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	m := newMemory(t, jobs.MemoryConfig{Now: func() time.Time { return start }})
	var seen []time.Time
	check(t, jobs.Register(m, func(ctx context.Context, j *jobs.Job[ping]) error {
		seen = append(seen, *j.AttemptedAt)
		return errors.New("fails")
	}, jobs.Backoff(func(failures int) time.Duration { return time.Duration(failures) * time.Minute })))
	ctx := t.Context()
	job := must[*jobs.Info](t)(m.Enqueue(ctx, ping{}, jobs.MaxAttempts(3)))

	if n := must[int](t)(m.RunPending(ctx)); n != 1 {
		t.Fatalf("RunPending worked %d, want 1", n)
	}
	got := must[*jobs.Info](t)(m.Get(ctx, job.ID))
	if got.State != jobs.Retryable || !got.ScheduledAt.Equal(start.Add(time.Minute)) {
		t.Fatalf("after a failure: %s until %s, want retryable until +1m", got.State, got.ScheduledAt)
	}
	if n := must[int](t)(m.RunPending(ctx)); n != 0 {
		t.Fatalf("RunPending worked %d jobs whose backoff has not passed", n)
	}
	must[int](t)(m.Drain(ctx))
	want := []time.Time{start, start.Add(time.Minute), start.Add(3 * time.Minute)}
	if len(seen) != 3 {
		t.Fatalf("attempts at %v", seen)
	}
	for i := range want {
		if !seen[i].Equal(want[i]) {
			t.Errorf("attempt %d at %s, want %s (backoff 1m then 2m)", i+1, seen[i].Sub(start), want[i].Sub(start))
		}
	}
	if got := must[*jobs.Info](t)(m.Get(ctx, job.ID)); got.State != jobs.Discarded {
		t.Errorf("state %s, want discarded", got.State)
	}
}

func TestMemoryDecodeFailureIsCancelled(t *testing.T) {
	t.Parallel()
	m := newMemory(t, jobs.MemoryConfig{})
	called := false
	check(t, jobs.Register(m, func(ctx context.Context, j *jobs.Job[shapeV2]) error {
		called = true
		return nil
	}))
	job := must[*jobs.Info](t)(m.Enqueue(t.Context(), shapeV1{Count: "three"}))
	must[int](t)(m.Drain(t.Context()))
	got := must[*jobs.Info](t)(m.Get(t.Context(), job.ID))
	if got.State != jobs.Cancelled || got.Attempt != 1 || called || !strings.Contains(got.Errors[0].Error, "do not decode") {
		t.Fatalf("%s attempt %d called=%v errors %v", got.State, got.Attempt, called, got.Errors)
	}
}

func TestMemoryManage(t *testing.T) {
	t.Parallel()
	m := newMemory(t, jobs.MemoryConfig{})
	ctx := t.Context()
	var order []int
	check(t, jobs.Register(m, func(ctx context.Context, j *jobs.Job[ping]) error {
		order = append(order, j.Args.N)
		return nil
	}))
	low := must[*jobs.Info](t)(m.Enqueue(ctx, ping{N: 4}, jobs.Priority(4)))
	high := must[*jobs.Info](t)(m.Enqueue(ctx, ping{N: 1}, jobs.Priority(1), jobs.Queue("mail"), jobs.Tags("urgent")))
	later := must[*jobs.Info](t)(m.Enqueue(ctx, ping{N: 9}, jobs.Delay(time.Hour)))
	orphan := must[*jobs.Info](t)(m.Enqueue(ctx, welcome{UserID: 1})) // no worker
	cancelled := must[*jobs.Info](t)(m.Enqueue(ctx, ping{N: 5}))
	check(t, errOnly(m.Cancel(ctx, cancelled.ID)))
	if later.State != jobs.Scheduled {
		t.Errorf("delayed job %s, want scheduled", later.State)
	}

	if n := must[int](t)(m.RunPending(ctx)); n != 2 || len(order) != 2 || order[0] != 1 || order[1] != 4 {
		t.Fatalf("worked %d: %v, want [1 4] by priority", n, order)
	}
	if got := must[*jobs.Info](t)(m.Get(ctx, orphan.ID)); got.State != jobs.Available {
		t.Errorf("job without a worker is %s, want left available", got.State)
	}
	if got := must[[]*jobs.Info](t)(m.List(ctx, jobs.Filter{Queues: []string{"mail"}})); len(got) != 1 || got[0].ID != high.ID {
		t.Errorf("mail queue: %v", idsOf(got))
	}
	if got := must[[]*jobs.Info](t)(m.List(ctx, jobs.Filter{States: []jobs.State{jobs.Completed}, Limit: 1})); len(got) != 1 || got[0].ID != high.ID {
		t.Errorf("newest completed: %v", idsOf(got))
	}
	if got := must[[]*jobs.Info](t)(m.List(ctx, jobs.Filter{BeforeID: high.ID})); len(got) != 1 || got[0].ID != low.ID {
		t.Errorf("before %d: %v", high.ID, idsOf(got))
	}
	// Retry runs a finished job again; a cancelled one too.
	again := must[*jobs.Info](t)(m.Retry(ctx, cancelled.ID))
	if again.State != jobs.Available {
		t.Errorf("retried: %s", again.State)
	}
	must[int](t)(m.RunPending(ctx))
	if got := must[*jobs.Info](t)(m.Get(ctx, cancelled.ID)); got.State != jobs.Completed {
		t.Errorf("retried cancelled job: %s", got.State)
	}
	// Drain reaches the delayed job by moving the clock.
	must[int](t)(m.Drain(ctx))
	if got := must[*jobs.Info](t)(m.Get(ctx, later.ID)); got.State != jobs.Completed {
		t.Errorf("delayed job after Drain: %s", got.State)
	}
	for _, op := range []func(context.Context, int64) (*jobs.Info, error){m.Get, m.Retry, m.Cancel} {
		if _, err := op(ctx, 999); !errors.Is(err, jobs.ErrNotFound) {
			t.Errorf("unknown id: %v", err)
		}
	}
	u := jobs.Unique(jobs.Uniqueness{ByArgs: true})
	a := must[*jobs.Info](t)(m.Enqueue(ctx, welcome{UserID: 7}, u))
	b := must[*jobs.Info](t)(m.Enqueue(ctx, welcome{UserID: 7}, u))
	if !b.Duplicate || b.ID != a.ID {
		t.Error("unique job inserted twice")
	}
}

func TestMemoryEnqueueTxNeedsATransaction(t *testing.T) {
	t.Parallel()
	m := newMemory(t, jobs.MemoryConfig{})
	if _, err := m.EnqueueTx(t.Context(), ping{}); !errors.Is(err, jobs.ErrNoTx) {
		t.Fatalf("outside a transaction: %v", err)
	}
	d := openDB(t, db.SQLite)
	check(t, d.Tx(t.Context(), func(ctx context.Context) error {
		return errOnly(m.EnqueueTx(ctx, ping{}))
	}))
	if got := must[[]*jobs.Info](t)(m.List(t.Context(), jobs.Filter{})); len(got) != 1 {
		t.Fatalf("%d jobs, want 1", len(got))
	}
}

// As with River, a job enqueued in a transaction exists only once the
// transaction commits: a rolled-back sign-up sends no welcome mail in
// tests either.
func TestMemoryEnqueueTxFollowsTheTransaction(t *testing.T) {
	t.Parallel()
	m := newMemory(t, jobs.MemoryConfig{})
	d := openDB(t, db.SQLite)
	ctx := t.Context()
	err := d.Tx(ctx, func(ctx context.Context) error {
		check(t, errOnly(m.EnqueueTx(ctx, welcome{UserID: 1})))
		if got := must[[]*jobs.Info](t)(m.List(ctx, jobs.Filter{})); len(got) != 0 {
			t.Errorf("%d jobs visible before the commit", len(got))
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	check(t, d.Tx(ctx, func(ctx context.Context) error {
		check(t, errOnly(m.EnqueueTx(ctx, welcome{UserID: 2})))
		// A savepoint that rolls back takes its job with it.
		_ = d.Tx(ctx, func(ctx context.Context) error {
			check(t, errOnly(m.EnqueueTx(ctx, welcome{UserID: 3})))
			return errRollback
		})
		return nil
	}))
	got := must[[]*jobs.Info](t)(m.List(ctx, jobs.Filter{}))
	if len(got) != 1 || !strings.Contains(string(got[0].RawArgs), `"user_id":2`) {
		t.Fatalf("jobs after one rollback, one commit and a rolled-back savepoint: %d %v", len(got), got)
	}
}

func TestMemoryInBackground(t *testing.T) {
	t.Parallel()
	m := newMemory(t, jobs.MemoryConfig{JobTimeout: -1})
	var runs atomic.Int32
	release := make(chan struct{})
	check(t, jobs.Register(m, func(ctx context.Context, j *jobs.Job[ping]) error {
		runs.Add(1)
		return nil
	}))
	started := make(chan struct{})
	check(t, jobs.Register(m, func(ctx context.Context, j *jobs.Job[welcome]) error {
		close(started)
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}))
	app := nexios.New(nexios.Config{})
	m.Attach(app)
	ctx := t.Context()
	if m.Started() {
		t.Fatal("Started before start-up")
	}
	check(t, app.Startup(ctx))
	if !m.Started() {
		t.Fatal("not Started after start-up")
	}
	job := must[*jobs.Info](t)(m.Enqueue(ctx, ping{}))
	waitState(t, m, job.ID, 5*time.Second, jobs.Completed)

	// Shutdown lets the running job finish until its deadline, then
	// cancels it: it is made available again, its attempt not counted.
	stuck := must[*jobs.Info](t)(m.Enqueue(ctx, welcome{}))
	<-started
	sctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	check(t, app.Shutdown(sctx))
	if m.Started() {
		t.Fatal("still Started after shutdown")
	}
	got := must[*jobs.Info](t)(m.Get(ctx, stuck.ID))
	if got.State != jobs.Available || got.Attempt != 0 {
		t.Fatalf("interrupted job: %s attempt %d", got.State, got.Attempt)
	}
	close(release)
	if runs.Load() != 1 {
		t.Errorf("ping ran %d times", runs.Load())
	}
}

func TestMemoryCancelRunningAndTimeout(t *testing.T) {
	t.Parallel()
	m := newMemory(t, jobs.MemoryConfig{})
	ctx := t.Context()
	var id atomic.Int64
	check(t, jobs.Register(m, func(ctx context.Context, j *jobs.Job[ping]) error {
		if _, err := m.Cancel(context.Background(), id.Load()); err != nil {
			return err
		}
		<-ctx.Done() // cancelled by Cancel
		return ctx.Err()
	}))
	check(t, jobs.Register(m, func(ctx context.Context, j *jobs.Job[welcome]) error {
		<-ctx.Done() // cancelled by the timeout
		return ctx.Err()
	}, jobs.Timeout(20*time.Millisecond)))
	job := must[*jobs.Info](t)(m.Enqueue(ctx, ping{}))
	id.Store(job.ID)
	slow := must[*jobs.Info](t)(m.Enqueue(ctx, welcome{}, jobs.MaxAttempts(1)))
	must[int](t)(m.RunPending(ctx))
	if got := must[*jobs.Info](t)(m.Get(ctx, job.ID)); got.State != jobs.Cancelled {
		t.Errorf("cancelled while running: %s", got.State)
	}
	if got := must[*jobs.Info](t)(m.Get(ctx, slow.ID)); got.State != jobs.Discarded || !strings.Contains(got.Errors[0].Error, "deadline") {
		t.Errorf("timed out: %s %v", got.State, got.Errors)
	}
}

func TestMemoryPeriodic(t *testing.T) {
	t.Parallel()
	m := newMemory(t, jobs.MemoryConfig{Periodic: []jobs.Periodic{{Every: time.Hour, Args: func() jobs.Args { return tick{} }}}})
	ctx := t.Context()
	check(t, m.RunPeriodic(ctx))
	check(t, m.RunPeriodic(ctx)) // same hour: the same tick
	if got := must[[]*jobs.Info](t)(m.List(ctx, jobs.Filter{Kinds: []string{"tick"}})); len(got) != 1 {
		t.Fatalf("%d tick jobs, want 1 per period", len(got))
	}
	if _, err := jobs.NewMemory(jobs.MemoryConfig{Periodic: []jobs.Periodic{{Every: time.Hour}}}); err == nil {
		t.Error("a periodic job without Args was accepted")
	}
}
