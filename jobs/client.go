package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
)

// Config configures a Client. The zero value works every job of the
// "default" queue, ten at a time.
type Config struct {
	// Queues are the queues the client works, with how many jobs of each
	// run at once (default {"default": 10}).
	Queues map[string]int
	// InsertOnly makes a client that enqueues and manages jobs but never
	// works them (a web instance whose workers run elsewhere): Start and
	// Run fail with ErrInsertOnly, Attach only stops it.
	InsertOnly bool
	// DisableLeaderElection keeps this client out of leader election: it
	// works jobs but never runs the maintenance that one instance does for
	// all (periodic jobs, scheduling retries, rescuing stuck jobs,
	// cleaning finished jobs). Another client must be eligible. Periodic
	// must then be empty.
	DisableLeaderElection bool
	// Periodic jobs are enqueued by the leader, once per tick across all
	// instances.
	Periodic []Periodic

	// MaxAttempts is the default number of attempts of a job (default 25).
	MaxAttempts int
	// Backoff is the wait before a failed job's next attempt, given the
	// failed attempts so far (default DefaultBackoff with ±10% jitter).
	Backoff func(failures int) time.Duration
	// JobTimeout bounds one attempt (default 1 minute; -1: no limit).
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay running before it is deemed
	// abandoned — its process died — and retried (default 1 hour; at
	// least JobTimeout). Jobs that legitimately run longer run twice.
	RescueAfter time.Duration
	// StopTimeout is how long Run waits for running jobs when its context
	// ends before it cancels them (default 30 seconds). Attach uses the
	// app's shutdown context instead.
	StopTimeout time.Duration

	// PollInterval is how often an idle client looks for new jobs when no
	// notification tells it (default 1 second). With LISTEN/NOTIFY
	// (PostgreSQL) and on SQLite, new jobs are noticed at once.
	PollInterval time.Duration
	// FetchCooldown is the least time between two fetches of jobs by a
	// queue, which bounds throughput (default 100 ms).
	FetchCooldown time.Duration
	// PollOnly disables LISTEN/NOTIFY on PostgreSQL, for a connection
	// pooler in transaction mode (PgBouncer): jobs are then found by
	// polling every PollInterval.
	PollOnly bool

	// CompletedRetention, CancelledRetention and DiscardedRetention are
	// how long finished jobs are kept (defaults 24 hours, 24 hours, 7
	// days; -1 keeps them forever).
	CompletedRetention time.Duration
	CancelledRetention time.Duration
	DiscardedRetention time.Duration

	// ID names this client among the instances sharing the database
	// (default: host name and start time). It must be unique.
	ID string
	// Logger receives the client's and River's logs (default
	// slog.Default()).
	Logger *slog.Logger
	// Middleware wraps job insertion and work (River middleware, such as
	// rivercontrib/otelriver's tracing and metrics).
	Middleware []rivertype.Middleware
	// Hooks are River hooks (insert, work begin/end, metric emission).
	Hooks []rivertype.Hook
}

// Client enqueues and works durable jobs on River, in the data layer's
// database: SQLite (riversqlite, on the single writer connection) or
// PostgreSQL (riverdatabasesql on the data layer's pool, LISTEN/NOTIFY
// on a dedicated connection). Build it with New, register workers, then
// Attach it to the app (or Start/Stop it, or Run it in a worker process).
// It is safe for concurrent use.
type Client struct {
	d      *db.DB
	cfg    Config
	logger *slog.Logger

	mu      sync.Mutex
	workers map[string]*worker
	rc      *river.Client[*sql.Tx] // built on first use
	listen  closer                 // PostgreSQL LISTEN connections, closed by Stop
	built   bool
	started bool
	stopped bool
	cancel  context.CancelFunc
}

// New returns a client on d. Nothing touches the database until the
// client is used; River's tables come from the migrations (Migration,
// Migrate).
func New(d *db.DB, cfg Config) (*Client, error) {
	if d == nil {
		return nil, errors.New("jobs: New: nil database")
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	if len(cfg.Queues) == 0 {
		cfg.Queues = map[string]int{"default": 10}
	}
	return &Client{d: d, cfg: cfg, logger: logger, workers: make(map[string]*worker)}, nil
}

func (cfg *Config) validate() error {
	var errs []error
	for name, n := range cfg.Queues {
		if err := validName("queue", name); err != nil {
			errs = append(errs, err)
		}
		if n < 1 || n > 10000 {
			errs = append(errs, fmt.Errorf("jobs: queue %q: %d workers, want 1 to 10000", name, n))
		}
	}
	if cfg.InsertOnly && len(cfg.Periodic) > 0 {
		errs = append(errs, errors.New("jobs: an insert-only client cannot run periodic jobs"))
	}
	if cfg.DisableLeaderElection && len(cfg.Periodic) > 0 {
		errs = append(errs, errors.New("jobs: periodic jobs need leader election (DisableLeaderElection is set)"))
	}
	for i, p := range cfg.Periodic {
		if err := p.validate(); err != nil {
			errs = append(errs, fmt.Errorf("jobs: periodic job %d: %w", i+1, err))
		}
	}
	if cfg.MaxAttempts < 0 {
		errs = append(errs, fmt.Errorf("jobs: negative MaxAttempts %d", cfg.MaxAttempts))
	}
	if cfg.JobTimeout < -1 || cfg.RescueAfter < 0 || cfg.StopTimeout < 0 || cfg.PollInterval < 0 || cfg.FetchCooldown < 0 {
		errs = append(errs, errors.New("jobs: negative duration in Config"))
	}
	if cfg.RescueAfter > 0 && cfg.JobTimeout > 0 && cfg.RescueAfter < cfg.JobTimeout {
		errs = append(errs, fmt.Errorf("jobs: RescueAfter %s is shorter than JobTimeout %s: running jobs would be rescued", cfg.RescueAfter, cfg.JobTimeout))
	}
	if cfg.PollInterval > 0 && cfg.FetchCooldown > 0 && cfg.PollInterval < cfg.FetchCooldown {
		errs = append(errs, fmt.Errorf("jobs: PollInterval %s is shorter than FetchCooldown %s", cfg.PollInterval, cfg.FetchCooldown))
	}
	if cfg.FetchCooldown == 0 && cfg.PollInterval > 0 && cfg.PollInterval < river.FetchCooldownDefault {
		cfg.FetchCooldown = cfg.PollInterval // a short poll asks for quick fetches
	}
	return errors.Join(errs...)
}

func (c *Client) register(w *worker) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.built {
		return fmt.Errorf("%w: %s", ErrInUse, w.kind)
	}
	if _, dup := c.workers[w.kind]; dup {
		return fmt.Errorf("%w: %s", ErrRegistered, w.kind)
	}
	c.workers[w.kind] = w
	return nil
}

// works reports whether the client works jobs (else it only inserts).
func (c *Client) works() bool { return !c.cfg.InsertOnly }

// river returns the River client, building it on first use: from then
// on the set of workers is fixed.
func (c *Client) river(ctx context.Context) (*river.Client[*sql.Tx], error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.built {
		return c.rc, nil
	}
	// A stopped client still enqueues and manages jobs, without the
	// LISTEN connection only working needs.
	rc, listen, err := c.build(ctx, c.works() && !c.stopped)
	if err != nil {
		return nil, err
	}
	c.rc, c.listen, c.built = rc, listen, true
	return rc, nil
}

// build makes the River client, with a LISTEN connection on PostgreSQL
// when listen is set.
func (c *Client) build(ctx context.Context, listen bool) (*river.Client[*sql.Tx], closer, error) {
	cfg := &river.Config{
		ID:                          c.cfg.ID,
		Logger:                      c.logger,
		MaxAttempts:                 c.cfg.MaxAttempts,
		JobTimeout:                  c.cfg.JobTimeout,
		RescueStuckJobsAfter:        c.cfg.RescueAfter,
		FetchPollInterval:           c.cfg.PollInterval,
		FetchCooldown:               c.cfg.FetchCooldown,
		PollOnly:                    c.cfg.PollOnly,
		LeaderElectionDisabled:      c.cfg.DisableLeaderElection,
		CompletedJobRetentionPeriod: c.cfg.CompletedRetention,
		CancelledJobRetentionPeriod: c.cfg.CancelledRetention,
		DiscardedJobRetentionPeriod: c.cfg.DiscardedRetention,
		Middleware:                  c.cfg.Middleware,
		Hooks:                       c.cfg.Hooks,
		ErrorHandler:                &errorHandler{logger: c.logger},
	}
	if c.cfg.Backoff != nil {
		cfg.RetryPolicy = backoffPolicy{c.cfg.Backoff}
	}
	if c.works() {
		workers := river.NewWorkers()
		for _, kind := range slices.Sorted(maps.Keys(c.workers)) {
			w := c.workers[kind]
			// Kinds are unique (register checks), so this cannot panic.
			river.AddWorkerArgs(workers, rawArgs{kind: kind}, &riverWorker{w: w, logger: c.logger})
		}
		cfg.Workers = workers
		cfg.Queues = make(map[string]river.QueueConfig, len(c.cfg.Queues))
		for name, n := range c.cfg.Queues {
			cfg.Queues[name] = river.QueueConfig{MaxWorkers: n}
		}
		for _, p := range c.cfg.Periodic {
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, p.river(c.logger))
		}
	}
	drv, pool, err := c.driver(ctx, listen)
	if err != nil {
		return nil, nil, err
	}
	rc, err := river.NewClient(drv, cfg)
	if err != nil {
		if pool != nil {
			pool.Close()
		}
		return nil, nil, fmt.Errorf("jobs: %w", err)
	}
	return rc, pool, nil
}

// Enqueue adds a job and returns it as stored. Inside a transaction of
// the client's database (the context of db.Tx) it joins the transaction,
// as every query under that context does; use EnqueueTx to require one.
func (c *Client) Enqueue(ctx context.Context, args Args, opts ...Option) (*Info, error) {
	if c.d.InTx(ctx) {
		return c.EnqueueTx(ctx, args, opts...)
	}
	ro, err := riverOptions(args, opts)
	if err != nil {
		return nil, err
	}
	rc, err := c.river(ctx)
	if err != nil {
		return nil, err
	}
	res, err := rc.Insert(ctx, args, ro)
	if err != nil {
		return nil, fmt.Errorf("jobs: enqueue %s: %w", args.Kind(), err)
	}
	return infoFromResult(res), nil
}

// EnqueueTx adds a job in the data layer's transaction carried by ctx
// (db.Tx): the job exists only if the transaction commits, and no worker
// sees it before. Without a transaction of the client's database it
// returns ErrNoTx.
//
//	err := d.Tx(ctx, func(ctx context.Context) error {
//		if err := db.Create(ctx, d, &user); err != nil {
//			return err
//		}
//		_, err := c.EnqueueTx(ctx, WelcomeMail{UserID: user.ID})
//		return err
//	})
func (c *Client) EnqueueTx(ctx context.Context, args Args, opts ...Option) (*Info, error) {
	tx, ok := db.SQLTx(ctx)
	if !ok || !c.d.InTx(ctx) {
		return nil, ErrNoTx
	}
	ro, err := riverOptions(args, opts)
	if err != nil {
		return nil, err
	}
	rc, err := c.river(ctx)
	if err != nil {
		return nil, err
	}
	res, err := rc.InsertTx(ctx, tx, args, ro)
	if err != nil {
		return nil, fmt.Errorf("jobs: enqueue %s: %w", args.Kind(), err)
	}
	return infoFromResult(res), nil
}

// Start starts working jobs, in the background, until Stop. It checks
// first that River's tables are migrated (CheckSchema). A client starts
// once.
func (c *Client) Start(ctx context.Context) error {
	if !c.works() {
		return ErrInsertOnly
	}
	if err := CheckSchema(ctx, c.d); err != nil {
		return err
	}
	rc, err := c.river(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.stopped:
		return ErrStopped
	case c.started:
		return nil
	}
	// River stops when the context given to Start ends: give it one that
	// only Stop ends, not the start-up context.
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if err := rc.Start(runCtx); err != nil {
		cancel()
		return fmt.Errorf("jobs: start: %w", err)
	}
	c.started, c.cancel = true, cancel
	return nil
}

// hardStopWait is how long Stop waits for jobs to return once their
// contexts are cancelled, and for River to stop. River's own stop can
// take several seconds on a loaded machine (its leader resigns through
// the database, waiting up to 5 s for a connection; on SQLite it shares
// the single writer connection), so the wait leaves room for that.
const hardStopWait = 10 * time.Second

// Stop stops working jobs: no new job starts, and running ones may finish
// until ctx ends. Then their contexts are cancelled and Stop waits a few
// seconds more for them to return; a job cancelled this way is made
// available again without counting the attempt. A job that still does
// not return is abandoned (it is retried after RescueAfter) and Stop
// returns an error. Stop also releases the client's LISTEN connection; it
// is safe to call on a client never started, and more than once. A
// stopped client cannot start again, but still enqueues and manages jobs.
func (c *Client) Stop(ctx context.Context) error {
	c.mu.Lock()
	rc, started, listen, cancel := c.rc, c.started, c.listen, c.cancel
	c.stopped, c.started, c.listen = true, false, nil
	c.mu.Unlock()
	var err error
	if started {
		if serr := rc.Stop(ctx); serr != nil {
			c.logger.WarnContext(ctx, "jobs: running jobs did not finish before the shutdown deadline; cancelling them", "error", serr)
			hctx, hcancel := context.WithTimeout(context.WithoutCancel(ctx), hardStopWait)
			if herr := rc.StopAndCancel(hctx); herr != nil {
				err = fmt.Errorf("jobs: stop: jobs still running after cancellation were abandoned (retried after RescueAfter): %w", herr)
			}
			hcancel()
		}
		cancel()
	}
	if listen != nil {
		listen.Close()
	}
	return err
}

// Started reports whether the client is working jobs: Start succeeded
// and Stop has not been called. It is the readiness check of a web
// instance that also works jobs:
//
//	health.Started("jobs", c.Started)
//
// An insert-only client never starts: leave it out of readiness.
func (c *Client) Started() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.started
}

// Run works jobs until ctx ends, then stops, giving running jobs
// Config.StopTimeout to finish: the main loop of a worker process that
// serves no HTTP.
//
//	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
//	defer stop()
//	err := c.Run(ctx)
func (c *Client) Run(ctx context.Context) error {
	if err := c.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	timeout := c.cfg.StopTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	return c.Stop(sctx)
}

// Attach ties the client to the app's lifecycle: it starts working jobs
// at start-up (unless insert-only) and stops at shutdown, giving running
// jobs until the shutdown deadline. Shutdown hooks run last registered
// first: attach the client after the database (d.Attach), so that jobs
// stop before the database closes.
func (c *Client) Attach(app *nexios.App) {
	app.OnStartup(func(ctx context.Context) error {
		if !c.works() {
			return nil
		}
		return c.Start(ctx)
	})
	app.OnShutdown(c.Stop)
}

// River returns the underlying River client (built on first use), the
// escape hatch to River features the facade does not cover: queue pause
// and resume, batch inserts, subscriptions to job events.
func (c *Client) River(ctx context.Context) (*river.Client[*sql.Tx], error) {
	return c.river(ctx)
}
