package prometheus_test

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cws "github.com/coder/websocket"
	"github.com/riverqueue/river/rivertype"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
	"github.com/nexios-go/nexios/jobs"
	nxprom "github.com/nexios-go/nexios/prometheus"
	"github.com/nexios-go/nexios/prometheus/jobmetrics"
	"github.com/nexios-go/nexios/testclient"
	"github.com/nexios-go/nexios/websocket"
)

type okJob struct{}

func (okJob) Kind() string { return "ok_job" }

type flakyJob struct{}

func (flakyJob) Kind() string { return "flaky_job" }

// TestEverySourceAndPromtool fills every metric family from real
// components — HTTP, a WebSocket, background tasks, a database pool, jobs
// on River — checks their values, and has promtool check the scrape.
func TestEverySourceAndPromtool(t *testing.T) {
	dbtest.Each(t, nil, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		app, m := newApp(t)
		m.MustRegister(nxprom.Database("main", d))

		// Jobs: one succeeds, one fails once and succeeds on its retry.
		if err := jobs.Migrate(ctx, d); err != nil {
			t.Fatal(err)
		}
		jm, err := jobmetrics.New(m.Registry(), jobmetrics.Config{})
		if err != nil {
			t.Fatal(err)
		}
		jc, err := jobs.New(d, jobs.Config{
			Middleware:    []rivertype.Middleware{jm},
			PollInterval:  50 * time.Millisecond,
			FetchCooldown: 10 * time.Millisecond,
			Backoff:       func(int) time.Duration { return 50 * time.Millisecond },
			Logger:        quietLogger(),
		})
		if err != nil {
			t.Fatal(err)
		}
		var flakyRuns atomic.Int32
		done := make(chan struct{}, 2)
		check(t, jobs.Register(jc, func(context.Context, *jobs.Job[okJob]) error {
			done <- struct{}{}
			return nil
		}))
		check(t, jobs.Register(jc, func(context.Context, *jobs.Job[flakyJob]) error {
			if flakyRuns.Add(1) == 1 {
				return errors.New("temporary")
			}
			done <- struct{}{}
			return nil
		}))
		jc.Attach(app)

		// HTTP, a background task and a WebSocket.
		taskRan := make(chan struct{})
		app.Post("/signup", func(req *nexios.Request, res *nexios.Response) error {
			if _, err := jc.Enqueue(req.Context(), okJob{}); err != nil {
				return err
			}
			if _, err := jc.Enqueue(req.Context(), flakyJob{}); err != nil {
				return err
			}
			res.After(func(context.Context) { close(taskRan) })
			return res.Status(201).Text("welcome")
		})
		websocket.Route(app, "/ws/{room}", websocket.Handler(func(ws *websocket.Conn) error {
			for msg := range ws.Messages() {
				if err := ws.SendText(ws.Context(), "echo "+msg.Text()); err != nil {
					return err
				}
			}
			return ws.Err()
		}))
		check(t, app.Startup(ctx))
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = app.Shutdown(sctx)
		})

		if r := testclient.New(app).Post("/signup"); r.Status != 201 {
			t.Fatalf("signup: %d %s", r.Status, r.Body)
		}
		<-taskRan
		for range 2 {
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				t.Fatal("jobs did not complete")
			}
		}
		srv := httptest.NewServer(app)
		defer srv.Close()
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		conn, _, err := cws.Dial(wctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws/lobby", nil)
		if err != nil {
			t.Fatal(err)
		}
		check(t, conn.Write(wctx, cws.MessageText, []byte("hello")))
		if _, _, err := conn.Read(wctx); err != nil {
			t.Fatal(err)
		}
		check(t, conn.Close(cws.StatusNormalClosure, ""))

		reg := m.Registry()
		ws := map[string]string{"route": "/ws/{room}"}
		eventually(t, "the WebSocket close to be observed", func() bool {
			return value(t, reg, "websocket_connection_duration_seconds", ws) == 1
		})
		// The job counters are updated after the work returns.
		eventually(t, "both jobs to be counted", func() bool {
			return value(t, reg, "jobs_worked_total", map[string]string{"kind": "flaky_job", "outcome": "ok"}) == 1
		})
		for _, tc := range []struct {
			name   string
			labels map[string]string
			want   float64
		}{
			{"websocket_connections_total", ws, 1},
			{"websocket_connections_active", ws, 0},
			{"websocket_messages_received_total", map[string]string{"route": "/ws/{room}", "type": "text"}, 1},
			{"websocket_messages_sent_total", map[string]string{"route": "/ws/{room}", "type": "text"}, 1},
			{"websocket_sent_bytes_total", ws, float64(len("echo hello"))},
			{"background_tasks_queued_total", nil, 1},
			{"background_tasks_completed_total", map[string]string{"outcome": "ok"}, 1},
			{"background_task_duration_seconds", nil, 1},
			{"background_workers_max", nil, nexios.DefaultBackgroundWorkers},
			{"jobs_enqueued_total", map[string]string{"kind": "ok_job", "queue": "default"}, 1},
			{"jobs_enqueued_total", map[string]string{"kind": "flaky_job", "queue": "default"}, 1},
			{"jobs_worked_total", map[string]string{"kind": "ok_job", "outcome": "ok"}, 1},
			{"jobs_worked_total", map[string]string{"kind": "flaky_job", "outcome": "error"}, 1},
			{"jobs_retries_total", map[string]string{"kind": "flaky_job"}, 1},
			{"jobs_queue_wait_seconds", map[string]string{"kind": "ok_job"}, 1},
			{"jobs_run_duration_seconds", map[string]string{"kind": "flaky_job"}, 2},
			{"jobs_running", map[string]string{"kind": "flaky_job"}, 0},
			{"http_server_request_duration_seconds", map[string]string{"route": "/signup", "code": "201"}, 1},
		} {
			if got := value(t, reg, tc.name, tc.labels); got != tc.want {
				t.Errorf("%s%v = %v, want %v; series %v", tc.name, tc.labels, got, tc.want, seriesOf(t, reg, tc.name))
			}
		}
		if got := value(t, reg, "go_sql_max_open_connections", map[string]string{"db_name": "main"}); got <= 0 {
			t.Errorf("database pool stats missing: %v", got)
		}

		// The whole scrape must satisfy promtool.
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if rec.Code != 200 {
			t.Fatalf("scrape: %d", rec.Code)
		}
		promtoolCheck(t, rec.Body.Bytes())
	})
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// promtool returns the promtool to use: $NEXIOS_PROMTOOL, else the one on
// PATH. scripts/promtool-check.sh installs it and sets the variable, so
// that CI fails rather than skips when it is missing.
func promtool(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("NEXIOS_PROMTOOL"); p != "" {
		return p
	}
	p, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not found (Debian package prometheus; scripts/promtool-check.sh installs it)")
	}
	return p
}

func promtoolCheck(t *testing.T, scrape []byte) {
	t.Helper()
	cmd := exec.Command(promtool(t), "check", "metrics")
	cmd.Stdin = bytes.NewReader(scrape)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check metrics: %v\n%s\n--- scrape ---\n%s", err, out, scrape)
	}
}
