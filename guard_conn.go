package nexios

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// guardListener wraps the listener Serve and ServeTLS are given, so that
// every connection is a *guardConn (beneath TLS, when ServeTLS adds it).
type guardListener struct {
	net.Listener
	scan bool // the connections carry cleartext HTTP: scan request heads
}

// Accept wraps the accepted connection. A connection that is TLS already
// (Serve was given a tls.NewListener) is returned as is: its plaintext
// cannot be seen from beneath, and net/http needs the *tls.Conn itself.
func (l *guardListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if _, ok := c.(*tls.Conn); ok {
		return c, nil
	}
	gc := &guardConn{Conn: c}
	gc.scan.Store(l.scan)
	return gc, nil
}

// guardConn is a server connection that watches what it reads for request
// heads carrying both Content-Length and Transfer-Encoding (RFC 9112 §6.3:
// the connection must be closed after responding, or a request smuggled
// in the body would be served), and lets the response guard bound the
// last bytes of a response.
type guardConn struct {
	net.Conn
	scan     atomic.Bool // off under TLS and once hijacked
	scanner  headScanner // used by the reading goroutine only (net/http reads one at a time)
	smuggled atomic.Bool // a head with both framings was read
	tail     atomic.Bool // a write deadline was set for a response's end; cleared when idle
}

func (c *guardConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && c.scan.Load() && c.scanner.feed(p[:n]) {
		c.smuggled.Store(true)
	}
	return n, err
}

// CloseWrite lets net/http half-close the connection so that a final
// error response (431, 400) reaches the client before the close.
func (c *guardConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ReadFrom keeps the connection's sendfile/splice path.
func (c *guardConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}

// asGuardConn returns the *guardConn under c, if any.
func asGuardConn(c net.Conn) *guardConn {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	gc, _ := c.(*guardConn)
	return gc
}

type guardConnKey struct{}

// connContext makes a request's *guardConn reachable from its context, for
// the rare paths that need it (a chunked request, a stalled response).
func connContext(ctx context.Context, c net.Conn) context.Context {
	if gc := asGuardConn(c); gc != nil {
		return context.WithValue(ctx, guardConnKey{}, gc)
	}
	return ctx
}

func guardConnOf(r *http.Request) *guardConn {
	gc, _ := r.Context().Value(guardConnKey{}).(*guardConn)
	return gc
}

// connHooks reacts to connection state changes of one server.
type connHooks struct {
	app     *App
	warnTLS sync.Once
}

func (h *connHooks) connState(c net.Conn, s http.ConnState) {
	switch s {
	case http.StateIdle:
		// The response is complete: a deadline set for its last bytes
		// must not cut the next response on this connection.
		if gc := asGuardConn(c); gc != nil && gc.tail.Swap(false) {
			_ = c.SetWriteDeadline(time.Time{})
		}
	case http.StateHijacked:
		if gc := asGuardConn(c); gc != nil {
			gc.scan.Store(false) // no more HTTP heads on it
		}
	case http.StateActive:
		tc, ok := c.(*tls.Conn)
		if !ok || asGuardConn(c) != nil {
			return
		}
		// Serve was given a TLS listener. net/http negotiates HTTP/2
		// only if its config offers "h2": say so rather than serve
		// HTTP/1.1 silently.
		if tc.ConnectionState().NegotiatedProtocol == "" {
			h.warnTLS.Do(func() {
				h.app.logger.Warn("nexios: a TLS connection negotiated no application protocol, so HTTP/2 is off: " +
					`the listener's tls.Config has no NextProtos ("h2", "http/1.1"). Use App.ServeTLS, which sets them`)
			})
		}
	}
}

// headScanner finds, in the bytes a connection reads, a header block that
// holds both a Content-Length and a Transfer-Encoding field. It does not
// parse HTTP: it looks at the start of every line and resets at every
// empty line, so a real head with both fields is always found (they sit
// between its request line and its empty line), while body bytes that
// happen to look like such a block only cost a closed connection.
type headScanner struct {
	prefix [len(teField)]byte // lower-cased first bytes of the current line
	n      int                // length of the current line so far
	cl, te bool               // fields seen in the current block
}

const (
	clField = "content-length:"
	teField = "transfer-encoding:"
)

// feed scans p and reports whether a block with both fields ended in it.
func (s *headScanner) feed(p []byte) (found bool) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		seg := p
		if i >= 0 {
			seg = p[:i]
		}
		for j := 0; j < len(seg) && s.n+j < len(s.prefix); j++ {
			b := seg[j]
			if 'A' <= b && b <= 'Z' {
				b += 'a' - 'A'
			}
			s.prefix[s.n+j] = b
		}
		s.n += len(seg)
		if i < 0 {
			return found
		}
		line := s.prefix[:min(s.n, len(s.prefix))]
		switch {
		case s.n == 0 || s.n == 1 && line[0] == '\r': // the empty line ending a block
			found = found || s.cl && s.te
			s.cl, s.te = false, false
		case bytes.HasPrefix(line, []byte(clField)):
			s.cl = true
		case bytes.HasPrefix(line, []byte(teField)):
			s.te = true
		}
		s.n = 0
		p = p[i+1:]
	}
	return found
}
