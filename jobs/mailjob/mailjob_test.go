package mailjob_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"go.uber.org/goleak"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
	"github.com/nexios-go/nexios/jobs"
	"github.com/nexios-go/nexios/jobs/mailjob"
	"github.com/nexios-go/nexios/mail"
	"github.com/nexios-go/nexios/template"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func templates(t testing.TB) *mail.Templates {
	t.Helper()
	engine, err := template.New(template.Config{FS: fstest.MapFS{
		"welcome.html": {Data: []byte(`<title>Welcome, {{.name}}!</title><p>Hello {{.name}}</p>`)},
		"welcome.txt":  {Data: []byte(`Hello {{.name}}`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return mail.NewTemplates(engine)
}

// flaky fails its first sends with a temporary error.
type flaky struct {
	mail.Sender
	failures atomic.Int32
}

func (f *flaky) Send(ctx context.Context, m *mail.Message) error {
	if f.failures.Add(-1) >= 0 {
		return &mail.SendError{Kind: mail.ErrTimeout, Step: "data", Temporary: true, Err: errors.New("i/o timeout")}
	}
	return f.Sender.Send(ctx, m)
}

func welcome(to string) mail.TemplatedMail {
	return mail.TemplatedMail{To: []string{to}, Template: "welcome", Data: map[string]any{"name": "Ada"}}
}

func TestMailJobsInMemory(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		mail     mail.TemplatedMail
		failures int32
		state    jobs.State
		attempts int
		sent     int
		errMatch error
	}{
		{"sent", welcome("ada@example.com"), 0, jobs.Completed, 1, 1, nil},
		{"temporary failures are retried", welcome("ada@example.com"), 2, jobs.Completed, 3, 1, nil},
		{"invalid address is a dead letter", welcome("ada@@example"), 0, jobs.Cancelled, 1, 0, mail.ErrInvalidAddress},
		{"missing template is a dead letter", mail.TemplatedMail{To: []string{"ada@example.com"}, Template: "nope"}, 0, jobs.Cancelled, 1, 0, mail.ErrTemplate},
		{"a server that keeps failing runs out of attempts", welcome("ada@example.com"), 100, jobs.Discarded, 5, 0, mail.ErrTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := mail.NewMemory(mail.WithDefaultFrom("app@example.com"))
			sender := &flaky{Sender: out}
			sender.failures.Store(tc.failures)
			q, err := jobs.NewMemory(jobs.MemoryConfig{Logger: quiet, MaxAttempts: 5})
			if err != nil {
				t.Fatal(err)
			}
			if err := mailjob.Register(q, templates(t), sender); err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			job, err := q.Enqueue(ctx, tc.mail)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := q.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			got, _ := q.Get(ctx, job.ID)
			if got.State != tc.state || got.Attempt != tc.attempts || out.Len() != tc.sent {
				t.Fatalf("%s after %d attempts, %d sent; want %s, %d, %d (errors %v)", got.State, got.Attempt, out.Len(), tc.state, tc.attempts, tc.sent, got.Errors)
			}
			if tc.sent == 1 && out.Messages()[0].Message.Subject != "Welcome, Ada!" {
				t.Errorf("subject %q", out.Messages()[0].Message.Subject)
			}
			if tc.errMatch != nil && !strings.Contains(got.Errors[len(got.Errors)-1].Error, "mailjob") {
				t.Errorf("error %q does not say it is the mail job's", got.Errors[0].Error)
			}
		})
	}
}

// TestInvalidAddressIsCancelledOnRiver: on SQLite and PostgreSQL, a mail
// job to an address that does not parse is cancelled on its first
// attempt, with the reason kept on the job; a good one is sent.
func TestInvalidAddressIsCancelledOnRiver(t *testing.T) {
	t.Parallel()
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			d := dbtest.Open(t, dialect, nil)
			ctx := t.Context()
			if err := jobs.Migrate(ctx, d); err != nil {
				t.Fatal(err)
			}
			out := mail.NewMemory(mail.WithDefaultFrom("app@example.com"))
			c, err := jobs.New(d, jobs.Config{Logger: quiet, PollInterval: 50 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			if err := mailjob.Register(c, templates(t), out); err != nil {
				t.Fatal(err)
			}
			if err := c.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := c.Stop(context.Background()); err != nil {
					t.Error(err)
				}
			}()
			bad, err := c.Enqueue(ctx, welcome("not an address"))
			if err != nil {
				t.Fatal(err)
			}
			good, err := c.Enqueue(ctx, welcome("ada@example.com"))
			if err != nil {
				t.Fatal(err)
			}
			got := wait(t, c, bad.ID, jobs.Cancelled)
			if got.Attempt != 1 || len(got.Errors) != 1 || !strings.HasPrefix(got.Errors[0].Error, "mailjob: ") || !strings.Contains(got.Errors[0].Error, "invalid to address") {
				t.Fatalf("attempt %d errors %v: want cancelled at once, saying why", got.Attempt, got.Errors)
			}
			wait(t, c, good.ID, jobs.Completed)
			if _, err := out.Wait(ctx, func(s *mail.Sent) bool { return s.Message.To[0] == "ada@example.com" }); err != nil {
				t.Fatal(err)
			}
			if out.Len() != 1 {
				t.Errorf("%d mails sent, want 1", out.Len())
			}
		})
	}
}

func wait(t *testing.T, m jobs.Manager, id int64, state jobs.State) *jobs.Info {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := m.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if got.State == state {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d is %s, want %s (errors %v)", id, got.State, state, got.Errors)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
