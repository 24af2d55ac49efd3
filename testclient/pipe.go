package testclient

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// pipeServer serves a handler on an in-memory listener for one client.
type pipeServer struct {
	ln        *pipeListener
	srv       *http.Server
	served    chan struct{}
	handlers  sync.WaitGroup
	clientTLS *tls.Config
	transport *http.Transport
}

func startPipeServer(h http.Handler, remoteAddr string, errorLog *log.Logger, useTLS bool, host string) (*pipeServer, error) {
	ps := &pipeServer{ln: newPipeListener(remoteAddr), served: make(chan struct{})}
	if errorLog == nil { // WithErrorLog(nil): silence, where http.Server would use the default logger
		errorLog = log.New(io.Discard, "", 0)
	}
	ps.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// WebSocket handlers run on hijacked connections, which
			// http.Server no longer tracks: count them here.
			ps.handlers.Add(1)
			defer ps.handlers.Done()
			h.ServeHTTP(w, r)
		}),
		ErrorLog:          errorLog,
		ReadHeaderTimeout: DefaultWSTimeout,
	}
	ln := net.Listener(ps.ln)
	if useTLS {
		serverTLS, clientTLS, err := selfSignedTLS(host)
		if err != nil {
			return nil, err
		}
		ps.clientTLS = clientTLS
		ln = tls.NewListener(ln, serverTLS)
	}
	go func() {
		defer close(ps.served)
		_ = ps.srv.Serve(ln)
	}()
	return ps, nil
}

// stop closes the listener and the server's connections and waits up to
// d for the handlers to return.
func (ps *pipeServer) stop(d time.Duration) error {
	_ = ps.srv.Close()
	<-ps.served
	if ps.transport != nil {
		ps.transport.CloseIdleConnections()
	}
	done := make(chan struct{})
	go func() {
		ps.handlers.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-time.After(d):
		return fmt.Errorf("testclient: the WebSocket handler did not return within %v of the connection closing", d)
	}
}

// pipeListener is a net.Listener whose connections are in-memory pipes.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
	remote net.Addr
}

func newPipeListener(remoteAddr string) *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{}), remote: pipeAddr(remoteAddr)}
}

// Accept implements net.Listener.
func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

// Close implements net.Listener.
func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

// Addr implements net.Listener.
func (l *pipeListener) Addr() net.Addr { return pipeAddr("testserver:80") }

// DialContext connects a new pipe to the listener.
func (l *pipeListener) DialContext(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := newPipe(pipeAddr("testserver:80"), l.remote)
	select {
	case l.conns <- server:
		return client, nil
	case <-l.closed:
	case <-ctx.Done():
	}
	client.Close()
	server.Close()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return nil, net.ErrClosed
}

// pipe is one direction of an in-memory connection. Unlike net.Pipe, it
// buffers like a socket: a write never waits for the reader. Without that,
// two ends writing at once (a TLS close_notify from each side, an app
// pushing messages while the test sends) would block each other.
type pipe struct {
	mu      sync.Mutex
	buf     []byte
	eof     bool          // the writer closed: reads end once buf is drained
	broken  bool          // the reader closed: writes fail
	wake    chan struct{} // signalled when the reader should look again
	timeout time.Time     // the reader's deadline
}

func (p *pipe) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// pipeConn is one end of an in-memory connection.
type pipeConn struct {
	in, out       *pipe
	local, remote net.Addr
	closeOnce     sync.Once
}

func newPipe(serverAddr, clientAddr net.Addr) (client, server *pipeConn) {
	up := &pipe{wake: make(chan struct{}, 1)}
	down := &pipe{wake: make(chan struct{}, 1)}
	return &pipeConn{in: down, out: up, local: clientAddr, remote: serverAddr},
		&pipeConn{in: up, out: down, local: serverAddr, remote: clientAddr}
}

// Read implements net.Conn.
func (c *pipeConn) Read(b []byte) (int, error) {
	for {
		c.in.mu.Lock()
		n := copy(b, c.in.buf)
		c.in.buf = c.in.buf[n:]
		eof, broken, deadline := c.in.eof, c.in.broken, c.in.timeout
		c.in.mu.Unlock()
		switch {
		case n > 0 || len(b) == 0:
			return n, nil
		case broken:
			return 0, net.ErrClosed
		case eof:
			return 0, io.EOF
		case !deadline.IsZero() && !time.Now().Before(deadline):
			return 0, os.ErrDeadlineExceeded
		}
		if deadline.IsZero() {
			<-c.in.wake
			continue
		}
		t := time.NewTimer(time.Until(deadline))
		select {
		case <-c.in.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// Write implements net.Conn.
func (c *pipeConn) Write(b []byte) (int, error) {
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	if c.out.eof {
		return 0, net.ErrClosed
	}
	if c.out.broken {
		return 0, io.ErrClosedPipe
	}
	c.out.buf = append(c.out.buf, b...)
	c.out.signal()
	return len(b), nil
}

// Close implements net.Conn: the peer reads what was written, then EOF.
func (c *pipeConn) Close() error {
	c.closeOnce.Do(func() {
		c.out.mu.Lock()
		c.out.eof = true
		c.out.signal()
		c.out.mu.Unlock()
		c.in.mu.Lock()
		c.in.broken, c.in.buf = true, nil
		c.in.signal()
		c.in.mu.Unlock()
	})
	return nil
}

// SetReadDeadline implements net.Conn; it wakes a blocked Read, as
// http.Server relies on to abort its background read.
func (c *pipeConn) SetReadDeadline(t time.Time) error {
	c.in.mu.Lock()
	c.in.timeout = t
	c.in.signal()
	c.in.mu.Unlock()
	return nil
}

// SetWriteDeadline implements net.Conn; writes never block.
func (c *pipeConn) SetWriteDeadline(time.Time) error { return nil }

// SetDeadline implements net.Conn.
func (c *pipeConn) SetDeadline(t time.Time) error { return c.SetReadDeadline(t) }

func (c *pipeConn) LocalAddr() net.Addr  { return c.local }
func (c *pipeConn) RemoteAddr() net.Addr { return c.remote }

type pipeAddr string

func (a pipeAddr) Network() string { return "tcp" }
func (a pipeAddr) String() string  { return string(a) }

// selfSignedTLS makes a throwaway certificate for host, so that an https
// base URL gives handlers a TLS connection as with plain requests.
func selfSignedTLS(host string) (server, client *tls.Config, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("testclient: TLS key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		DNSNames:     []string{host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("testclient: TLS certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("testclient: TLS certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, NextProtos: []string{"http/1.1"}}
	client = &tls.Config{RootCAs: pool, ServerName: host, NextProtos: []string{"http/1.1"}}
	return server, client, nil
}
