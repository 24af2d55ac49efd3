package nexios_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/internal/logcapture"
	"github.com/nexios-go/nexios/testclient"
)

// TestBackgroundAfterResponse is the measurement: the client has
// the whole body and a free connection (a second request on the same
// keep-alive connection is answered) while a 5-second task still runs,
// and graceful shutdown waits for the task.
func TestBackgroundAfterResponse(t *testing.T) {
	t.Parallel()
	started, release, finished := make(chan struct{}), make(chan struct{}), make(chan struct{})
	app := nexios.New(nexios.Config{Logger: quiet})
	ctxKey := struct{ name string }{"trace"}
	app.Use(func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			req.WithContext(context.WithValue(req.Context(), ctxKey, "t-1"))
			return next(req, res)
		}
	})
	var sawValue atomic.Value
	app.Post("/users", func(req *nexios.Request, res *nexios.Response) error {
		res.After(func(ctx context.Context) {
			sawValue.Store(ctx.Value(ctxKey))
			close(started)
			select { // a 5-second task, cut short by the test once measured
			case <-release:
			case <-time.After(5 * time.Second):
			}
			if ctx.Err() != nil {
				sawValue.Store("cancelled")
			}
			close(finished)
		})
		return res.Status(201).JSON(map[string]string{"username": "ann"})
	})
	app.Get("/ping", text("pong"))

	ln := mustListen()
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ln) }()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	begin := time.Now()
	fmt.Fprintf(conn, "POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 201 || !strings.Contains(string(body), "ann") {
		t.Fatalf("response %d %q %v", res.StatusCode, body, err)
	}
	<-started
	// The same connection serves the next request while the task runs.
	fmt.Fprintf(conn, "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n")
	res, err = http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	pong, _ := io.ReadAll(res.Body)
	if string(pong) != "pong" {
		t.Fatalf("second request on the connection: %q", pong)
	}
	if elapsed := time.Since(begin); elapsed > 2*time.Second {
		t.Errorf("the client waited %v for a response whose task takes 5 s", elapsed)
	}
	select {
	case <-finished:
		t.Fatal("the task finished before it was released")
	default:
	}

	// Shutdown waits for the running task.
	stop()
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) while a background task was running", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	select {
	case <-finished:
	default:
		t.Fatal("Serve returned before the task finished")
	}
	if v := sawValue.Load(); v != "t-1" {
		t.Errorf("task context value = %v, want the request's value, not cancelled", v)
	}
}

// TestBackgroundBounded checks the worker cap, the order of one response's
// tasks, back-pressure on a full queue and that the request's context
// ending does not cancel a task.
func TestBackgroundBounded(t *testing.T) {
	t.Parallel()
	app := nexios.New(nexios.Config{Logger: quiet, BackgroundWorkers: 2, BackgroundQueue: 4})
	var running, peak atomic.Int32
	gate := make(chan struct{})
	var mu sync.Mutex
	order := map[string][]int{}
	app.Post("/work/{id}", func(req *nexios.Request, res *nexios.Response) error {
		id := req.Path("id")
		for i := range 3 {
			res.After(func(ctx context.Context) {
				n := running.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				<-gate
				mu.Lock()
				order[id] = append(order[id], i)
				mu.Unlock()
				running.Add(-1)
			})
		}
		return res.NoContent()
	})
	c := testclient.New(app)
	// 2 running + 4 queued fill the pool; the 7th and 8th wait for room.
	var wg sync.WaitGroup
	var answered atomic.Int32
	for i := range 8 {
		wg.Go(func() {
			if r := c.Post(fmt.Sprint("/work/", i)); r.Status == 204 {
				answered.Add(1)
			}
		})
	}
	time.Sleep(150 * time.Millisecond)
	if n := answered.Load(); n < 6 {
		t.Errorf("only %d requests answered while the pool had room for 6", n)
	}
	close(gate)
	wg.Wait()
	if err := app.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p := peak.Load(); p > 2 {
		t.Errorf("%d tasks ran at once, the limit is 2", p)
	}
	if len(order) != 8 {
		t.Fatalf("tasks of %d responses ran, want 8", len(order))
	}
	for id, seq := range order {
		if fmt.Sprint(seq) != "[0 1 2]" {
			t.Errorf("response %s ran its tasks in order %v", id, seq)
		}
	}
}

// TestBackgroundFailures: a panic is recovered and logged, a task's
// deadline is Config.BackgroundTimeout, and a shutdown that times out
// reports the abandoned tasks.
func TestBackgroundFailures(t *testing.T) {
	t.Parallel()
	log := logcapture.New()
	app := nexios.New(nexios.Config{Logger: slog.New(log), BackgroundTimeout: 50 * time.Millisecond})
	deadline := make(chan error, 1)
	hang := make(chan struct{})
	defer close(hang)
	app.Get("/panic", func(_ *nexios.Request, res *nexios.Response) error {
		res.After(func(context.Context) { panic("task boom") })
		return res.Text("ok")
	})
	app.Get("/slow", func(_ *nexios.Request, res *nexios.Response) error {
		res.After(func(ctx context.Context) {
			<-ctx.Done()
			deadline <- ctx.Err()
		})
		return res.Text("ok")
	})
	app.Get("/hang", func(_ *nexios.Request, res *nexios.Response) error {
		res.After(func(context.Context) { <-hang })
		return res.Text("ok")
	})
	c := testclient.New(app)
	if r := c.Get("/panic"); r.Status != 200 {
		t.Fatalf("panic task broke the response: %d", r.Status)
	}
	if e := log.WaitFor(t, "nexios: background task panicked"); e.Str("panic") != "task boom" || !strings.Contains(e.Str("stack"), "background_test") {
		t.Errorf("panic record %v", e.Attrs)
	}
	c.Get("/slow")
	select {
	case err := <-deadline:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("task context ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the task's deadline never came")
	}
	c.Get("/hang")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := app.Shutdown(ctx); err == nil || !strings.Contains(err.Error(), "abandoned") {
		t.Errorf("Shutdown with a hanging task: %v", err)
	}
	log.WaitFor(t, "nexios: background tasks abandoned at shutdown")
}

// BenchmarkBackgroundSchedule measures what scheduling one background
// task adds to a request.
func BenchmarkBackgroundSchedule(b *testing.B) {
	for _, withTask := range []bool{false, true} {
		b.Run(fmt.Sprint("task=", withTask), func(b *testing.B) {
			app := nexios.New(nexios.Config{BackgroundWorkers: 4, BackgroundQueue: 1 << 16})
			noop := func(context.Context) {}
			app.Get("/", func(_ *nexios.Request, res *nexios.Response) error {
				if withTask {
					res.After(noop)
				}
				return res.Text("ok")
			})
			benchServe(b, app, httptest.NewRequest("GET", "/", nil))
			_ = app.Shutdown(context.Background())
		})
	}
}
