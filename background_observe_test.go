package nexios_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/testclient"
)

type taskRecorder struct {
	mu              sync.Mutex
	queued, dropped int
	done, panics    int
	waits, runs     []time.Duration
}

func (r *taskRecorder) TasksQueued(n int) { r.mu.Lock(); r.queued += n; r.mu.Unlock() }
func (r *taskRecorder) TasksDropped(n int) {
	r.mu.Lock()
	r.dropped += n
	r.mu.Unlock()
}

func (r *taskRecorder) TaskDone(wait, run time.Duration, panicked bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	if panicked {
		r.panics++
	}
	r.waits, r.runs = append(r.waits, wait), append(r.runs, run)
}

func TestObserveTasks(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), BackgroundWorkers: 1})
	rec := &taskRecorder{}
	app.ObserveTasks(rec)
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
		res.After(func(context.Context) { once.Do(func() { close(started) }); <-release })
		res.After(func(context.Context) { panic("task failed") })
		return res.Text("ok")
	})
	c := testclient.New(app)
	if r := c.Get("/"); r.Status != 200 {
		t.Fatal(r.Status)
	}
	// The one worker is held by the first task: the pool reports it busy.
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatalf("the first task did not start: stats %+v", app.TaskStats())
	}
	if st := app.TaskStats(); st.Busy != 1 || st.MaxWorkers != 1 || st.Workers != 1 {
		t.Errorf("stats %+v, want one busy worker of one", st)
	}
	// Held for 20 ms from inside the task: its measured run covers them.
	time.Sleep(20 * time.Millisecond)
	close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := app.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	// After shutdown, tasks are dropped and reported so.
	c.Get("/")
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.queued != 2 || rec.done != 2 || rec.panics != 1 || rec.dropped != 2 {
		t.Fatalf("queued %d done %d panics %d dropped %d", rec.queued, rec.done, rec.panics, rec.dropped)
	}
	// The first task ran for at least the 20 ms it was held; the second
	// waited for it.
	if rec.runs[0] < 20*time.Millisecond || rec.waits[1] < rec.runs[0] {
		t.Errorf("runs %v waits %v", rec.runs, rec.waits)
	}
	app.ObserveTasks(nil) // removing the observer is allowed
}
