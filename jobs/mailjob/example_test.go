package mailjob_test

import (
	"context"
	"fmt"
	"log"
	"testing/fstest"

	"github.com/nexios-go/nexios/jobs"
	"github.com/nexios-go/nexios/jobs/mailjob"
	"github.com/nexios-go/nexios/mail"
	"github.com/nexios-go/nexios/template"
)

// The welcome mail as a durable job: the job carries the TemplatedMail,
// the mail worker renders and sends it. Here the queue is the in-memory
// one of tests and the sender the memory outbox.
func ExampleRegister() {
	ctx := context.Background()
	engine, err := template.New(template.Config{FS: fstest.MapFS{
		"welcome.html": {Data: []byte(`<title>Welcome, {{.name}}!</title><p>Hello {{.name}}</p>`)},
	}})
	if err != nil {
		log.Fatal(err)
	}
	outbox := mail.NewMemory(mail.WithDefaultFrom("app@example.com"))
	q, _ := jobs.NewMemory(jobs.MemoryConfig{Logger: quiet})
	if err := mailjob.Register(q, mail.NewTemplates(engine), outbox); err != nil {
		log.Fatal(err)
	}

	_, _ = q.Enqueue(ctx, mail.TemplatedMail{To: []string{"ada@example.com"}, Template: "welcome", Data: map[string]any{"name": "Ada"}})
	bad, _ := q.Enqueue(ctx, mail.TemplatedMail{To: []string{"ada@"}, Template: "welcome"})
	_, _ = q.Drain(ctx)

	fmt.Println(outbox.Messages()[0].Message.Subject)
	bad, _ = q.Get(ctx, bad.ID)
	fmt.Println(bad.State, "after", bad.Attempt, "attempt")
	// Output:
	// Welcome, Ada!
	// cancelled after 1 attempt
}
