package mail

import (
	"context"
	"net"
)

// SetDialer routes s's connections through dial (tests only).
func SetDialer(s *SMTP, dial func(ctx context.Context, network, addr string) (net.Conn, error)) {
	s.dialer = dial
}

// Deliver runs one SMTP exchange for env (tests only).
func Deliver(ctx context.Context, s *SMTP, env *Envelope) error { return s.deliver(ctx, env) }
