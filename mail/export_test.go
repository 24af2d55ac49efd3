package mail

import (
	"context"
	"net"
)

// SetDialer routes s's connections through dial (tests only).
func SetDialer(s *SMTP, dial func(ctx context.Context, network, addr string) (net.Conn, error)) {
	s.dialer = dial
}
