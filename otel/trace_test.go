package otel_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/dbtest"
	"github.com/nexios-go/nexios/jobs"
	"github.com/nexios-go/nexios/mail"
	nxotel "github.com/nexios-go/nexios/otel"
	"github.com/nexios-go/nexios/otel/oteldb"
	"github.com/nexios-go/nexios/otel/oteljobs"
	"github.com/nexios-go/nexios/otel/otelmail"
	"github.com/nexios-go/nexios/testclient"
)

// The caller's own trace context: the request continues it.
var (
	callerTrace, _ = trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	callerSpan, _  = trace.SpanIDFromHex("00f067aa0ba902b7")
)

var userMigrations = fstest.MapFS{
	"sqlite/00001_users.sql": {Data: []byte(`-- +goose Up
CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR NOT NULL);
-- +goose Down
DROP TABLE users;
`)},
	"postgres/00001_users.sql": {Data: []byte(`-- +goose Up
CREATE TABLE users (id BIGSERIAL PRIMARY KEY, email VARCHAR NOT NULL);
-- +goose Down
DROP TABLE users;
`)},
}

type user struct {
	ID    int64  `bun:",pk,autoincrement" json:"id"`
	Email string `json:"email"`
}

type welcome struct {
	UserID int64 `json:"user_id"`
}

func (welcome) Kind() string { return "welcome" }

// requestThroughTheQueue serves POST /users — a row written and a job
// enqueued in one transaction, the job sending a mail — with every layer
// traced, sends it with the caller's trace context, and returns the spans
// once the mail span ended.
func requestThroughTheQueue(t *testing.T, d *db.DB, linkOnly bool) tracetest.SpanStubs {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

	oteldb.Instrument(d, oteldb.Config{TracerProvider: tp})
	if err := jobs.Migrate(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	outbox := mail.NewMemory()
	sender := otelmail.Sender(outbox, otelmail.Config{TracerProvider: tp})
	jc, err := jobs.New(d, jobs.Config{
		Middleware:    oteljobs.Middleware(oteljobs.Config{TracerProvider: tp, LinkOnly: linkOnly}),
		PollInterval:  50 * time.Millisecond,
		FetchCooldown: 10 * time.Millisecond,
		Logger:        quietLogger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	err = jobs.Register(jc, func(ctx context.Context, j *jobs.Job[welcome]) error {
		u, err := db.GetOr404[user](ctx, d, j.Args.UserID)
		if err != nil {
			return err
		}
		return sender.Send(ctx, &mail.Message{From: "app@example.com", To: []string{u.Email}, Subject: "Welcome", Text: "Hello"})
	})
	if err != nil {
		t.Fatal(err)
	}

	app := nexios.New(nexios.Config{Logger: quietLogger()})
	app.Use(nexios.Must(nxotel.Middleware(nxotel.Config{TracerProvider: tp, Propagator: propagation.TraceContext{}})))
	d.Attach(app)
	jc.Attach(app)
	app.Post("/users", func(req *nexios.Request, res *nexios.Response) error {
		ctx := req.Context()
		u := &user{Email: "ada@example.com"}
		err := d.Tx(ctx, func(ctx context.Context) error {
			if err := db.Create(ctx, d, u); err != nil {
				return err
			}
			_, err := jc.EnqueueTx(ctx, welcome{UserID: u.ID})
			return err
		})
		if err != nil {
			return err
		}
		return res.Status(201).JSON(u)
	})
	if err := app.Startup(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = app.Shutdown(ctx)
	})

	r := testclient.New(app).Post("/users",
		testclient.Header("traceparent", "00-"+callerTrace.String()+"-"+callerSpan.String()+"-01"))
	if r.Status != 201 {
		t.Fatalf("POST /users: %d %s", r.Status, r.Body)
	}

	return waitSpans(t, exp, func(ss tracetest.SpanStubs) bool {
		return find(ss, "river.work") != nil && find(ss, otelmail.SpanName) != nil
	})
}

// TestOneTraceAcrossTheQueue is the promise of the package: a request
// that writes a row and enqueues a job, whose work sends a mail, is one
// trace — HTTP server span, SQL span, enqueue span, work span, mail span —
// each span the child of the one that caused it.
func TestOneTraceAcrossTheQueue(t *testing.T) {
	dbtest.Each(t, userMigrations, func(t *testing.T, d *db.DB) {
		spans := requestThroughTheQueue(t, d, false)
		httpSpan := find(spans, "POST /users")
		insertSQL := findWith(spans, func(s tracetest.SpanStub) bool {
			return s.Name == "INSERT" && s.Parent.SpanID() == httpSpan.SpanContext.SpanID()
		})
		enqueue := find(spans, "river.insert_many")
		work := find(spans, "river.work")
		sent := find(spans, otelmail.SpanName)
		for name, s := range map[string]*tracetest.SpanStub{"http": httpSpan, "sql insert": insertSQL, "enqueue": enqueue, "work": work, "mail": sent} {
			if s == nil {
				t.Fatalf("no %s span among:\n%s", name, describe(spans))
			}
			if s.SpanContext.TraceID() != callerTrace {
				t.Errorf("%s span is in trace %s, want %s", name, s.SpanContext.TraceID(), callerTrace)
			}
		}
		parentIs := func(child, parent *tracetest.SpanStub, what string) {
			t.Helper()
			if child.Parent.SpanID() != parent.SpanContext.SpanID() {
				t.Errorf("%s: parent %s, want %s (%s)\n%s", what, child.Parent.SpanID(), parent.SpanContext.SpanID(), parent.Name, describe(spans))
			}
		}
		if httpSpan.Parent.SpanID() != callerSpan || !httpSpan.Parent.IsRemote() {
			t.Errorf("the server span does not continue the caller's span: parent %v", httpSpan.Parent)
		}
		if httpSpan.SpanKind != trace.SpanKindServer {
			t.Errorf("server span kind %v", httpSpan.SpanKind)
		}
		parentIs(enqueue, httpSpan, "enqueue span under the request")
		parentIs(work, enqueue, "work span under the enqueue span")
		parentIs(sent, work, "mail span under the work span")
		// The worker's own query is a child of the work span too.
		if findWith(spans, func(s tracetest.SpanStub) bool {
			return s.Name == "SELECT" && s.Parent.SpanID() == work.SpanContext.SpanID()
		}) == nil {
			t.Errorf("no SELECT span under the work span:\n%s", describe(spans))
		}
		if got := attr(httpSpan, "http.route"); got != "/users" {
			t.Errorf("http.route = %q", got)
		}
		if got := attr(httpSpan, "http.response.status_code"); got != "201" {
			t.Errorf("status code attribute = %q", got)
		}
		if got := attr(sent, string(otelmail.AttrRecipients)); got != "1" {
			t.Errorf("mail.recipients = %q", got)
		}
		if strings.Contains(describeAttrs(sent), "ada@example.com") {
			t.Error("the mail span carries the recipient's address")
		}
	})
}

// TestLinkOnlyStartsANewTrace checks the opt-out: the work span begins
// its own trace, linked to the enqueue span.
func TestLinkOnlyStartsANewTrace(t *testing.T) {
	d := dbtest.SQLite(t, userMigrations)
	spans := requestThroughTheQueue(t, d, true)
	enqueue, work, sent := find(spans, "river.insert_many"), find(spans, "river.work"), find(spans, otelmail.SpanName)
	if enqueue == nil || work == nil || sent == nil {
		t.Fatalf("spans missing:\n%s", describe(spans))
	}
	if work.SpanContext.TraceID() == callerTrace || work.Parent.IsValid() {
		t.Errorf("work span continues the request's trace: parent %v", work.Parent)
	}
	if len(work.Links) != 1 || work.Links[0].SpanContext.SpanID() != enqueue.SpanContext.SpanID() {
		t.Errorf("work span links %v, want the enqueue span", work.Links)
	}
	if sent.SpanContext.TraceID() != work.SpanContext.TraceID() || sent.Parent.SpanID() != work.SpanContext.SpanID() {
		t.Error("the mail span is not under the work span")
	}
}

func waitSpans(t *testing.T, exp *tracetest.InMemoryExporter, done func(tracetest.SpanStubs) bool) tracetest.SpanStubs {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ss := exp.GetSpans()
		if done(ss) {
			return ss
		}
		if time.Now().After(deadline) {
			t.Fatalf("spans never completed:\n%s", describe(ss))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func find(ss tracetest.SpanStubs, name string) *tracetest.SpanStub {
	return findWith(ss, func(s tracetest.SpanStub) bool { return s.Name == name })
}

func findWith(ss tracetest.SpanStubs, ok func(tracetest.SpanStub) bool) *tracetest.SpanStub {
	for i := range ss {
		if ok(ss[i]) {
			return &ss[i]
		}
	}
	return nil
}

func attr(s *tracetest.SpanStub, key string) string {
	for _, a := range s.Attributes {
		if string(a.Key) == key {
			return a.Value.String()
		}
	}
	return ""
}

func describeAttrs(s *tracetest.SpanStub) string {
	var b strings.Builder
	for _, a := range s.Attributes {
		fmt.Fprintf(&b, "%s=%s ", a.Key, a.Value.String())
	}
	return b.String()
}

func describe(ss tracetest.SpanStubs) string {
	var b strings.Builder
	for _, s := range ss {
		fmt.Fprintf(&b, "  %s trace=%s span=%s parent=%s\n", s.Name, s.SpanContext.TraceID(), s.SpanContext.SpanID(), s.Parent.SpanID())
	}
	return b.String()
}
