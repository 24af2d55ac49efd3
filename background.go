package nexios

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// Background task defaults; see Config.
const (
	DefaultBackgroundWorkers = 16
	DefaultBackgroundQueue   = 1024
	DefaultBackgroundTimeout = time.Minute
)

// After schedules fn to run in the background once the response has been
// written and the client released — the Go form of Nexios' and FastAPI's
// BackgroundTask:
//
//	res.After(func(ctx context.Context) {
//		if err := mailer.SendWelcome(ctx, user.Email); err != nil {
//			slog.ErrorContext(ctx, "welcome mail", "error", err)
//		}
//	})
//	return res.Status(201).JSON(user)
//
// Tasks run in the app's bounded worker pool (Config.BackgroundWorkers),
// those of one response one after another in the order they were added.
// Their context carries the request context's values (a trace, a request
// id) but is not cancelled when the response ends; it has a deadline of
// Config.BackgroundTimeout. A task must not use the request or response
// (they serve another client by then): copy what it needs into the
// closure. A panic is recovered and logged. Graceful shutdown waits for
// running and queued tasks, up to the shutdown timeout.
//
// Background tasks are in-process and not durable: a task queued when
// the process dies is lost. Work that must happen belongs in a durable
// job queue (package jobs), enqueued in the same transaction as the data
// it follows from.
func (r *Response) After(fn func(ctx context.Context)) {
	if fn == nil {
		return
	}
	r.after.add(fn)
}

// taskList is the tasks of one response: the first two inline, so that
// scheduling the usual one or two tasks allocates nothing.
type taskList struct {
	n      int
	inline [2]func(context.Context)
	more   []func(context.Context)
}

func (l *taskList) add(fn func(context.Context)) {
	if l.n < len(l.inline) {
		l.inline[l.n] = fn
	} else {
		l.more = append(l.more, fn)
	}
	l.n++
}

func (l *taskList) each(f func(func(context.Context))) {
	for i := 0; i < l.n && i < len(l.inline); i++ {
		f(l.inline[i])
	}
	for _, fn := range l.more {
		f(fn)
	}
}

// taskBatch is the tasks of one response, passed by value.
type taskBatch struct {
	ctx    context.Context
	tasks  taskList
	queued time.Time // set only when a TaskObserver watches
}

// TaskObserver is told about the app's background tasks (Response.After):
// the hook metrics (package prometheus) count and time them through. Its
// methods are called on request and worker goroutines, so they must be
// fast and safe for concurrent use. It has no say in how tasks run.
type TaskObserver interface {
	// TasksQueued is called when a response's n tasks are handed to the
	// pool.
	TasksQueued(n int)
	// TaskDone is called after each task: how long it waited, from the
	// moment its response was done to its start, how long it ran, and
	// whether it panicked.
	TaskDone(wait, run time.Duration, panicked bool)
	// TasksDropped is called when n tasks are dropped because the app has
	// shut down.
	TasksDropped(n int)
}

// ObserveTasks makes o observe the app's background tasks (nil stops).
// Call it at start-up.
func (a *App) ObserveTasks(o TaskObserver) {
	if o == nil {
		a.tasks.obs.Store(nil)
		return
	}
	a.tasks.obs.Store(&o)
}

// TaskStats is a snapshot of the background task pool.
type TaskStats struct {
	// Queued is the number of responses whose tasks wait for a worker.
	Queued int
	// Workers is the number of worker goroutines alive, Busy those
	// running tasks; MaxWorkers is Config.BackgroundWorkers.
	Workers, Busy, MaxWorkers int
}

// TaskStats returns the state of the background task pool, for gauges.
func (a *App) TaskStats() TaskStats {
	p := &a.tasks
	running, idle := int(p.running.Load()), int(p.idle.Load())
	return TaskStats{Queued: len(p.queue), Workers: running, Busy: max(running-idle, 0), MaxWorkers: int(p.max)}
}

// idleWorker is how long a worker waits for more tasks before it exits:
// a busy app keeps its workers (no goroutine start per request), an idle
// one holds none.
const idleWorker = time.Second

// taskPool runs background tasks: a bounded queue drained by at most max
// workers, started on demand.
type taskPool struct {
	app     *App
	queue   chan taskBatch
	pending sync.WaitGroup // batches queued or running
	running atomic.Int32   // workers alive
	idle    atomic.Int32   // workers waiting for a batch
	timeout time.Duration

	obs atomic.Pointer[TaskObserver]

	mu     sync.Mutex // guards closed
	closed bool
	max    int32
}

func (p *taskPool) init(a *App) {
	p.app = a
	p.max = int32(positiveOr(a.cfg.BackgroundWorkers, DefaultBackgroundWorkers))
	p.queue = make(chan taskBatch, positiveOr(a.cfg.BackgroundQueue, DefaultBackgroundQueue))
	p.timeout = positiveOr(a.cfg.BackgroundTimeout, DefaultBackgroundTimeout)
}

// submit queues the tasks of a finished response. When the queue is
// full it waits for room — back-pressure on the request's goroutine —
// after flushing the response, so the client is not the one kept waiting.
func (p *taskPool) submit(ctx context.Context, tasks *taskList, w http.ResponseWriter) {
	p.mu.Lock()
	closed := p.closed
	if !closed {
		p.pending.Add(1)
	}
	p.mu.Unlock()
	obs := p.obs.Load()
	if closed {
		p.app.logger.LogAttrs(ctx, slog.LevelError, "nexios: background tasks dropped: the app has shut down",
			slog.Int("tasks", tasks.n))
		if obs != nil {
			(*obs).TasksDropped(tasks.n)
		}
		return
	}
	b := taskBatch{ctx: ctx, tasks: *tasks}
	if obs != nil {
		b.queued = time.Now()
		(*obs).TasksQueued(tasks.n)
	}
	select {
	case p.queue <- b:
	default:
		_ = http.NewResponseController(w).Flush()
		p.spawn()
		p.queue <- b
	}
	p.spawn()
}

// spawn starts a worker when none is idle and fewer than max run.
func (p *taskPool) spawn() {
	for p.idle.Load() == 0 {
		n := p.running.Load()
		if n >= p.max {
			return
		}
		if p.running.CompareAndSwap(n, n+1) {
			go p.work()
			return
		}
	}
}

// work runs batches, and exits after idleWorker without one.
func (p *taskPool) work() {
	idle := time.NewTimer(idleWorker)
	defer idle.Stop()
	for {
		p.idle.Add(1)
		select {
		case b := <-p.queue:
			p.idle.Add(-1)
			p.runBatch(b)
			idle.Reset(idleWorker)
		case <-idle.C:
			p.idle.Add(-1)
			p.running.Add(-1)
			// A batch queued as this worker gave up finds no idle worker
			// and starts one (spawn); check anyway so none is stranded.
			if len(p.queue) > 0 {
				p.spawn()
			}
			return
		}
	}
}

// runBatch runs one response's tasks in order, under one context.
func (p *taskPool) runBatch(b taskBatch) {
	ctx := newTaskContext(b.ctx, time.Now().Add(p.timeout))
	obs := p.obs.Load()
	b.tasks.each(func(fn func(context.Context)) {
		if obs == nil || b.queued.IsZero() {
			p.run(ctx, fn)
			return
		}
		start := time.Now()
		panicked := p.run(ctx, fn)
		(*obs).TaskDone(start.Sub(b.queued), time.Since(start), panicked)
	})
	ctx.end()
	p.pending.Done()
}

// run runs one task, recovering (and reporting) a panic.
func (p *taskPool) run(ctx context.Context, fn func(context.Context)) (panicked bool) {
	defer func() {
		if v := recover(); v != nil {
			panicked = true
			p.app.logger.LogAttrs(ctx, slog.LevelError, "nexios: background task panicked",
				slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
		}
	}()
	fn(ctx)
	return false
}

// positiveOr returns v, or def when v is zero or negative.
func positiveOr[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// reopen accepts tasks again after a drain (an app started anew).
func (p *taskPool) reopen() {
	p.mu.Lock()
	p.closed = false
	p.mu.Unlock()
}

// drain waits for queued and running tasks until ctx is done, then stops
// accepting new ones. Tasks still running are abandoned (logged): a
// goroutine cannot be stopped from outside, but their contexts end at
// their deadline.
func (p *taskPool) drain(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		p.pending.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		queued, running := len(p.queue), int(p.running.Load()-p.idle.Load())
		err = fmt.Errorf("nexios: background tasks abandoned at shutdown (%d queued, %d running): %w", queued, running, ctx.Err())
		p.app.logger.LogAttrs(ctx, slog.LevelError, "nexios: background tasks abandoned at shutdown",
			slog.Int("queued", queued), slog.Int("running", running))
	}
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	return err
}
