package mail_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/nexios-go/nexios/mail"
	"github.com/nexios-go/nexios/template"
)

func mailTemplates(t testing.TB) *mail.Templates {
	t.Helper()
	files := fstest.MapFS{
		"layouts/mail.html": {Data: []byte(`<!doctype html><html><head><title>{{block "subject" .}}{{end}}</title>
<style>p{color:red}</style></head><body>{{block "content" .}}{{end}}
<footer>{{template "partials/footer.html" .}}</footer></body></html>`)},
		"partials/footer.html": {Data: []byte(`Sent by {{.app}}`)},
		"welcome.html": {Data: []byte(`{{extends "layouts/mail.html"}}
{{define "subject"}}Welcome, {{.username}}!{{end}}
{{define "content"}}<h1>Hello {{.username}}</h1><p>Please <a href="{{.link}}">confirm your address</a>.</p>{{end}}`)},
		"welcome.txt": {Data: []byte(`Hello {{.username}},
confirm your address: {{.link}}
`)},
		"reset.html":    {Data: []byte(`{{extends "layouts/mail.html"}}{{define "subject"}}Reset{{end}}{{define "content"}}<p>Code: <b>{{.code}}</b></p><ul><li>one</li><li>two</li></ul>{{end}}`)},
		"notice.txt":    {Data: []byte("Subject: Notice for {{.username}}\n\nSomething happened.\n")},
		"untitled.html": {Data: []byte(`<p>No title here</p>`)},
		"broken.html":   {Data: []byte("<p>line one</p>\n<p>{{index .items 5}}</p>")},
	}
	e, err := template.New(template.Config{FS: files, Globals: map[string]any{"app": "Nexios"}})
	if err != nil {
		t.Fatal(err)
	}
	return mail.NewTemplates(e)
}

func TestTemplatesRender(t *testing.T) {
	t.Parallel()
	tm := mailTemplates(t)
	data := map[string]any{"username": `O'Brien & <Co>`, "link": "https://app.test/confirm?a=1&b=2", "code": "123456"}
	tests := []struct {
		name             string
		subject          string
		htmlHas, textHas []string
		textLacks        []string
		wantHTML         bool
	}{
		{name: "welcome", subject: "Welcome, O'Brien & <Co>!", wantHTML: true,
			htmlHas:   []string{"O&#39;Brien &amp; &lt;Co&gt;", `href="https://app.test/confirm?a=1&amp;b=2"`, "Sent by Nexios"},
			textHas:   []string{"Hello O'Brien & <Co>,\nconfirm your address: https://app.test/confirm?a=1&b=2"},
			textLacks: []string{"&amp;", "&#39;"}},
		{name: "welcome.html", subject: "Welcome, O'Brien & <Co>!", wantHTML: true, textHas: []string{"Hello O'Brien"}},
		{name: "reset", subject: "Reset", wantHTML: true,
			textHas:   []string{"Code: 123456", "- one\n- two", "Sent by Nexios"},
			textLacks: []string{"color:red", "<", "Reset\n"}},
		{name: "notice", subject: "Notice for O'Brien & <Co>", textHas: []string{"Something happened."}, textLacks: []string{"Subject:"}},
		{name: "notice.txt", subject: "Notice for O'Brien & <Co>", textHas: []string{"Something happened."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := tm.Render(tt.name, data)
			if err != nil {
				t.Fatal(err)
			}
			if c.Subject != tt.subject {
				t.Errorf("subject %q, want %q", c.Subject, tt.subject)
			}
			if (c.HTML != "") != tt.wantHTML {
				t.Errorf("HTML %q", c.HTML)
			}
			for _, s := range tt.htmlHas {
				if !strings.Contains(c.HTML, s) {
					t.Errorf("HTML lacks %q:\n%s", s, c.HTML)
				}
			}
			for _, s := range tt.textHas {
				if !strings.Contains(c.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, c.Text)
				}
			}
			for _, s := range tt.textLacks {
				if strings.Contains(c.Text, s) {
					t.Errorf("text has %q:\n%s", s, c.Text)
				}
			}
		})
	}
}

func TestTemplatesFailBeforeSending(t *testing.T) {
	t.Parallel()
	tm := mailTemplates(t)
	tests := []struct {
		name   string
		mail   mail.TemplatedMail
		want   error
		file   string
		line   int
		notFnd bool
	}{
		{name: "execution error", mail: mail.TemplatedMail{To: []string{"a@example.com"}, Subject: "x", Template: "broken",
			Data: map[string]any{"items": []any{1}}}, want: mail.ErrTemplate, file: "broken.html", line: 2},
		{name: "unknown template", mail: mail.TemplatedMail{To: []string{"a@example.com"}, Subject: "x", Template: "nope"},
			want: mail.ErrTemplate, notFnd: true},
		{name: "no template name", mail: mail.TemplatedMail{To: []string{"a@example.com"}, Subject: "x"}, want: mail.ErrTemplate},
		{name: "no subject anywhere", mail: mail.TemplatedMail{To: []string{"a@example.com"}, Template: "untitled"}, want: mail.ErrTemplate},
		{name: "invalid address", mail: mail.TemplatedMail{To: []string{"bob"}, Template: "welcome"}, want: mail.ErrInvalidAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := mail.NewMemory(mail.WithDefaultFrom("app@example.com"))
			err := tm.Send(t.Context(), out, tt.mail)
			if !errors.Is(err, tt.want) || mail.IsTemporary(err) {
				t.Fatalf("err = %v, want a permanent %v", err, tt.want)
			}
			if tt.file != "" {
				te, ok := errors.AsType[*template.Error](err)
				if !ok || te.Name != tt.file || te.Line != tt.line {
					t.Errorf("template error %#v, want %s:%d", te, tt.file, tt.line)
				}
			}
			if tt.notFnd && !errors.Is(err, template.ErrNotFound) {
				t.Errorf("err = %v, want template.ErrNotFound", err)
			}
			if out.Len() != 0 {
				t.Errorf("%d messages sent despite the error", out.Len())
			}
		})
	}
}

// TestTemplatedMailThroughJSON is a job's life: the arguments are stored
// as JSON, decoded by the worker, rendered and sent to a real server.
func TestTemplatedMailThroughJSON(t *testing.T) {
	t.Parallel()
	tm := mailTemplates(t)
	args := mail.TemplatedMail{
		To: []string{"ada@example.com"}, Template: "welcome.html",
		Data: map[string]any{"username": "ada", "link": "https://app.test/c/1"},
	}
	if args.Kind() == "" {
		t.Fatal("no job kind")
	}
	stored, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	var decoded mail.TemplatedMail
	if err := json.Unmarshal(stored, &decoded); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, serverOpts{})
	s := sender(t, ts.port(), func(c *mail.SMTPConfig) { c.From = "App <app@example.com>" })
	if err := tm.Send(t.Context(), s, decoded); err != nil {
		t.Fatal(err)
	}
	got := ts.received()
	if len(got) != 1 || got[0].From != "app@example.com" || !contains(got[0].Data, "Subject: Welcome, ada!") ||
		!contains(got[0].Data, "multipart/alternative") {
		t.Fatalf("received %+v", got)
	}
}
