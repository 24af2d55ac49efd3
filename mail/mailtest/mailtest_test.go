package mailtest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nexios-go/nexios/mail"
	"github.com/nexios-go/nexios/mail/mailtest"
)

// recorder is a testing.TB whose Fatalf records instead of stopping.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = fmt.Sprintf(format, args...)
}

func send(t *testing.T, out *mail.Memory, to, subject, body string) {
	t.Helper()
	if err := out.Send(context.Background(), &mail.Message{To: []string{to}, Subject: subject, Text: body}); err != nil {
		t.Fatal(err)
	}
}

func TestExpectOne(t *testing.T) {
	t.Parallel()
	out := mailtest.New(t)
	send(t, out, "Ada <ada@example.com>", "Welcome!", "confirm here")
	send(t, out, "bob@example.com", "Welcome!", "confirm here")
	send(t, out, "bob@example.com", "Welcome!", "again")

	m := mailtest.ExpectOne(t, out, mailtest.To("ADA@example.com"), mailtest.Subject("Welcome!"))
	mailtest.Contains(t, m, "confirm")
	mailtest.ExpectNone(t, out, mailtest.To("carol@example.com"))

	tests := []struct {
		name string
		run  func(tb testing.TB)
		want string
	}{
		{"none matches", func(tb testing.TB) { mailtest.ExpectOne(tb, out, mailtest.To("carol@example.com")) }, "found 0"},
		{"two match", func(tb testing.TB) { mailtest.ExpectOne(tb, out, mailtest.To("bob@example.com")) }, "found 2"},
		{"unexpected mail", func(tb testing.TB) { mailtest.ExpectNone(tb, out, mailtest.SubjectContains("Welc")) }, "found 3"},
		{"body lacks", func(tb testing.TB) { mailtest.Contains(tb, m, "password") }, `no "password"`},
	}
	for _, tt := range tests {
		r := &recorder{TB: t}
		tt.run(r)
		if !strings.Contains(r.failed, tt.want) {
			t.Errorf("%s: failure %q, want it to say %q", tt.name, r.failed, tt.want)
		}
	}
}

// TestWaitOne sends from many goroutines while a test waits for one of
// the mails.
func TestWaitOne(t *testing.T) {
	t.Parallel()
	out := mailtest.New(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 2 * time.Millisecond)
			_ = out.Send(context.Background(), &mail.Message{To: []string{fmt.Sprintf("u%d@example.com", i)}, Subject: fmt.Sprint("n", i)})
		})
	}
	m := mailtest.WaitOne(t, out, 5*time.Second, mailtest.To("u17@example.com"))
	if m.Message.Subject != "n17" {
		t.Fatalf("got %q", m.Message.Subject)
	}
	wg.Wait()
	if out.Len() != 20 {
		t.Fatalf("kept %d", out.Len())
	}

	r := &recorder{TB: t}
	start := time.Now()
	mailtest.WaitOne(r, out, 100*time.Millisecond, mailtest.To("nobody@example.com"))
	if !strings.Contains(r.failed, "within 100ms") || time.Since(start) < 100*time.Millisecond {
		t.Fatalf("failure %q after %v", r.failed, time.Since(start))
	}
}
