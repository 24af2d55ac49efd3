package mail_test

// Hanging servers, timeouts, cancellation and retries. These tests are
// not parallel: each checks that no goroutine outlives it (goleak).

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/nexios-go/nexios/mail"
)

// noLeaks fails t if goroutines started during the test are still alive
// after every cleanup (servers included) ran. Call it first.
func noLeaks(t *testing.T) {
	t.Helper()
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
}

// blockingData returns a DATA hook that hangs until the test ends.
func blockingData(t *testing.T) func() error {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	return func() error { <-release; return nil }
}

func TestSMTPTimeouts(t *testing.T) {
	noLeaks(t)
	const timeout = 300 * time.Millisecond
	tests := []struct {
		name string
		port func(t *testing.T) int
		cfg  func(*mail.SMTPConfig)
		dial func(ctx context.Context, network, addr string) (net.Conn, error)
		step string
	}{
		{name: "server accepts and never greets", step: "greeting", port: func(t *testing.T) int {
			h := startHang(t)
			t.Cleanup(h.stop)
			return h.port()
		}},
		{name: "server hangs in DATA", step: "data", port: func(t *testing.T) int {
			return startServer(t, serverOpts{data: blockingData(t)}).port()
		}},
		{name: "connect never completes", step: "connect", port: func(*testing.T) int { return 25 },
			cfg: func(c *mail.SMTPConfig) { c.ConnectTimeout = timeout },
			dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
				<-ctx.Done() // a black-holed SYN
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: ctx.Err()}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sender(t, tt.port(t), func(c *mail.SMTPConfig) {
				c.Timeout = timeout
				if tt.cfg != nil {
					tt.cfg(c)
				}
			})
			if tt.dial != nil {
				mail.SetDialer(s, tt.dial)
			}
			start := time.Now()
			err := s.Send(t.Context(), welcome())
			elapsed := time.Since(start)
			se, ok := errors.AsType[*mail.SendError](err)
			if !ok || !errors.Is(err, mail.ErrTimeout) || se.Step != tt.step || !mail.IsTemporary(err) {
				t.Fatalf("err = %v, want a temporary ErrTimeout at %s", err, tt.step)
			}
			if elapsed < timeout-50*time.Millisecond || elapsed > timeout+2*time.Second {
				t.Errorf("gave up after %v, timeout %v", elapsed, timeout)
			}
		})
	}
}

// TestSMTPContext: a cancelled context or a passed deadline stops a send
// to a hanging server at once, whatever the SMTP timeout.
func TestSMTPContext(t *testing.T) {
	noLeaks(t)
	hang := startHang(t)
	t.Cleanup(hang.stop)
	stuck := startServer(t, serverOpts{data: blockingData(t)})
	tests := []struct {
		name  string
		port  int
		ctx   func() (context.Context, context.CancelFunc)
		kind  error
		cause error
	}{
		{name: "cancel while waiting for the greeting", port: hang.port(), kind: mail.ErrCanceled, cause: context.Canceled,
			ctx: func() (context.Context, context.CancelFunc) { return cancelAfter(100 * time.Millisecond) }},
		{name: "cancel during DATA", port: stuck.port(), kind: mail.ErrCanceled, cause: context.Canceled,
			ctx: func() (context.Context, context.CancelFunc) { return cancelAfter(100 * time.Millisecond) }},
		{name: "deadline while waiting for the greeting", port: hang.port(), kind: mail.ErrTimeout, cause: context.DeadlineExceeded,
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 100*time.Millisecond)
			}},
		{name: "already cancelled", port: hang.port(), kind: mail.ErrCanceled, cause: context.Canceled,
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx, cancel
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sender(t, tt.port, func(c *mail.SMTPConfig) { c.Timeout = 30 * time.Second })
			ctx, cancel := tt.ctx()
			defer cancel()
			start := time.Now()
			err := s.Send(ctx, welcome())
			if !errors.Is(err, tt.kind) || !errors.Is(err, tt.cause) || !mail.IsTemporary(err) {
				t.Fatalf("err = %v, want %v caused by %v", err, tt.kind, tt.cause)
			}
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("returned after %v: the context was not honoured", elapsed)
			}
		})
	}
}

func cancelAfter(d time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	timer := time.AfterFunc(d, cancel)
	return ctx, func() { timer.Stop(); cancel() }
}

// TestSMTPRetryAfterTimeout: the server hangs on the first connection and
// works afterwards; a retry loop driven by IsTemporary delivers exactly
// once.
func TestSMTPRetryAfterTimeout(t *testing.T) {
	noLeaks(t)
	hold := &holdFirst{n: 1}
	ts := startServer(t, serverOpts{wrap: func(l net.Listener) net.Listener { hold.Listener = l; return hold }})
	s := sender(t, ts.port(), func(c *mail.SMTPConfig) { c.Timeout = 300 * time.Millisecond })
	var errs []error
	for range 3 {
		err := s.Send(t.Context(), welcome())
		if err == nil {
			break
		}
		errs = append(errs, err)
		if !mail.IsTemporary(err) {
			break
		}
	}
	if len(errs) != 1 || !errors.Is(errs[0], mail.ErrTimeout) {
		t.Fatalf("errors %v, want one timeout then success", errs)
	}
	if n := len(ts.received()); n != 1 {
		t.Fatalf("server received %d messages, want 1", n)
	}
}
