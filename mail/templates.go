package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"regexp"
	"strings"

	"github.com/nexios-go/nexios/template"
)

// Templates renders mail bodies with the framework's template engine
// (package template): layouts, partials, functions and globals work as in
// pages. A mail "welcome" is the files welcome.html (the HTML body) and
// welcome.txt (the plain-text body); either may be missing, not both.
// Without welcome.txt the text body is derived from the HTML
// (HTMLToText).
//
// The subject is, in order: the one given, the HTML's <title>, or a first
// line "Subject: ..." of the text template (removed from the body).
//
// The engine escapes for HTML in every file, .txt included; Templates
// unescapes the text part, so "O'Brien & Co" reads as written. A text
// template therefore must not rely on writing entities such as &amp;
// literally.
type Templates struct {
	engine *template.Engine
}

// NewTemplates returns mail templates rendered by engine.
func NewTemplates(engine *template.Engine) *Templates {
	return &Templates{engine: engine}
}

// Content is a rendered mail.
type Content struct {
	// Subject is the HTML's <title> or the text's "Subject:" line; empty
	// when the templates give none.
	Subject string
	// HTML is the HTML body; empty for a text-only mail.
	HTML string
	// Text is the plain-text body, derived from HTML without a .txt.
	Text string
}

// Render renders the mail name ("welcome", "welcome.html" or
// "mails/welcome") with data. A failure is an error matching ErrTemplate
// (errors.As finds the *template.Error with the file and line); a missing
// subject too.
func (t *Templates) Render(name string, data any) (*Content, error) {
	base, textOnly := strings.CutSuffix(name, ".txt")
	if !textOnly {
		base = strings.TrimSuffix(base, ".html")
	}
	c := &Content{}
	var found bool
	if !textOnly {
		out, err := t.render(base+".html", data)
		switch {
		case err == nil:
			c.HTML, found = out, true
		case !errors.Is(err, template.ErrNotFound):
			return nil, fmt.Errorf("%w: %s: %w", ErrTemplate, base+".html", err)
		}
	}
	out, err := t.render(base+".txt", data)
	switch {
	case err == nil:
		c.Text, found = html.UnescapeString(out), true
	case !errors.Is(err, template.ErrNotFound):
		return nil, fmt.Errorf("%w: %s: %w", ErrTemplate, base+".txt", err)
	}
	if !found {
		return nil, fmt.Errorf("%w: %s: neither %s.html nor %s.txt exists: %w", ErrTemplate, name, base, base, template.ErrNotFound)
	}
	if subject, rest, ok := textSubject(c.Text); ok {
		c.Subject, c.Text = subject, rest
	}
	if title := htmlTitle(c.HTML); title != "" {
		c.Subject = title
	}
	if c.Text == "" && c.HTML != "" {
		c.Text = HTMLToText(c.HTML)
	}
	return c, nil
}

// render renders into a buffer, so that a failure leaves nothing behind.
func (t *Templates) render(name string, data any) (string, error) {
	var buf bytes.Buffer
	if err := t.engine.Render(&buf, name, data); err != nil {
		return "", err
	}
	return buf.String(), nil
}

var titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

func htmlTitle(s string) string {
	m := titleRE.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return strings.Join(strings.Fields(html.UnescapeString(m[1])), " ")
}

// textSubject takes a leading "Subject: ..." line off a text body.
func textSubject(s string) (subject, rest string, ok bool) {
	trimmed := strings.TrimLeft(s, "\r\n")
	line, rest, _ := strings.Cut(trimmed, "\n")
	value, ok := cutPrefixFold(strings.TrimRight(line, "\r"), "subject:")
	if !ok {
		return "", s, false
	}
	return strings.TrimSpace(value), strings.TrimLeft(rest, "\r\n"), true
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

// TemplatedMail is a mail to render and send, as a plain value: a durable
// job carries it as its JSON arguments, and its worker calls
// Templates.Send. Data goes through JSON, so templates see maps, strings,
// float64 numbers and booleans ({{.username}}), not the caller's types.
type TemplatedMail struct {
	From    string   `json:"from,omitempty"`
	To      []string `json:"to"`
	Cc      []string `json:"cc,omitempty"`
	Bcc     []string `json:"bcc,omitempty"`
	ReplyTo string   `json:"reply_to,omitempty"`
	// Subject, when set, wins over the template's.
	Subject string `json:"subject,omitempty"`
	// Template is the mail's name, as for Templates.Render.
	Template string            `json:"template"`
	Data     map[string]any    `json:"data,omitempty"`
	Headers  map[string]string `json:"headers,omitempty"`
}

// Kind names the job that sends a TemplatedMail (River's JobArgs
// interface), so that a queue can carry it as it is.
func (TemplatedMail) Kind() string { return "nexios_mail" }

// Message renders tm into a Message.
func (t *Templates) Message(tm TemplatedMail) (*Message, error) {
	if strings.TrimSpace(tm.Template) == "" {
		return nil, fmt.Errorf("%w: no template name", ErrTemplate)
	}
	c, err := t.Render(tm.Template, tm.Data)
	if err != nil {
		return nil, err
	}
	subject := tm.Subject
	if subject == "" {
		subject = c.Subject
	}
	if strings.TrimSpace(subject) == "" {
		return nil, fmt.Errorf("%w: %s: no subject: pass one, or give the HTML a <title> or the text a first line \"Subject: ...\"", ErrTemplate, tm.Template)
	}
	return &Message{
		From: tm.From, To: tm.To, Cc: tm.Cc, Bcc: tm.Bcc, ReplyTo: tm.ReplyTo,
		Subject: subject, HTML: c.HTML, Text: c.Text, Headers: tm.Headers,
	}, nil
}

// Send renders tm and sends it with s. Rendering happens first: a
// template that fails sends nothing and returns an error matching
// ErrTemplate (never temporary, so a job does not retry it).
func (t *Templates) Send(ctx context.Context, s Sender, tm TemplatedMail) error {
	msg, err := t.Message(tm)
	if err != nil {
		return err
	}
	return s.Send(ctx, msg)
}
