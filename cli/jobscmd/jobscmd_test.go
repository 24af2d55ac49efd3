package jobscmd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/cli"
	"github.com/nexios-go/nexios/cli/jobscmd"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/jobs"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Both queues drive the commands.
var (
	_ jobscmd.Queue = (*jobs.Client)(nil)
	_ jobscmd.Queue = (*jobs.Memory)(nil)
)

type Report struct {
	Month string `json:"month"`
}

func (Report) Kind() string { return "report" }

type Mail struct {
	To string `json:"to"`
}

func (Mail) Kind() string { return "mail" }

// lockedBuffer is written by the command while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func run(ctx context.Context, t *testing.T, q jobscmd.Queue, args ...string) (string, error) {
	t.Helper()
	cmd := cli.Command(nexios.New(nexios.Config{}), cli.Name("app"), jobscmd.Jobs(q))
	var out lockedBuffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	return out.String(), err
}

// queue holds a completed report, a discarded mail (its one attempt
// failed) and a scheduled report.
func queue(t *testing.T) (*jobs.Memory, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	m, err := jobs.NewMemory(jobs.MemoryConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := jobs.Register(m, func(context.Context, *jobs.Job[Report]) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := jobs.Register(m, func(_ context.Context, j *jobs.Job[Mail]) error {
		return errors.New("smtp: 550 no such mailbox " + j.Args.To)
	}); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	enqueue := func(name string, args jobs.Args, o ...jobs.Option) {
		info, err := m.Enqueue(ctx, args, o...)
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = info.ID
	}
	enqueue("done", Report{Month: "2025-05"})
	enqueue("dead", Mail{To: "nobody@example.com"}, jobs.MaxAttempts(1), jobs.Queue("mail"))
	if _, err := m.RunPending(ctx); err != nil {
		t.Fatal(err)
	}
	enqueue("later", Report{Month: "2025-06"}, jobs.Delay(time.Hour))
	return m, ids
}

func TestJobsCommands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m, ids := queue(t)
	out, err := run(ctx, t, m, "jobs", "list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("list:\n%s", out)
	}
	for i, want := range []string{"3 report default scheduled 0/25", "2 mail mail discarded 1/1", "1 report default completed 1/25"} {
		if got := strings.Join(strings.Fields(lines[i+1]), " "); !strings.HasPrefix(got, want) {
			t.Errorf("row %d = %q, want prefix %q", i+1, got, want)
		}
	}
	if !strings.Contains(lines[2], "smtp: 550 no such mailbox nobody@example.com") {
		t.Errorf("the dead letter's error is not shown: %q", lines[2])
	}

	out, err = run(ctx, t, m, "jobs", "list", "--state", "discarded,cancelled", "--json")
	var listed []jobs.Info
	if err != nil || json.Unmarshal([]byte(out), &listed) != nil || len(listed) != 1 || listed[0].ID != ids["dead"] {
		t.Errorf("list --state --json: err %v\n%s", err, out)
	}
	out, _ = run(ctx, t, m, "jobs", "list", "--kind", "report", "--limit", "1")
	if !strings.Contains(out, "More may follow: add --before 3") || strings.Contains(out, "mail") {
		t.Errorf("list --kind --limit:\n%s", out)
	}
	out, _ = run(ctx, t, m, "jobs", "list", "--before", "2")
	if !strings.Contains(out, "\n1 ") || strings.Contains(out, "\n2 ") {
		t.Errorf("list --before 2:\n%s", out)
	}
	if out, _ := run(ctx, t, m, "jobs", "list", "--queue", "nope"); out != "No jobs.\n" {
		t.Errorf("empty list: %q", out)
	}

	out, err = run(ctx, t, m, "jobs", "show", "2")
	for _, want := range []string{"Kind       mail", "State      discarded", `Arguments  {"to":"nobody@example.com"}`, "Attempt 1 failed at ", "  smtp: 550 no such mailbox"} {
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("show lacks %q (err %v):\n%s", want, err, out)
		}
	}

	if out, err := run(ctx, t, m, "jobs", "retry", "2"); err != nil || out != "job 2 (mail) is available\n" {
		t.Errorf("retry: err %v, out %q", err, out)
	}
	if out, err := run(ctx, t, m, "jobs", "cancel", "3"); err != nil || out != "job 3 (report) is cancelled\n" {
		t.Errorf("cancel: err %v, out %q", err, out)
	}
	if j, _ := m.Get(ctx, ids["later"]); j.State != jobs.Cancelled {
		t.Errorf("the cancelled job is %s", j.State)
	}
	if _, err := run(ctx, t, m, "jobs", "show", "99"); cli.ExitCode(err) != 1 || !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("show 99: %v", err)
	}
}

func TestJobsUsageErrors(t *testing.T) {
	t.Parallel()
	m, _ := queue(t)
	for _, args := range [][]string{
		{"jobs", "retry"},
		{"jobs", "retry", "abc"},
		{"jobs", "cancel", "-1"},
		{"jobs", "list", "--state", "lost"},
		{"jobs", "frobnicate"},
		{"worker", "now"},
	} {
		if _, err := run(context.Background(), t, m, args...); cli.ExitCode(err) != 2 {
			t.Errorf("%v: err %v, want a usage error", args, err)
		}
	}
	for _, args := range [][]string{{"jobs"}, {"jobs", "list", "--help"}, {"jobs", "show", "--help"}, {"worker", "--help"}} {
		if out, err := run(context.Background(), t, m, args...); err != nil || !strings.Contains(out, "Usage:") {
			t.Errorf("%v: err %v\n%s", args, err, out)
		}
	}
}

// The worker works jobs until its context ends: the in-memory queue, and
// River on a SQLite file, the real thing.
func TestWorker(t *testing.T) {
	t.Parallel()
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		m, err := jobs.NewMemory(jobs.MemoryConfig{})
		if err != nil {
			t.Fatal(err)
		}
		testWorker(t, m, m)
	})
	t.Run("river", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		d, err := db.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "app.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if err := jobs.Migrate(ctx, d); err != nil {
			t.Fatal(err)
		}
		c, err := jobs.New(d, jobs.Config{StopTimeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		testWorker(t, c, c)
	})
}

func testWorker(t *testing.T, q jobscmd.Queue, reg jobs.Registry) {
	worked := make(chan string, 1)
	if err := jobs.Register(reg, func(_ context.Context, j *jobs.Job[Report]) error {
		worked <- j.Args.Month
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := cli.Command(nexios.New(nexios.Config{}), cli.Name("app"), jobscmd.Jobs(q))
	var out lockedBuffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"worker"})
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	if _, err := q.(jobs.Enqueuer).Enqueue(context.Background(), Report{Month: "2025-07"}); err != nil {
		t.Fatal(err)
	}
	select {
	case month := <-worked:
		if month != "2025-07" {
			t.Errorf("worked %q", month)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the worker did not work the job")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if out.String() != "Working jobs. Press Ctrl+C to stop.\nStopped.\n" {
		t.Errorf("worker printed %q", out.String())
	}
}
