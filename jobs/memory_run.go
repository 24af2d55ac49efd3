package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"time"
)

// Causes of a Memory job's cancelled context.
var (
	errCancelled = errors.New("jobs: job cancelled")
	errStopping  = errors.New("jobs: client stopping")
)

// memLoop is a started Memory's background worker.
type memLoop struct {
	stop       chan struct{}           // closed by Stop: take no new job
	cancelJobs context.CancelCauseFunc // cancels the running job's context
	done       chan struct{}           // closed when the loop has returned
}

// claim marks up to limit (0: all) due jobs as running and returns them
// in the order they are worked: priority, then scheduled time, then ID.
// Jobs of a kind without a worker are left alone. m.mu is held.
func (m *Memory) claim(limit int) []*memJob {
	now := m.now()
	var due []*memJob
	for _, j := range m.jobs {
		if _, ok := m.workers[j.info.Kind]; !ok {
			continue
		}
		switch j.info.State {
		case Available, Scheduled, Retryable:
			if !j.info.ScheduledAt.After(now) {
				due = append(due, j)
			}
		}
	}
	slices.SortFunc(due, func(a, b *memJob) int {
		return cmp.Or(cmp.Compare(a.info.Priority, b.info.Priority),
			a.info.ScheduledAt.Compare(b.info.ScheduledAt), cmp.Compare(a.info.ID, b.info.ID))
	})
	if limit > 0 && len(due) > limit {
		due = due[:limit]
	}
	for _, j := range due {
		j.info.State, j.info.Attempt = Running, j.info.Attempt+1
		at := now
		j.info.AttemptedAt = &at
	}
	return due
}

// RunPending works, in the calling goroutine and one at a time, every job
// due when it is called (available, or scheduled or retryable with its
// time passed), and returns how many it worked. A failed job is left
// retryable after its backoff; run Drain to follow it to its end. The
// error is ctx's, when it ends first.
func (m *Memory) RunPending(ctx context.Context) (int, error) {
	m.mu.Lock()
	due := m.claim(0)
	m.mu.Unlock()
	for i, j := range due {
		if err := ctx.Err(); err != nil {
			m.mu.Lock()
			for _, rest := range due[i:] {
				rest.info.State, rest.info.Attempt = Available, rest.info.Attempt-1
			}
			m.mu.Unlock()
			return i, err
		}
		m.execute(ctx, j)
	}
	return len(due), nil
}

// Drain works jobs until none is left to work, moving the Memory's clock
// forward to each next scheduled job or retry instead of waiting: a job
// that keeps failing is worked until its attempts run out. It returns how
// many attempts it ran.
func (m *Memory) Drain(ctx context.Context) (int, error) {
	total := 0
	for range 10000 {
		n, err := m.RunPending(ctx)
		total += n
		if err != nil {
			return total, err
		}
		if n > 0 {
			continue
		}
		m.mu.Lock()
		next, ok := m.nextDue()
		if ok {
			if d := next.Sub(m.now()); d > 0 {
				m.skew += d
			}
		}
		m.mu.Unlock()
		if !ok {
			return total, nil
		}
	}
	return total, errors.New("jobs: Drain: jobs still due after 10000 rounds (a job that always snoozes?)")
}

// nextDue is the earliest time a waiting job with a worker is due. m.mu
// is held.
func (m *Memory) nextDue() (time.Time, bool) {
	var next time.Time
	found := false
	for _, j := range m.jobs {
		if _, ok := m.workers[j.info.Kind]; !ok {
			continue
		}
		switch j.info.State {
		case Available, Scheduled, Retryable:
			if !found || j.info.ScheduledAt.Before(next) {
				next, found = j.info.ScheduledAt, true
			}
		}
	}
	return next, found
}

// execute works one claimed job and records the outcome.
func (m *Memory) execute(parent context.Context, j *memJob) {
	m.mu.Lock()
	w := m.workers[j.info.Kind]
	info := *j.snapshot()
	ctx, cancel := context.WithCancelCause(parent)
	j.cancel = cancel
	if j.cancelRequested {
		cancel(errCancelled)
	}
	m.mu.Unlock()
	defer cancel(nil)
	if timeout := cmp.Or(w.timeout, m.cfg.JobTimeout); timeout > 0 {
		var tcancel context.CancelFunc
		ctx, tcancel = context.WithTimeout(ctx, timeout)
		defer tcancel()
	}
	trace, err := safeWork(ctx, w, info)
	m.finish(ctx, j, w, info, trace, err)
}

// safeWork calls the worker, turning a panic into an error and its stack.
func safeWork(ctx context.Context, w *worker, info Info) (trace string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err, trace = fmt.Errorf("jobs: worker panicked: %v", r), string(debug.Stack())
		}
	}()
	return "", w.work(ctx, info)
}

// finish records what a worker returned, as River would.
func (m *Memory) finish(ctx context.Context, j *memJob, w *worker, info Info, trace string, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	j.cancel = nil
	o := outcomeOf(ctx, err)
	if trace != "" {
		o.kind = outcomeRetry
	}
	if err != nil && j.cancelRequested {
		o.kind = outcomeCancel
	}
	j.cancelRequested = false
	record := func() {
		j.info.Errors = append(j.info.Errors, AttemptError{At: *info.AttemptedAt, Attempt: info.Attempt, Error: err.Error(), Trace: trace})
	}
	switch o.kind {
	case outcomeDone:
		j.info.State, j.info.FinalizedAt = Completed, &now
	case outcomeSnooze:
		j.info.State, j.info.ScheduledAt, j.info.Attempt = Scheduled, now.Add(o.snooze), j.info.Attempt-1
	case outcomeStopped:
		j.info.State, j.info.Attempt = Available, j.info.Attempt-1
	case outcomeCancel:
		record()
		j.info.State, j.info.FinalizedAt = Cancelled, &now
		logFailure(ctx, m.logger, info, err, "cancelled, not retried")
	default:
		record()
		if j.info.Attempt >= j.info.MaxAttempts {
			j.info.State, j.info.FinalizedAt = Discarded, &now
			logFailure(ctx, m.logger, info, err, "discarded: that was its last attempt")
			return
		}
		backoff := m.cfg.Backoff
		if w.backoff != nil {
			backoff = w.backoff
		}
		j.info.State, j.info.ScheduledAt = Retryable, now.Add(backoff(len(j.info.Errors)))
		logFailure(ctx, m.logger, info, err, "will retry")
	}
}

// Start works due jobs in the background, one at a time, until Stop: for
// tests of an app that enqueues and expects the work done, without
// driving it. It is idempotent.
func (m *Memory) Start(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.loop != nil {
		return nil
	}
	jobsCtx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	l := &memLoop{stop: make(chan struct{}), cancelJobs: cancel, done: make(chan struct{})}
	m.loop = l
	go m.runLoop(jobsCtx, l)
	return nil
}

// Started reports whether the Memory works jobs in the background
// (Start was called and Stop was not), as Client.Started.
func (m *Memory) Started() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.loop != nil
}

func (m *Memory) runLoop(ctx context.Context, l *memLoop) {
	defer close(l.done)
	t := time.NewTicker(m.cfg.PollInterval)
	defer t.Stop()
	for {
		for {
			select {
			case <-l.stop:
				return
			default:
			}
			m.mu.Lock()
			due := m.claim(1)
			m.mu.Unlock()
			if len(due) == 0 {
				break
			}
			m.execute(ctx, due[0])
		}
		select {
		case <-l.stop:
			return
		case <-t.C:
		case <-m.wake:
		}
	}
}

// Stop stops a started Memory: the running job may finish until ctx
// ends, then its context is cancelled (it becomes available again) and
// Stop waits a few seconds more for it to return.
func (m *Memory) Stop(ctx context.Context) error {
	m.mu.Lock()
	l := m.loop
	m.loop = nil
	m.mu.Unlock()
	if l == nil {
		return nil
	}
	close(l.stop)
	select {
	case <-l.done:
		l.cancelJobs(nil)
		return nil
	case <-ctx.Done():
	}
	l.cancelJobs(errStopping)
	t := time.NewTimer(hardStopWait)
	defer t.Stop()
	select {
	case <-l.done:
		return nil
	case <-t.C:
		return errors.New("jobs: stop: a job did not return after its context was cancelled; abandoned")
	}
}

// Run works jobs in the background until ctx ends, then stops, as
// Client.Run.
func (m *Memory) Run(ctx context.Context) error {
	if err := m.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return m.Stop(sctx)
}
