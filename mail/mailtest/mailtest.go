// Package mailtest asserts on the mail an app sent, in tests. Give the app
// a *mail.Memory as its Sender (mailtest.New makes one), exercise it, then
// assert:
//
//	out := mailtest.New(t)
//	app := newApp(out)                       // the app sends through out
//	testclient.New(app).Post("/users", ...)
//	m := mailtest.WaitOne(t, out, 2*time.Second, mailtest.To("ada@example.com"), mailtest.Subject("Welcome!"))
//	mailtest.Contains(t, m, "confirm")
//
// ExpectOne fails unless exactly one kept message matches; WaitOne waits
// for one sent asynchronously (a background task, a job).
package mailtest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios/mail"
)

// New returns an empty outbox whose default From is
// "test@example.com".
func New(t testing.TB) *mail.Memory {
	t.Helper()
	return mail.NewMemory(mail.WithDefaultFrom("test@example.com"))
}

// Matcher selects kept messages; String describes it in failures.
type Matcher interface {
	Match(*mail.Sent) bool
	String() string
}

type matcher struct {
	desc string
	fn   func(*mail.Sent) bool
}

func (m matcher) Match(s *mail.Sent) bool { return m.fn(s) }
func (m matcher) String() string          { return m.desc }

// Match builds a Matcher from a function.
func Match(desc string, fn func(*mail.Sent) bool) Matcher { return matcher{desc, fn} }

// To matches a message with addr among its To, Cc or Bcc recipients
// (compared without the display name, case-insensitively).
func To(addr string) Matcher {
	want := bare(addr)
	return matcher{"to " + addr, func(s *mail.Sent) bool {
		for _, r := range s.Envelope.Recipients {
			if strings.EqualFold(r, want) {
				return true
			}
		}
		return false
	}}
}

// From matches the From address.
func From(addr string) Matcher {
	want := bare(addr)
	return matcher{"from " + addr, func(s *mail.Sent) bool { return strings.EqualFold(s.Envelope.From, want) }}
}

// Subject matches the exact subject.
func Subject(subject string) Matcher {
	return matcher{fmt.Sprintf("with subject %q", subject), func(s *mail.Sent) bool { return s.Message.Subject == subject }}
}

// SubjectContains matches a subject containing part.
func SubjectContains(part string) Matcher {
	return matcher{fmt.Sprintf("with subject containing %q", part), func(s *mail.Sent) bool {
		return strings.Contains(s.Message.Subject, part)
	}}
}

// BodyContains matches a message whose text or HTML body contains part.
func BodyContains(part string) Matcher {
	return matcher{fmt.Sprintf("with a body containing %q", part), func(s *mail.Sent) bool {
		return strings.Contains(s.Message.Text, part) || strings.Contains(s.Message.HTML, part)
	}}
}

// Attachment matches a message with an attachment named filename.
func Attachment(filename string) Matcher {
	return matcher{fmt.Sprintf("with attachment %q", filename), func(s *mail.Sent) bool {
		for _, a := range s.Message.Attachments {
			if a.Filename == filename {
				return true
			}
		}
		return false
	}}
}

func bare(addr string) string {
	if a, err := mail.ParseAddress(addr); err == nil {
		return a.Address
	}
	return addr
}

func matchAll(ms []Matcher) func(*mail.Sent) bool {
	return func(s *mail.Sent) bool {
		for _, m := range ms {
			if !m.Match(s) {
				return false
			}
		}
		return true
	}
}

func describe(ms []Matcher) string {
	if len(ms) == 0 {
		return "any mail"
	}
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.String()
	}
	return "a mail " + strings.Join(parts, ", ")
}

// Find returns the kept messages that match every matcher, oldest first.
func Find(out *mail.Memory, ms ...Matcher) []*mail.Sent {
	match := matchAll(ms)
	var found []*mail.Sent
	for _, s := range out.Messages() {
		if match(s) {
			found = append(found, s)
		}
	}
	return found
}

// ExpectOne fails t unless exactly one kept message matches, and returns
// it.
func ExpectOne(t testing.TB, out *mail.Memory, ms ...Matcher) *mail.Sent {
	t.Helper()
	found := Find(out, ms...)
	if len(found) != 1 {
		t.Fatalf("mailtest: want exactly one %s, found %d; outbox:\n%s", describe(ms), len(found), listing(out))
		return nil
	}
	return found[0]
}

// ExpectNone fails t if a kept message matches.
func ExpectNone(t testing.TB, out *mail.Memory, ms ...Matcher) {
	t.Helper()
	if found := Find(out, ms...); len(found) > 0 {
		t.Fatalf("mailtest: want no %s, found %d; outbox:\n%s", describe(ms), len(found), listing(out))
	}
}

// WaitOne waits up to timeout for a matching message (sent
// asynchronously) and returns the first; it fails t on timeout.
func WaitOne(t testing.TB, out *mail.Memory, timeout time.Duration, ms ...Matcher) *mail.Sent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	s, err := out.Wait(ctx, matchAll(ms))
	if err != nil {
		t.Fatalf("mailtest: no %s within %v; outbox:\n%s", describe(ms), timeout, listing(out))
		return nil
	}
	return s
}

// Contains fails t unless the message's text or HTML body contains part.
func Contains(t testing.TB, s *mail.Sent, part string) {
	t.Helper()
	if !BodyContains(part).Match(s) {
		t.Fatalf("mailtest: mail %q has no %q in its body:\n%s", s.Message.Subject, part, s.Message.Text)
	}
}

func listing(out *mail.Memory) string {
	msgs := out.Messages()
	if len(msgs) == 0 {
		return "  (empty)"
	}
	var b strings.Builder
	for _, s := range msgs {
		fmt.Fprintf(&b, "  #%s to %s: %q\n", s.ID, strings.Join(s.Envelope.Recipients, ", "), s.Message.Subject)
	}
	return b.String()
}
