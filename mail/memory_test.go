package mail_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/nexios-go/nexios/mail"
)

func TestMemory(t *testing.T) {
	t.Parallel()
	out := mail.NewMemory(mail.WithCapacity(3), mail.WithDefaultFrom("app@example.com"))
	for i := range 5 {
		m := &mail.Message{To: []string{"a@example.com"}, Subject: fmt.Sprint("m", i)}
		if err := out.Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		m.To[0] = "changed@example.com" // the kept copy must not change
	}
	msgs := out.Messages()
	if len(msgs) != 3 || msgs[0].Message.Subject != "m2" || msgs[2].Message.Subject != "m4" || msgs[2].ID != "5" {
		t.Fatalf("kept %d, first %q", len(msgs), msgs[0].Message.Subject)
	}
	if msgs[0].Message.To[0] != "a@example.com" || msgs[0].Message.From != "app@example.com" {
		t.Fatalf("kept copy %+v", msgs[0].Message)
	}
	if out.Get("1") != nil || out.Get("4") == nil {
		t.Fatal("Get: the oldest were not dropped")
	}

	boom := &mail.SendError{Kind: mail.ErrTimeout, Step: "data", Temporary: true}
	out.FailWith(boom)
	if err := out.Send(t.Context(), welcome()); !errors.Is(err, mail.ErrTimeout) || !mail.IsTemporary(err) {
		t.Fatalf("FailWith: %v", err)
	}
	out.FailWith(nil)
	if err := out.Send(t.Context(), &mail.Message{To: []string{"bad"}}); !errors.Is(err, mail.ErrInvalidAddress) {
		t.Fatalf("invalid address accepted: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := out.Send(ctx, welcome()); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
	out.Clear()
	if out.Len() != 0 {
		t.Fatal("Clear")
	}
}

// TestMemoryConcurrent races senders, readers, Clear and waiters.
func TestMemoryConcurrent(t *testing.T) {
	t.Parallel()
	out := mail.NewMemory(mail.WithCapacity(50))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				m := welcome()
				m.Subject = fmt.Sprint(i, "-", j)
				if err := out.Send(context.Background(), m); err != nil {
					t.Error(err)
				}
				_ = out.Messages()
				if j == 25 && i == 0 {
					out.Clear()
				}
			}
		})
	}
	type result struct {
		s   *mail.Sent
		err error
	}
	waited := make(chan result, 1)
	go func() {
		s, err := out.Wait(t.Context(), func(s *mail.Sent) bool { return s.Message.Subject == "final" })
		waited <- result{s, err}
	}()
	wg.Wait()
	m := welcome()
	m.Subject = "final"
	if err := out.Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	if r := <-waited; r.err != nil || r.s.Message.Subject != "final" {
		t.Fatalf("Wait: %v", r.err)
	}
	if n := out.Len(); n > 50 {
		t.Fatalf("kept %d over capacity", n)
	}
}
