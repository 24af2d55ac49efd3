package mail_test

// A real SMTP server (github.com/emersion/go-smtp) in the test process,
// with a backend that records what it receives, PLAIN, LOGIN and CRAM-MD5
// authentication, optional STARTTLS or implicit TLS with a certificate
// made for the test, and hooks to reject recipients or hang.

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

type received struct {
	From     string
	To       []string
	Data     []byte
	TLS      bool
	AuthUser string
}

type serverOpts struct {
	// tls, when set, makes the server offer STARTTLS (or, with implicit,
	// speak TLS from the start).
	tls      *tls.Config
	implicit bool
	// user and pass enable AUTH with mechs (default PLAIN LOGIN CRAM-MD5).
	user, pass string
	mechs      []string
	authErr    *gosmtp.SMTPError // replaces the 535 for bad credentials
	// rejectRcpt maps a recipient to the error RCPT TO gets.
	rejectRcpt map[string]*gosmtp.SMTPError
	// data runs in DATA before the message is accepted (to hang).
	data func() error
	// wrap wraps the listener (to hold connections).
	wrap func(net.Listener) net.Listener
}

type testServer struct {
	addr string
	srv  *gosmtp.Server
	opts serverOpts

	mu   sync.Mutex
	msgs []received
}

func startServer(t *testing.T, o serverOpts) *testServer {
	t.Helper()
	ts := &testServer{opts: o}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		_, isTLS := c.TLSConnectionState()
		return &session{ts: ts, conn: c, tlsAtStart: isTLS}, nil
	}))
	srv.Domain = "mx.test"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = discardLogger{}
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.TLSConfig = o.tls
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.implicit {
		l = tls.NewListener(l, o.tls)
		srv.TLSConfig = nil // no STARTTLS on a TLS connection
	}
	if o.wrap != nil {
		l = o.wrap(l)
	}
	ts.addr, ts.srv = l.Addr().String(), srv
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
	})
	return ts
}

func (ts *testServer) port() int {
	_, p, _ := net.SplitHostPort(ts.addr)
	var n int
	_, _ = fmt.Sscan(p, &n)
	return n
}

func (ts *testServer) received() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.msgs...)
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

type session struct {
	ts         *testServer
	conn       *gosmtp.Conn
	tlsAtStart bool
	user       string
	from       string
	to         []string
}

func (s *session) AuthMechanisms() []string {
	if s.ts.opts.user == "" {
		return nil
	}
	if s.ts.opts.mechs != nil {
		return s.ts.opts.mechs
	}
	return []string{"PLAIN", "LOGIN", "CRAM-MD5"}
}

func (s *session) check(user, pass string) error {
	if user == s.ts.opts.user && pass == s.ts.opts.pass {
		s.user = user
		return nil
	}
	if s.ts.opts.authErr != nil {
		return s.ts.opts.authErr
	}
	return gosmtp.ErrAuthFailed
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	switch mech {
	case "PLAIN":
		return sasl.NewPlainServer(func(_, user, pass string) error { return s.check(user, pass) }), nil
	case "LOGIN":
		return &loginServer{check: s.check}, nil
	case "CRAM-MD5":
		return &cramServer{secret: s.ts.opts.pass, check: func(user string, ok bool) error {
			if !ok {
				return s.check(user, "\x00wrong")
			}
			return s.check(user, s.ts.opts.pass)
		}}, nil
	}
	return nil, gosmtp.ErrAuthUnknownMechanism
}

func (s *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if s.ts.opts.user != "" && s.user == "" {
		return gosmtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if e := s.ts.opts.rejectRcpt[to]; e != nil {
		return e
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.ts.opts.data != nil {
		if err := s.ts.opts.data(); err != nil {
			return err
		}
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.ts.mu.Lock()
	s.ts.msgs = append(s.ts.msgs, received{From: s.from, To: s.to, Data: b, TLS: isTLS || s.tlsAtStart, AuthUser: s.user})
	s.ts.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// loginServer is the server side of the LOGIN mechanism (go-sasl has
// only the client).
type loginServer struct {
	check func(user, pass string) error
	step  int
	user  string
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step++
		if len(resp) > 0 { // initial response: the user name
			l.user = string(resp)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 1:
		l.user, l.step = string(resp), 2
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.user, string(resp))
	}
}

// cramServer is the server side of CRAM-MD5 (RFC 2195).
type cramServer struct {
	secret    string
	check     func(user string, ok bool) error
	challenge []byte
}

func (c *cramServer) Next(resp []byte) ([]byte, bool, error) {
	if c.challenge == nil {
		c.challenge = fmt.Appendf(nil, "<%d.%d@mx.test>", time.Now().UnixNano(), 42)
		return c.challenge, false, nil
	}
	user, digest, ok := strings.Cut(string(resp), " ")
	if !ok {
		return nil, true, errors.New("malformed CRAM-MD5 response")
	}
	mac := hmac.New(md5.New, []byte(c.secret))
	mac.Write(c.challenge)
	want := hex.EncodeToString(mac.Sum(nil))
	return nil, true, c.check(user, hmac.Equal([]byte(digest), []byte(want)))
}

// testCert returns a server TLS config for "127.0.0.1"/"localhost" with a
// self-signed certificate made now, and a pool that trusts it.
func testCert(t testing.TB) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mail test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}}, pool
}

// hangListener accepts connections and never answers, until closed: a
// server that is up but stuck.
type hangListener struct {
	net.Listener
	mu    sync.Mutex
	conns []net.Conn
	done  chan struct{}
}

func startHang(t *testing.T) *hangListener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &hangListener{Listener: l, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			h.mu.Lock()
			h.conns = append(h.conns, c)
			h.mu.Unlock()
		}
	}()
	return h
}

// stop closes the listener and every held connection and waits for the
// accept loop to end.
func (h *hangListener) stop() {
	_ = h.Close()
	<-h.done
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.conns {
		_ = c.Close()
	}
}

func (h *hangListener) port() int { return h.Addr().(*net.TCPAddr).Port }

// holdFirst passes connections to the server except the first n, which it
// keeps open without a word: a server that hangs, then recovers.
type holdFirst struct {
	net.Listener
	mu   sync.Mutex
	n    int
	held []net.Conn
}

func (h *holdFirst) Accept() (net.Conn, error) {
	for {
		c, err := h.Listener.Accept()
		if err != nil {
			return nil, err
		}
		h.mu.Lock()
		if len(h.held) < h.n {
			h.held = append(h.held, c)
			h.mu.Unlock()
			continue
		}
		h.mu.Unlock()
		return c, nil
	}
}

func (h *holdFirst) Close() error {
	err := h.Listener.Close()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.held {
		_ = c.Close()
	}
	return err
}

func contains(b []byte, s string) bool { return bytes.Contains(b, []byte(s)) }
