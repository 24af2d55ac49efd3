package jobs_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
	"github.com/nexios-go/nexios/jobs"
)

// appMigrations are an app's own migrations, which River's join as
// version 2.
var appMigrations = fstest.MapFS{
	"00001_users.sql": {Data: []byte("-- +goose Up\nCREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n-- +goose Down\nDROP TABLE users;\n")},
	"00003_posts.sql": {Data: []byte("-- +goose Up\nCREATE TABLE posts (id INTEGER PRIMARY KEY);\n-- +goose Down\nDROP TABLE posts;\n")},
}

func TestMigrationJoinsTheAppsMigrations(t *testing.T) {
	t.Parallel()
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, dialect, nil)
			ctx := t.Context()
			m, err := d.Migrator(appMigrations, db.WithGoMigrations(jobs.Migration(d, 2)))
			check(t, err)

			var pending *db.PendingError
			if err := m.Pending(ctx); !errors.As(err, &pending) || len(pending.Pending) != 3 {
				t.Fatalf("before migrating: %v, want 3 pending (River's among them)", err)
			}
			var schema *jobs.SchemaError
			if err := jobs.CheckSchema(ctx, d); !errors.As(err, &schema) {
				t.Fatalf("CheckSchema on an empty database: %v, want *SchemaError", err)
			}
			c := newClient(t, d, jobs.Config{}, func(c *jobs.Client) {
				check(t, jobs.Register(c, func(context.Context, *jobs.Job[ping]) error { return nil }))
			})
			if err := c.Start(ctx); !errors.As(err, &schema) || !strings.Contains(err.Error(), "jobs.Migration") {
				t.Fatalf("Start without River's tables: %v, want a *SchemaError saying what to do", err)
			}

			// Up, down and up again: River's part undoes cleanly.
			check(t, m.RoundTrip(ctx))
			check(t, m.Pending(ctx))
			check(t, jobs.CheckSchema(ctx, d))
			// Down to before River's version removes its tables.
			check(t, m.DownTo(ctx, 1))
			if err := jobs.CheckSchema(ctx, d); !errors.As(err, &schema) {
				t.Fatalf("after migrating down: %v, want *SchemaError", err)
			}
			check(t, m.Up(ctx))
			// Migrate directly finds nothing to do.
			check(t, jobs.Migrate(ctx, d))
			check(t, jobs.CheckSchema(ctx, d))
		})
	}
}

func TestInsertOnlyAndWorkerOnly(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		web := newClient(t, d, jobs.Config{InsertOnly: true}, nil)
		if err := web.Start(ctx); !errors.Is(err, jobs.ErrInsertOnly) {
			t.Fatalf("Start of an insert-only client: %v", err)
		}
		if err := web.Run(ctx); !errors.Is(err, jobs.ErrInsertOnly) {
			t.Fatalf("Run of an insert-only client: %v", err)
		}
		job := must[*jobs.Info](t)(web.Enqueue(ctx, ping{N: 7}))

		// The worker process: Run until its context ends.
		ran := make(chan int, 1)
		worker := newClient(t, d, jobs.Config{}, func(c *jobs.Client) {
			check(t, jobs.Register(c, func(ctx context.Context, j *jobs.Job[ping]) error {
				ran <- j.Args.N
				return nil
			}))
		})
		runCtx, stop := context.WithCancel(ctx)
		result := make(chan error, 1)
		go func() { result <- worker.Run(runCtx) }()
		select {
		case n := <-ran:
			if n != 7 {
				t.Errorf("worked args %d, want 7", n)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the worker did not work the job")
		}
		waitState(t, web, job.ID, 5*time.Second, jobs.Completed)
		stop()
		select {
		case err := <-result:
			check(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after its context ended")
		}
		if err := worker.Start(ctx); !errors.Is(err, jobs.ErrStopped) {
			t.Errorf("Start after Run ended: %v, want ErrStopped", err)
		}
	})
}

func TestStopWaitsThenCancels(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		started := make(chan struct{}, 2)
		finished := make(chan struct{}, 1)
		c := newClient(t, d, jobs.Config{}, func(c *jobs.Client) {
			// slow finishes 300 ms after it starts.
			check(t, jobs.Register(c, func(ctx context.Context, j *jobs.Job[ping]) error {
				started <- struct{}{}
				time.Sleep(300 * time.Millisecond)
				finished <- struct{}{}
				return nil
			}))
			// stuck only ends when its context is cancelled.
			check(t, jobs.Register(c, func(ctx context.Context, j *jobs.Job[welcome]) error {
				started <- struct{}{}
				<-ctx.Done()
				return ctx.Err()
			}))
		})
		start(t, c)
		ctx := t.Context()
		slow := must[*jobs.Info](t)(c.Enqueue(ctx, ping{}))
		stuck := must[*jobs.Info](t)(c.Enqueue(ctx, welcome{}))
		<-started
		<-started

		stopCtx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		begun := time.Now()
		check(t, c.Stop(stopCtx))
		took := time.Since(begun)
		select {
		case <-finished:
		default:
			t.Error("Stop returned before the slow job finished")
		}
		// The cancelled job returns at once; River's own stop takes
		// longer on a loaded machine, within Stop's 10 s wait.
		if took < time.Second || took > 11*time.Second {
			t.Errorf("Stop took %s: want the shutdown deadline (1 s), then the cancellation", took)
		}
		other := newClient(t, d, jobs.Config{InsertOnly: true}, nil)
		if got := must[*jobs.Info](t)(other.Get(ctx, slow.ID)); got.State != jobs.Completed {
			t.Errorf("slow job is %s, want completed", got.State)
		}
		// The job cut short by the shutdown waits for the next instance,
		// its attempt not counted.
		if got := must[*jobs.Info](t)(other.Get(ctx, stuck.ID)); got.State != jobs.Available || got.Attempt != 0 {
			t.Errorf("interrupted job is %s at attempt %d, want available at 0", got.State, got.Attempt)
		}
	})
}

func TestAttachFollowsTheAppsLifecycle(t *testing.T) {
	t.Parallel()
	d := openDB(t, db.SQLite)
	ran := make(chan struct{}, 1)
	c := newClient(t, d, jobs.Config{}, func(c *jobs.Client) {
		check(t, jobs.Register(c, func(ctx context.Context, j *jobs.Job[ping]) error {
			ran <- struct{}{}
			return nil
		}))
	})
	app := nexios.New(nexios.Config{})
	c.Attach(app)
	ctx := t.Context()
	check(t, errOnly(c.Enqueue(ctx, ping{})))
	select {
	case <-ran:
		t.Fatal("a job ran before the app started")
	case <-time.After(200 * time.Millisecond):
	}
	if c.Started() {
		t.Fatal("Started before the app started")
	}
	check(t, app.Startup(ctx))
	if !c.Started() {
		t.Fatal("not Started after start-up")
	}
	select {
	case <-ran:
	case <-time.After(10 * time.Second):
		t.Fatal("the job did not run after start-up")
	}
	check(t, app.Shutdown(ctx))
	if c.Started() {
		t.Fatal("still Started after shutdown")
	}
	if err := c.Start(ctx); !errors.Is(err, jobs.ErrStopped) {
		t.Fatalf("after shutdown the client is not stopped: %v", err)
	}
}

func TestRegister(t *testing.T) {
	t.Parallel()
	d := openDB(t, db.SQLite)
	c := newClient(t, d, jobs.Config{}, nil)
	work := func(context.Context, *jobs.Job[ping]) error { return nil }
	check(t, jobs.Register(c, work))
	if err := jobs.Register(c, work); !errors.Is(err, jobs.ErrRegistered) {
		t.Errorf("second worker for a kind: %v, want ErrRegistered", err)
	}
	if err := jobs.Register[*ping](c, func(context.Context, *jobs.Job[*ping]) error { return nil }); err == nil {
		t.Error("a pointer args type was accepted")
	}
	if err := jobs.Register[ping](c, nil); err == nil {
		t.Error("a nil WorkFunc was accepted")
	}
	if err := jobs.Register(c, func(context.Context, *jobs.Job[noKind]) error { return nil }); err == nil {
		t.Error("an empty kind was accepted")
	}
	check(t, errOnly(c.Enqueue(t.Context(), ping{})))
	if err := jobs.Register(c, func(context.Context, *jobs.Job[welcome]) error { return nil }); !errors.Is(err, jobs.ErrInUse) {
		t.Errorf("Register after use: %v, want ErrInUse", err)
	}
	// A working client refuses a kind it has no worker for: a forgotten
	// Register shows at the first Enqueue, not as jobs that never run.
	if _, err := c.Enqueue(t.Context(), welcome{}); err == nil {
		t.Error("a kind without a worker was enqueued")
	}
}

type noKind struct{}

func (noKind) Kind() string { return "" }

func TestConfigAndOptionsAreValidated(t *testing.T) {
	t.Parallel()
	d := openDB(t, db.SQLite)
	args := func() jobs.Args { return ping{} }
	for _, tc := range []struct {
		name string
		cfg  jobs.Config
	}{
		{"queue name", jobs.Config{Queues: map[string]int{"Bad Name": 1}}},
		{"queue workers", jobs.Config{Queues: map[string]int{"default": 0}}},
		{"insert-only periodic", jobs.Config{InsertOnly: true, Periodic: []jobs.Periodic{{Every: time.Minute, Args: args}}}},
		{"no leader periodic", jobs.Config{DisableLeaderElection: true, Periodic: []jobs.Periodic{{Every: time.Minute, Args: args}}}},
		{"periodic without args", jobs.Config{Periodic: []jobs.Periodic{{Every: time.Minute}}}},
		{"periodic too often", jobs.Config{Periodic: []jobs.Periodic{{Every: time.Millisecond, Args: args}}}},
		{"periodic without schedule", jobs.Config{Periodic: []jobs.Periodic{{Args: args}}}},
		{"periodic bad option", jobs.Config{Periodic: []jobs.Periodic{{Every: time.Minute, Args: args, Options: []jobs.Option{jobs.Priority(9)}}}}},
		{"rescue before timeout", jobs.Config{JobTimeout: time.Hour, RescueAfter: time.Minute}},
		{"negative", jobs.Config{MaxAttempts: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := jobs.New(d, tc.cfg); err == nil {
				t.Errorf("New accepted %+v", tc.cfg)
			}
		})
	}
	c := newClient(t, d, jobs.Config{InsertOnly: true}, nil)
	for _, tc := range []struct {
		name string
		opt  jobs.Option
	}{
		{"priority", jobs.Priority(0)},
		{"attempts", jobs.MaxAttempts(0)},
		{"queue", jobs.Queue("no spaces")},
		{"delay", jobs.Delay(-time.Second)},
		{"tag", jobs.Tags("a b")},
		{"unique empty", jobs.Unique(jobs.Uniqueness{})},
		{"unique period", jobs.Unique(jobs.Uniqueness{ByPeriod: time.Millisecond})},
		{"unique states", jobs.Unique(jobs.Uniqueness{ByState: []jobs.State{jobs.Completed}})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := c.Enqueue(t.Context(), ping{}, tc.opt); err == nil {
				t.Errorf("option %s accepted", tc.name)
			}
		})
	}
	if _, err := c.Enqueue(t.Context(), nil); err == nil {
		t.Error("nil args accepted")
	}
}

func TestListGetAndPages(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		c := newClient(t, d, jobs.Config{InsertOnly: true}, nil)
		ctx := t.Context()
		var ids []int64
		for i := range 5 {
			q := "default"
			if i%2 == 1 {
				q = "mail"
			}
			ids = append(ids, must[*jobs.Info](t)(c.Enqueue(ctx, ping{N: i}, jobs.Queue(q))).ID)
		}
		check(t, errOnly(c.Cancel(ctx, ids[0])))

		page := must[[]*jobs.Info](t)(c.List(ctx, jobs.Filter{Limit: 2}))
		if len(page) != 2 || page[0].ID != ids[4] || page[1].ID != ids[3] {
			t.Fatalf("first page %v, want the two newest", idsOf(page))
		}
		page = must[[]*jobs.Info](t)(c.List(ctx, jobs.Filter{Limit: 2, BeforeID: page[1].ID}))
		if len(page) != 2 || page[0].ID != ids[2] || page[1].ID != ids[1] {
			t.Fatalf("second page %v", idsOf(page))
		}
		if got := must[[]*jobs.Info](t)(c.List(ctx, jobs.Filter{Queues: []string{"mail"}})); len(got) != 2 {
			t.Errorf("mail queue: %v", idsOf(got))
		}
		if got := must[[]*jobs.Info](t)(c.List(ctx, jobs.Filter{States: []jobs.State{jobs.Cancelled}})); len(got) != 1 || got[0].ID != ids[0] {
			t.Errorf("cancelled: %v", idsOf(got))
		}
		if got := must[[]*jobs.Info](t)(c.List(ctx, jobs.Filter{Kinds: []string{"welcome"}})); len(got) != 0 {
			t.Errorf("welcome jobs: %v", idsOf(got))
		}
		info := must[*jobs.Info](t)(c.Get(ctx, ids[2]))
		if info.Kind != "ping" || string(info.RawArgs) != `{"n": 2}` && string(info.RawArgs) != `{"n":2}` {
			t.Errorf("Get: kind %s args %s", info.Kind, info.RawArgs)
		}
		for _, op := range []func(context.Context, int64) (*jobs.Info, error){c.Get, c.Retry, c.Cancel} {
			if _, err := op(ctx, 999999); !errors.Is(err, jobs.ErrNotFound) {
				t.Errorf("unknown id: %v, want ErrNotFound", err)
			}
		}
	})
}

func idsOf(list []*jobs.Info) []int64 {
	out := make([]int64, len(list))
	for i, j := range list {
		out[i] = j.ID
	}
	return out
}

// traceKey is the context key the observing middleware sets, as a
// tracing middleware sets its span.
type traceKey struct{}

// observer is River middleware around insertion and work: the hook for
// tracing and metrics (rivercontrib/otelriver is one).
type observer struct {
	river.MiddlewareDefaults
	inserts, works atomic.Int32
}

func (o *observer) InsertMany(ctx context.Context, params []*rivertype.JobInsertParams, doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	o.inserts.Add(int32(len(params)))
	return doInner(ctx)
}

func (o *observer) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	o.works.Add(1)
	return doInner(context.WithValue(ctx, traceKey{}, job.ID))
}

func TestMiddlewareObservesInsertAndWork(t *testing.T) {
	t.Parallel()
	d := openDB(t, db.SQLite)
	obs := &observer{}
	seen := make(chan any, 1)
	c := newClient(t, d, jobs.Config{Middleware: []rivertype.Middleware{obs}}, func(c *jobs.Client) {
		check(t, jobs.Register(c, func(ctx context.Context, j *jobs.Job[ping]) error {
			seen <- ctx.Value(traceKey{})
			return nil
		}))
	})
	start(t, c)
	job := must[*jobs.Info](t)(c.Enqueue(t.Context(), ping{}))
	select {
	case v := <-seen:
		if v != job.ID {
			t.Errorf("the worker's context carries %v, want the middleware's value %d", v, job.ID)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("job not worked")
	}
	if obs.inserts.Load() != 1 || obs.works.Load() != 1 {
		t.Errorf("middleware saw %d inserts and %d works, want 1 and 1", obs.inserts.Load(), obs.works.Load())
	}
}
