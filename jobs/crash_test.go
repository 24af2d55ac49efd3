package jobs_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
	"github.com/nexios-go/nexios/jobs"
)

// childEnv carries the database URL to the child process of the crash
// test.
const childEnv = "NEXIOS_JOBS_TEST_CHILD_DB"

// crash is the job the child process dies working.
type crash struct {
	Note string `json:"note"`
}

func (crash) Kind() string { return "crash" }

// runChild is the child process: an app instance that starts a client
// (eligible for leadership, as a lone instance is) and works a crash job
// forever, until the test kills it.
func runChild() int {
	ctx := context.Background()
	d, err := db.Open(ctx, os.Getenv(childEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	c, err := jobs.New(d, jobs.Config{Logger: quiet, PollInterval: 50 * time.Millisecond})
	if err == nil {
		err = jobs.Register(c, func(ctx context.Context, j *jobs.Job[crash]) error {
			fmt.Printf("started %d\n", j.ID)
			select {} // hang until killed
		})
	}
	if err == nil {
		err = c.Start(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	select {}
}

// TestKilledWorkerIsRescued kills (SIGKILL) a process in the middle of a
// job, then starts a new client as a restarted instance would: the job,
// left running by the dead process, is rescued once RescueAfter passed
// and worked again. The dead process was the leader, so the new client
// first waits for the dead leadership to expire (about 15 seconds); both
// dialects run in parallel.
func TestKilledWorkerIsRescued(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("waits for a dead leader's term to expire (~20 s)")
	}
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			var url string
			if dialect == db.SQLite {
				url = "sqlite:" + filepath.Join(t.TempDir(), "app.db")
			} else {
				url = dbtest.EmptyPostgres(t)
			}
			ctx := t.Context()
			d, err := db.Open(ctx, url)
			check(t, err)
			t.Cleanup(func() { _ = d.Close() })
			check(t, jobs.Migrate(ctx, d))
			c0 := newClient(t, d, jobs.Config{InsertOnly: true}, nil)
			job := must[*jobs.Info](t)(c0.Enqueue(ctx, crash{Note: "half done"}))

			killMidJob(t, d, url, job.ID)
			if got := must[*jobs.Info](t)(c0.Get(ctx, job.ID)); got.State != jobs.Running {
				t.Fatalf("after the kill the job is %s, want running (abandoned)", got.State)
			}

			var runs counter
			restarted := time.Now()
			c := newClient(t, d, jobs.Config{JobTimeout: 500 * time.Millisecond, RescueAfter: time.Second}, func(c *jobs.Client) {
				check(t, jobs.Register(c, func(ctx context.Context, j *jobs.Job[crash]) error {
					runs.add(j.ID)
					return nil
				}))
			})
			start(t, c)
			done := waitState(t, c, job.ID, 45*time.Second, jobs.Completed)
			t.Logf("%s: rescued and worked %s after the restart", dialect, time.Since(restarted).Round(100*time.Millisecond))
			if done.Attempt != 2 || len(done.Errors) != 1 {
				t.Errorf("attempt %d with %d errors, want the second attempt after one rescued failure", done.Attempt, len(done.Errors))
			}
			if n := runs.get(job.ID); n != 1 {
				t.Errorf("worked %d times after the restart, want 1", n)
			}
		})
	}
}

// killMidJob runs the child on the database at url, waits until it has
// started job id and is the leader, and kills it.
func killMidJob(t *testing.T, d *db.DB, url string, id int64) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+url)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	check(t, err)
	check(t, cmd.Start())
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	select {
	case line := <-lines:
		if want := fmt.Sprintf("started %d", id); strings.TrimSpace(line) != want {
			_ = cmd.Process.Kill()
			t.Fatalf("child said %q, want %q", line, want)
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the child did not start the job in 30 s")
	}
	// The child is the only client eligible to lead: wait for its term.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var leaders int
		check(t, d.SQL().QueryRowContext(t.Context(), `SELECT count(*) FROM river_leader`).Scan(&leaders))
		if leaders == 1 {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("the child did not become leader in 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	check(t, cmd.Process.Kill())
	_ = cmd.Wait()
	for range lines { // the reader ends with the pipe
	}
}
