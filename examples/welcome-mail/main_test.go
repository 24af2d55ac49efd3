package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/jobs"
	"github.com/nexios-go/nexios/mail"
	"github.com/nexios-go/nexios/mail/mailtest"
	"github.com/nexios-go/nexios/openapi/openapitest"
	"github.com/nexios-go/nexios/testclient"
)

// start builds the app on a fresh in-memory SQLite database with the
// given outbox, starts it (jobs included) and shuts it down at the end.
func start(t *testing.T, out *mail.Memory) (*nexios.App, *testclient.Client) {
	t.Helper()
	ctx := context.Background()
	app, err := newApp(ctx, options{
		databaseURL: "sqlite::memory:",
		sender:      out,
		debug:       true,
		baseURL:     "https://blog.example.com",
		jobs: jobs.Config{
			PollInterval: 50 * time.Millisecond,
			Backoff:      func(int) time.Duration { return 50 * time.Millisecond },
			Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Startup(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := app.Shutdown(sctx); err != nil {
			t.Error(err)
		}
	})
	return app, openapitest.Client(t, app) // checks every exchange against the app's document
}

// TestOpenAPI checks the app's OpenAPI document with an independent
// validator and that it documents every route's input as binding reads
// it.
func TestOpenAPI(t *testing.T) {
	t.Parallel()
	app, _ := start(t, mail.NewMemory(mail.WithDefaultFrom("blog@example.com")))
	openapitest.Check(t, app)
}

func signUp(c *testclient.Client, username, email string) *testclient.Response {
	return c.Post("/users", testclient.JSON(map[string]string{"username": username, "email": email}))
}

func TestWelcomeMailFlow(t *testing.T) {
	t.Parallel()
	out := mail.NewMemory(mail.WithDefaultFrom("blog@example.com"))
	_, c := start(t, out)

	r := signUp(c, "ada", "ada@example.com")
	if r.Status != 201 {
		t.Fatalf("POST /users = %d %s", r.Status, r.Text())
	}
	var user User
	if err := r.JSON(&user); err != nil || user.ID == 0 || user.Email != "ada@example.com" {
		t.Fatalf("created user %+v (%v)", user, err)
	}

	// The job sends the mail, rendered with the layout: subject from the
	// HTML's <title>, HTML and text parts.
	m := mailtest.WaitOne(t, out, 10*time.Second, mailtest.To("ada@example.com"), mailtest.Subject("Welcome to Nexios Blog, ada!"))
	for _, want := range []string{"Hello ada", "https://blog.example.com/login", "because you signed up to Nexios Blog"} {
		mailtest.Contains(t, m, want)
	}
	if !strings.Contains(m.Message.HTML, `<a href="https://blog.example.com/login">`) || !strings.Contains(m.Message.Text, "Sign in at https://blog.example.com/login") {
		t.Errorf("HTML or text part missing:\nHTML %s\ntext %s", m.Message.HTML, m.Message.Text)
	}

	// The development inbox lists it.
	inbox := c.Get("/_nexios/mail")
	if inbox.Status != 200 || !strings.Contains(inbox.Text(), "Welcome to Nexios Blog, ada!") {
		t.Errorf("dev inbox: %d\n%s", inbox.Status, inbox.Text())
	}
	// The job is done, once.
	var list jobList
	if err := waitJSON(c, "/jobs", &list, func() bool { return len(list.Jobs) == 1 && list.Jobs[0].State == jobs.Completed }); err != nil {
		t.Fatalf("GET /jobs: %v (%+v)", err, list)
	}
	if list.Jobs[0].Kind != "nexios_mail" || list.Jobs[0].Attempt != 1 {
		t.Errorf("job %+v", list.Jobs[0])
	}
	if got := c.Get("/users/1"); got.Status != 200 || !strings.Contains(got.Text(), `"username":"ada"`) {
		t.Errorf("GET /users/1 = %d %s", got.Status, got.Text())
	}
}

// A sign-up that fails — the e-mail is taken — rolls back, and with it
// the job: no second mail.
func TestRolledBackSignUpSendsNothing(t *testing.T) {
	t.Parallel()
	out := mail.NewMemory(mail.WithDefaultFrom("blog@example.com"))
	_, c := start(t, out)
	if r := signUp(c, "ada", "ada@example.com"); r.Status != 201 {
		t.Fatalf("first sign-up %d", r.Status)
	}
	if r := signUp(c, "ada2", "ada@example.com"); r.Status != 409 {
		t.Fatalf("taken e-mail: %d %s, want 409", r.Status, r.Text())
	}
	if r := signUp(c, "bob", "not-an-address"); r.Status != 422 {
		t.Fatalf("invalid e-mail: %d %s, want 422", r.Status, r.Text())
	}
	mailtest.WaitOne(t, out, 10*time.Second, mailtest.To("ada@example.com"))
	var list jobList
	if err := waitJSON(c, "/jobs", &list, func() bool { return len(list.Jobs) == 1 && list.Jobs[0].State == jobs.Completed }); err != nil {
		t.Fatalf("jobs: %v (%+v), want the first sign-up's only", err, list)
	}
	time.Sleep(200 * time.Millisecond)
	if out.Len() != 1 {
		t.Errorf("%d mails sent, want 1", out.Len())
	}
}

// While the SMTP server fails temporarily the job retries; the mail goes
// out once it is back.
func TestMailServerOutageIsRetried(t *testing.T) {
	t.Parallel()
	out := mail.NewMemory(mail.WithDefaultFrom("blog@example.com"))
	out.FailWith(&mail.SendError{Kind: mail.ErrConnect, Step: "connect", Temporary: true, Err: errors.New("connection refused")})
	_, c := start(t, out)
	if r := signUp(c, "ada", "ada@example.com"); r.Status != 201 {
		t.Fatalf("sign-up %d", r.Status)
	}
	var list jobList
	if err := waitJSON(c, "/jobs", &list, func() bool { return len(list.Jobs) == 1 && len(list.Jobs[0].Errors) >= 2 }); err != nil {
		t.Fatalf("jobs: %v (%+v), want failed attempts", err, list)
	}
	if !strings.Contains(list.Jobs[0].Errors[0], "connection refused") {
		t.Errorf("attempt error %q", list.Jobs[0].Errors[0])
	}
	out.FailWith(nil)
	mailtest.WaitOne(t, out, 10*time.Second, mailtest.To("ada@example.com"))
}

// waitJSON polls path until done holds for the decoded body.
func waitJSON(c *testclient.Client, path string, v any, done func() bool) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := c.Get(path)
		if r.Status != 200 {
			return errors.New(r.Text())
		}
		if err := r.JSON(v); err != nil {
			return err
		}
		if done() {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
