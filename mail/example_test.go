package mail_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"testing/fstest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/mail"
	"github.com/nexios-go/nexios/template"
	"github.com/nexios-go/nexios/testclient"
)

// A Memory keeps what is sent: the outbox of tests and the store of the
// development inbox.
func ExampleNewMemory() {
	out := mail.NewMemory(mail.WithDefaultFrom("App <app@example.com>"))
	err := out.Send(context.Background(), &mail.Message{
		To:      []string{"Ada <ada@example.com>"},
		Subject: "Welcome!",
		Text:    "Hello Ada",
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range out.Messages() {
		fmt.Println(s.Envelope.From, "→", s.Envelope.Recipients, s.Message.Subject)
	}
	// Output: app@example.com → [ada@example.com] Welcome!
}

// The SMTP server is configured by URL, usually from SMTP_URL (FromEnv).
func ExampleParseURL() {
	cfg, err := mail.ParseURL("smtp://apikey:s3cret@smtp.example.com:587?starttls=mandatory&from=noreply%40example.com")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg, cfg.StartTLS, cfg.From)
	// Output: smtp://apikey:xxxxx@smtp.example.com:587 mandatory noreply@example.com
}

// Mail bodies come from the app's templates: welcome.html (its <title>
// is the subject) and welcome.txt.
func ExampleTemplates() {
	engine, err := template.New(template.Config{FS: fstest.MapFS{
		"welcome.html": {Data: []byte(`<title>Welcome, {{.username}}!</title><p>Hello <b>{{.username}}</b></p>`)},
		"welcome.txt":  {Data: []byte(`Hello {{.username}}`)},
	}})
	if err != nil {
		log.Fatal(err)
	}
	mails := mail.NewTemplates(engine)
	out := mail.NewMemory(mail.WithDefaultFrom("app@example.com"))

	// The seed's welcome mail. A durable job would carry this value as
	// JSON and call the same Send from its worker.
	err = mails.Send(context.Background(), out, mail.TemplatedMail{
		To:       []string{"ada@example.com"},
		Template: "welcome",
		Data:     map[string]any{"username": "O'Hara"},
	})
	if err != nil {
		log.Fatal(err)
	}
	m := out.Messages()[0].Message
	fmt.Printf("%s | %s | %s\n", m.Subject, m.Text, m.HTML)
	// Output: Welcome, O'Hara! | Hello O'Hara | <title>Welcome, O&#39;Hara!</title><p>Hello <b>O&#39;Hara</b></p>
}

// IsTemporary decides retries: a job retries a temporary failure and
// gives up on a permanent one.
func ExampleIsTemporary() {
	out := mail.NewMemory(mail.WithDefaultFrom("app@example.com"))
	out.FailWith(&mail.SendError{Kind: mail.ErrTimeout, Step: "greeting", Temporary: true})
	msg := &mail.Message{To: []string{"ada@example.com"}, Subject: "Hi"}
	for attempt := 1; attempt <= 3; attempt++ {
		err := out.Send(context.Background(), msg)
		if err == nil {
			fmt.Println("sent at attempt", attempt)
			break
		}
		fmt.Printf("attempt %d: timeout=%v temporary=%v\n", attempt, errors.Is(err, mail.ErrTimeout), mail.IsTemporary(err))
		if !mail.IsTemporary(err) {
			break
		}
		out.FailWith(nil) // the server is back
	}
	err := out.Send(context.Background(), &mail.Message{To: []string{"not an address"}, Subject: "Hi"})
	fmt.Println("invalid address temporary:", mail.IsTemporary(err))
	// Output:
	// attempt 1: timeout=true temporary=true
	// sent at attempt 2
	// invalid address temporary: false
}

// In debug mode the development inbox shows what the app "sent".
func ExampleMountInbox() {
	app := nexios.New(nexios.Config{Debug: true})
	out := mail.NewMemory(mail.WithDefaultFrom("app@example.com"))
	if err := mail.MountInbox(app, out, mail.InboxConfig{}); err != nil {
		log.Fatal(err) // ErrInboxDisabled outside debug mode
	}
	_ = out.Send(context.Background(), &mail.Message{To: []string{"ada@example.com"}, Subject: "Welcome!"})

	res := testclient.New(app).Get("/_nexios/mail/1/eml")
	fmt.Println(res.Status, res.Header.Get("Content-Type"))

	prod := nexios.New(nexios.Config{})
	fmt.Println(mail.MountInbox(prod, out, mail.InboxConfig{}) == mail.ErrInboxDisabled)
	// Output:
	// 200 message/rfc822
	// true
}

// An address typed by a client is a 422 naming the field.
func ExampleInputError() {
	_, err := mail.ParseAddress("ada at example.com")
	var he *nexios.HTTPError
	if errors.As(mail.InputError(err, "body", "email"), &he) {
		fmt.Println(he.Status, he.Errors[0].Location, he.Errors[0].Field)
	}
	// Output: 422 body email
}

// In production, FromEnv reads SMTP_URL and MAIL_FROM; in development
// without SMTP_URL it returns a Memory to mount as the inbox.
func ExampleFromEnv() {
	app := nexios.New(nexios.Config{Debug: true})
	sender, err := mail.FromEnv(app.Config().Debug)
	if err != nil {
		log.Fatal(err) // ErrNotConfigured in production without SMTP_URL
	}
	if out, ok := sender.(*mail.Memory); ok {
		if err := mail.MountInbox(app, out, mail.InboxConfig{}); err != nil {
			log.Fatal(err)
		}
	}
	_ = sender // give it to the handlers, the job worker...
}
