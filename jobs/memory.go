package jobs

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
)

// MemoryConfig configures a Memory.
type MemoryConfig struct {
	// MaxAttempts is the default number of attempts (default 25).
	MaxAttempts int
	// Backoff is the wait before a retry (default DefaultBackoff, without
	// jitter so that tests are deterministic).
	Backoff func(failures int) time.Duration
	// JobTimeout bounds one attempt (default 1 minute; -1: no limit).
	JobTimeout time.Duration
	// PollInterval is how often a started Memory looks for due jobs
	// (default 10 ms; an Enqueue wakes it at once).
	PollInterval time.Duration
	// Periodic jobs are enqueued by RunPeriodic, one tick per call.
	Periodic []Periodic
	// Now is the clock (default time.Now). Drain moves a Memory's clock
	// forward past it to reach jobs waiting for a retry.
	Now func() time.Time
	// Logger receives failures (default slog.Default()).
	Logger *slog.Logger
}

// Memory is an in-process job queue with the Client's API, for tests: no
// database, workers run in the test's goroutine with RunPending and Drain
// (deterministic), or in the background after Start. Retries, backoff,
// max attempts, Permanent, Snooze, unique jobs, Cancel and Retry behave as
// with River.
//
// EnqueueTx adds the job once the transaction in ctx commits, as River
// does. One difference: jobs of a kind without a worker are kept but
// never worked, so a test may only check what was enqueued.
type Memory struct {
	cfg    MemoryConfig
	logger *slog.Logger

	mu      sync.Mutex
	workers map[string]*worker
	jobs    map[int64]*memJob
	nextID  int64
	skew    time.Duration // how far Drain moved the clock
	wake    chan struct{}
	loop    *memLoop // set while started
}

// memJob is a stored job and, while it runs, how to cancel it.
type memJob struct {
	info            Info
	uniqueKey       string
	cancel          context.CancelCauseFunc
	cancelRequested bool
}

var _ interface {
	Enqueuer
	Manager
	Registry
} = (*Memory)(nil)

var _ interface {
	Enqueuer
	Manager
	Registry
} = (*Client)(nil)

// NewMemory returns an empty in-memory queue.
func NewMemory(cfg MemoryConfig) (*Memory, error) {
	if cfg.MaxAttempts < 0 {
		return nil, fmt.Errorf("jobs: negative MaxAttempts %d", cfg.MaxAttempts)
	}
	for i, p := range cfg.Periodic {
		if err := p.validate(); err != nil {
			return nil, fmt.Errorf("jobs: periodic job %d: %w", i+1, err)
		}
	}
	cfg.MaxAttempts = cmp.Or(cfg.MaxAttempts, 25)
	cfg.PollInterval = cmp.Or(cfg.PollInterval, 10*time.Millisecond)
	cfg.JobTimeout = cmp.Or(cfg.JobTimeout, time.Minute)
	if cfg.Backoff == nil {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	return &Memory{
		cfg: cfg, logger: logger,
		workers: make(map[string]*worker), jobs: make(map[int64]*memJob),
		wake: make(chan struct{}, 1),
	}, nil
}

// now is the Memory's clock: Config.Now moved forward by Drain.
func (m *Memory) now() time.Time { return m.cfg.Now().Add(m.skew) }

func (m *Memory) register(w *worker) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, dup := m.workers[w.kind]; dup {
		return fmt.Errorf("%w: %s", ErrRegistered, w.kind)
	}
	m.workers[w.kind] = w
	return nil
}

// Enqueue adds a job.
func (m *Memory) Enqueue(ctx context.Context, args Args, opts ...Option) (*Info, error) {
	j, dup, err := m.prepare(ctx, args, opts)
	if err != nil || dup != nil {
		return dup, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.add(j)
	return j.snapshot(), nil
}

// prepare builds the job args and opts describe, with its ID, or returns
// the job it duplicates.
func (m *Memory) prepare(ctx context.Context, args Args, opts []Option) (*memJob, *Info, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if args == nil {
		return nil, nil, fmt.Errorf("jobs: enqueue: nil args")
	}
	o, err := collect(opts)
	if err != nil {
		return nil, nil, err
	}
	raw, err := json.Marshal(args)
	if err != nil {
		return nil, nil, fmt.Errorf("jobs: enqueue %s: encode arguments: %w", args.Kind(), err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	info := Info{
		Kind: args.Kind(), Queue: cmp.Or(o.queue, "default"), State: Available,
		MaxAttempts: cmp.Or(o.maxAttempts, m.cfg.MaxAttempts), Priority: cmp.Or(o.priority, 1),
		Tags: o.tags, RawArgs: raw, CreatedAt: now, ScheduledAt: now,
	}
	if info.Tags == nil {
		info.Tags = []string{}
	}
	if at := o.scheduledAt(now); !at.IsZero() {
		info.ScheduledAt = at
		if at.After(now) {
			info.State = Scheduled
		}
	}
	var key string
	if o.unique != nil {
		key = uniqueKey(info, *o.unique)
		for _, j := range m.jobs {
			if j.uniqueKey == key && slices.Contains(o.unique.states(), j.info.State) {
				dup := j.snapshot()
				dup.Duplicate = true
				return nil, dup, nil
			}
		}
	}
	m.nextID++
	info.ID = m.nextID
	return &memJob{info: info, uniqueKey: key}, nil, nil
}

// add makes j visible to the workers; m.mu is held.
func (m *Memory) add(j *memJob) {
	m.jobs[j.info.ID] = j
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// EnqueueTx adds a job when ctx carries a transaction of the data layer,
// and fails with ErrNoTx otherwise. As with River, the job exists only
// if the transaction commits: it is added after the commit
// (db.AfterCommit), and dropped if the transaction rolls back. Inside a
// transaction the data layer did not begin (a Go migration's), it is
// added at once.
func (m *Memory) EnqueueTx(ctx context.Context, args Args, opts ...Option) (*Info, error) {
	if _, ok := db.SQLTx(ctx); !ok {
		return nil, ErrNoTx
	}
	j, dup, err := m.prepare(ctx, args, opts)
	if err != nil || dup != nil {
		return dup, err
	}
	add := func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.add(j)
	}
	if !db.AfterCommit(ctx, add) {
		add()
	}
	return j.snapshot(), nil
}

// uniqueKey is what makes two jobs duplicates under u.
func uniqueKey(info Info, u Uniqueness) string {
	key := "kind=" + info.Kind
	if u.ByArgs {
		var v any
		if json.Unmarshal(info.RawArgs, &v) == nil {
			b, _ := json.Marshal(v) // maps marshal with sorted keys
			key += "&args=" + string(b)
		}
	}
	if u.ByPeriod > 0 {
		key += "&period=" + info.ScheduledAt.Truncate(u.ByPeriod).UTC().Format(time.RFC3339)
	}
	if u.ByQueue {
		key += "&queue=" + info.Queue
	}
	return key
}

func (j *memJob) snapshot() *Info {
	info := j.info
	info.Tags = slices.Clone(info.Tags)
	info.RawArgs = slices.Clone(info.RawArgs)
	info.Errors = slices.Clone(info.Errors)
	return &info
}

// List returns the jobs that match f, newest first.
func (m *Memory) List(ctx context.Context, f Filter) ([]*Info, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*Info
	for _, j := range m.jobs {
		in := &j.info
		if (len(f.States) > 0 && !slices.Contains(f.States, in.State)) ||
			(len(f.Kinds) > 0 && !slices.Contains(f.Kinds, in.Kind)) ||
			(len(f.Queues) > 0 && !slices.Contains(f.Queues, in.Queue)) ||
			(f.BeforeID > 0 && in.ID >= f.BeforeID) {
			continue
		}
		out = append(out, j.snapshot())
	}
	slices.SortFunc(out, func(a, b *Info) int { return cmp.Compare(b.ID, a.ID) })
	if len(out) > f.limit() {
		out = out[:f.limit()]
	}
	return out, nil
}

// Get returns a job, or an error matching ErrNotFound.
func (m *Memory) Get(ctx context.Context, id int64) (*Info, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[id]
	if !ok {
		return nil, fmt.Errorf("%w: %d", ErrNotFound, id)
	}
	return j.snapshot(), nil
}

// Retry makes a job that is not running available at once (one more
// attempt if its attempts ran out).
func (m *Memory) Retry(ctx context.Context, id int64) (*Info, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[id]
	if !ok {
		return nil, fmt.Errorf("%w: %d", ErrNotFound, id)
	}
	if j.info.State != Running {
		now := m.now()
		if j.info.Attempt >= j.info.MaxAttempts {
			j.info.MaxAttempts++
		}
		j.info.State, j.info.FinalizedAt = Available, nil
		if j.info.ScheduledAt.After(now) {
			j.info.ScheduledAt = now
		}
		select {
		case m.wake <- struct{}{}:
		default:
		}
	}
	return j.snapshot(), nil
}

// Cancel stops a job for good; a running one has its context cancelled
// and is not retried whatever it returns.
func (m *Memory) Cancel(ctx context.Context, id int64) (*Info, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[id]
	if !ok {
		return nil, fmt.Errorf("%w: %d", ErrNotFound, id)
	}
	switch {
	case j.info.State == Running:
		j.cancelRequested = true
		if j.cancel != nil { // else it is claimed and not started yet
			j.cancel(errCancelled)
		}
	case !j.info.State.Finished():
		now := m.now()
		j.info.State, j.info.FinalizedAt = Cancelled, &now
	}
	return j.snapshot(), nil
}

// Attach starts the Memory at the app's start-up and stops it at
// shutdown, like Client.Attach.
func (m *Memory) Attach(app *nexios.App) {
	app.OnStartup(m.Start)
	app.OnShutdown(m.Stop)
}

// RunPeriodic enqueues one tick of every periodic job of the config, as
// the leader would at a tick.
func (m *Memory) RunPeriodic(ctx context.Context) error {
	for _, p := range m.cfg.Periodic {
		args := p.Args()
		if args == nil {
			continue
		}
		opts := p.Options
		if p.Schedule == nil {
			if o, _ := collect(opts); o.unique == nil {
				opts = append(opts[:len(opts):len(opts)], Unique(Uniqueness{ByArgs: true, ByPeriod: p.Every}))
			}
		}
		if _, err := m.Enqueue(ctx, args, opts...); err != nil {
			return err
		}
	}
	return nil
}
