package mail_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"

	"github.com/nexios-go/nexios/mail"
)

func welcome() *mail.Message {
	return &mail.Message{
		From:    "Nexios <noreply@example.com>",
		To:      []string{"Alice <alice@example.com>"},
		Bcc:     []string{"audit@example.com"},
		Subject: "Welcome!",
		Text:    "Hello Alice",
		HTML:    "<p>Hello <b>Alice</b></p>",
	}
}

func sender(t *testing.T, port int, mod func(*mail.SMTPConfig)) *mail.SMTP {
	t.Helper()
	cfg := mail.SMTPConfig{Host: "127.0.0.1", Port: port, Timeout: 5 * time.Second, ConnectTimeout: 2 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	s, err := mail.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSMTPDelivers sends through real servers in every TLS and AUTH
// combination that must work.
func TestSMTPDelivers(t *testing.T) {
	t.Parallel()
	serverTLS, pool := testCert(t)
	trust := &tls.Config{RootCAs: pool}
	tests := []struct {
		name     string
		server   serverOpts
		cfg      func(*mail.SMTPConfig)
		wantTLS  bool
		wantUser string
	}{
		{name: "plain relay, no TLS, no auth", server: serverOpts{}},
		{name: "STARTTLS offered and used", server: serverOpts{tls: serverTLS},
			cfg: func(c *mail.SMTPConfig) { c.TLSConfig = trust }, wantTLS: true},
		{name: "STARTTLS mandatory and offered", server: serverOpts{tls: serverTLS},
			cfg: func(c *mail.SMTPConfig) { c.TLSConfig, c.StartTLS = trust, mail.TLSMandatory }, wantTLS: true},
		{name: "STARTTLS none ignores the offer", server: serverOpts{tls: serverTLS},
			cfg: func(c *mail.SMTPConfig) { c.StartTLS = mail.TLSNone }},
		{name: "implicit TLS (smtps)", server: serverOpts{tls: serverTLS, implicit: true},
			cfg: func(c *mail.SMTPConfig) { c.TLSConfig, c.ImplicitTLS = trust, true }, wantTLS: true},
		{name: "auth auto picks CRAM-MD5", server: serverOpts{user: "alice", pass: "s3cret"},
			cfg: func(c *mail.SMTPConfig) { c.Username, c.Password = "alice", "s3cret" }, wantUser: "alice"},
		{name: "auth PLAIN over STARTTLS", server: serverOpts{tls: serverTLS, user: "alice", pass: "s3cret", mechs: []string{"PLAIN"}},
			cfg: func(c *mail.SMTPConfig) {
				c.TLSConfig, c.Username, c.Password, c.Auth = trust, "alice", "s3cret", mail.AuthPlain
			}, wantTLS: true, wantUser: "alice"},
		{name: "auth LOGIN", server: serverOpts{user: "alice", pass: "pa:ss w@rd", mechs: []string{"LOGIN"}},
			cfg: func(c *mail.SMTPConfig) { c.Username, c.Password = "alice", "pa:ss w@rd" }, wantUser: "alice"},
		{name: "auth CRAM-MD5 explicit", server: serverOpts{user: "alice", pass: "s3cret", mechs: []string{"PLAIN", "CRAM-MD5"}},
			cfg: func(c *mail.SMTPConfig) { c.Username, c.Password, c.Auth = "alice", "s3cret", mail.AuthCRAMMD5 }, wantUser: "alice"},
		{name: "auth PLAIN over smtps", server: serverOpts{tls: serverTLS, implicit: true, user: "alice", pass: "s3cret", mechs: []string{"PLAIN"}},
			cfg: func(c *mail.SMTPConfig) {
				c.TLSConfig, c.ImplicitTLS, c.Username, c.Password = trust, true, "alice", "s3cret"
			}, wantTLS: true, wantUser: "alice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, tt.server)
			s := sender(t, ts.port(), tt.cfg)
			if err := s.Send(t.Context(), welcome()); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := ts.received()
			if len(got) != 1 {
				t.Fatalf("server received %d messages, want 1", len(got))
			}
			r := got[0]
			if r.TLS != tt.wantTLS || r.AuthUser != tt.wantUser {
				t.Errorf("TLS=%v user=%q, want TLS=%v user=%q", r.TLS, r.AuthUser, tt.wantTLS, tt.wantUser)
			}
			if r.From != "noreply@example.com" || strings.Join(r.To, ",") != "alice@example.com,audit@example.com" {
				t.Errorf("envelope %q → %q", r.From, r.To)
			}
			for _, want := range []string{"Subject: Welcome!", "To: \"Alice\" <alice@example.com>", "Hello Alice", "text/html"} {
				if !contains(r.Data, want) {
					t.Errorf("message lacks %q:\n%s", want, r.Data)
				}
			}
			if contains(r.Data, "audit@example.com") {
				t.Errorf("Bcc leaked into the message:\n%s", r.Data)
			}
		})
	}
}

// TestSMTPFailures checks that each failure has its kind, step, code and
// temporariness, and that nothing is delivered.
func TestSMTPFailures(t *testing.T) {
	t.Parallel()
	serverTLS, pool := testCert(t)
	trust := &tls.Config{RootCAs: pool}
	tests := []struct {
		name      string
		server    serverOpts
		cfg       func(*mail.SMTPConfig)
		msg       func(*mail.Message)
		kind      error
		step      string
		code      int
		temporary bool
	}{
		{name: "STARTTLS mandatory but not offered", server: serverOpts{},
			cfg:  func(c *mail.SMTPConfig) { c.StartTLS = mail.TLSMandatory },
			kind: mail.ErrTLS, step: "starttls"},
		{name: "untrusted certificate", server: serverOpts{tls: serverTLS},
			kind: mail.ErrTLS, step: "starttls"},
		{name: "untrusted certificate on smtps", server: serverOpts{tls: serverTLS, implicit: true},
			cfg:  func(c *mail.SMTPConfig) { c.ImplicitTLS = true },
			kind: mail.ErrTLS, step: "connect"},
		{name: "smtps against a plain server", server: serverOpts{},
			cfg:  func(c *mail.SMTPConfig) { c.ImplicitTLS, c.TLSConfig = true, trust },
			kind: mail.ErrTLS, step: "connect"},
		{name: "wrong password", server: serverOpts{user: "alice", pass: "s3cret", mechs: []string{"PLAIN"}},
			cfg:  func(c *mail.SMTPConfig) { c.Username, c.Password = "alice", "wrong" },
			kind: mail.ErrAuth, step: "auth", code: 535},
		{name: "wrong password, CRAM-MD5", server: serverOpts{user: "alice", pass: "s3cret"},
			cfg:  func(c *mail.SMTPConfig) { c.Username, c.Password = "alice", "wrong" },
			kind: mail.ErrAuth, step: "auth", code: 535},
		{name: "auth temporarily unavailable", server: serverOpts{user: "alice", pass: "s3cret", mechs: []string{"PLAIN"},
			authErr: &gosmtp.SMTPError{Code: 454, EnhancedCode: gosmtp.EnhancedCode{4, 7, 0}, Message: "try later"}},
			cfg:  func(c *mail.SMTPConfig) { c.Username, c.Password = "alice", "wrong" },
			kind: mail.ErrAuth, step: "auth", code: 454, temporary: true},
		{name: "credentials but no AUTH offered", server: serverOpts{},
			cfg:  func(c *mail.SMTPConfig) { c.Username, c.Password = "alice", "s3cret" },
			kind: mail.ErrAuth, step: "auth"},
		{name: "mechanism not offered", server: serverOpts{user: "alice", pass: "s3cret", mechs: []string{"LOGIN"}},
			cfg:  func(c *mail.SMTPConfig) { c.Username, c.Password, c.Auth = "alice", "s3cret", mail.AuthCRAMMD5 },
			kind: mail.ErrAuth, step: "auth"},
		{name: "unauthenticated sender refused", server: serverOpts{user: "alice", pass: "s3cret"},
			kind: mail.ErrSenderRejected, step: "mail", code: 502},
		{name: "recipient refused for good", server: serverOpts{rejectRcpt: map[string]*gosmtp.SMTPError{
			"audit@example.com": {Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such user"}}},
			kind: mail.ErrRecipientRejected, step: "rcpt", code: 550},
		{name: "recipient greylisted", server: serverOpts{rejectRcpt: map[string]*gosmtp.SMTPError{
			"alice@example.com": {Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 7, 1}, Message: "greylisted"}}},
			kind: mail.ErrRecipientRejected, step: "rcpt", code: 451, temporary: true},
		{name: "one refused for good, one greylisted", server: serverOpts{rejectRcpt: map[string]*gosmtp.SMTPError{
			"alice@example.com": {Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 7, 1}, Message: "greylisted"},
			"audit@example.com": {Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such user"}}},
			kind: mail.ErrRecipientRejected, step: "rcpt", code: 550},
		{name: "message refused", server: serverOpts{data: func() error {
			return &gosmtp.SMTPError{Code: 554, EnhancedCode: gosmtp.EnhancedCode{5, 6, 0}, Message: "spam"}
		}}, kind: mail.ErrMessageRejected, step: "data", code: 554},
		{name: "message deferred", server: serverOpts{data: func() error {
			return &gosmtp.SMTPError{Code: 452, EnhancedCode: gosmtp.EnhancedCode{4, 3, 1}, Message: "disk full"}
		}}, kind: mail.ErrMessageRejected, step: "data", code: 452, temporary: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, tt.server)
			s := sender(t, ts.port(), tt.cfg)
			msg := welcome()
			if tt.msg != nil {
				tt.msg(msg)
			}
			err := s.Send(t.Context(), msg)
			if !errors.Is(err, tt.kind) {
				t.Fatalf("err = %v, want kind %v", err, tt.kind)
			}
			se, ok := errors.AsType[*mail.SendError](err)
			if !ok {
				t.Fatalf("err %T is not a *SendError", err)
			}
			if se.Step != tt.step || se.Code != tt.code || se.Temporary != tt.temporary || mail.IsTemporary(err) != tt.temporary {
				t.Errorf("step=%q code=%d temporary=%v, want %q %d %v (%v)", se.Step, se.Code, se.Temporary, tt.step, tt.code, tt.temporary, err)
			}
			if tt.kind == mail.ErrRecipientRejected && len(se.Recipients) == 0 {
				t.Errorf("no rejected recipients in %v", err)
			}
			if n := len(ts.received()); n != 0 {
				t.Errorf("server received %d messages", n)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

// TestSMTPRefusesClearTextCredentials: with the opportunistic policy and
// a remote server that does not offer STARTTLS (or had it stripped),
// credentials are not sent.
func TestSMTPRefusesClearTextCredentials(t *testing.T) {
	t.Parallel()
	ts := startServer(t, serverOpts{user: "alice", pass: "s3cret", mechs: []string{"PLAIN", "LOGIN", "CRAM-MD5"}})
	s := sender(t, 0, func(c *mail.SMTPConfig) {
		c.Host, c.Port, c.Username, c.Password = "smtp.example.test", 587, "alice", "s3cret"
	})
	mail.SetDialer(s, func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, ts.addr)
	})
	err := s.Send(t.Context(), welcome())
	if !errors.Is(err, mail.ErrTLS) || mail.IsTemporary(err) {
		t.Fatalf("err = %v, want a permanent ErrTLS", err)
	}
	if len(ts.received()) != 0 {
		t.Fatal("message delivered")
	}
}

func TestSMTPConnectRefused(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close() // nothing listens there now
	err = sender(t, port, nil).Send(t.Context(), welcome())
	if !errors.Is(err, mail.ErrConnect) || !mail.IsTemporary(err) {
		t.Fatalf("err = %v, want a temporary ErrConnect", err)
	}
}

// TestSMTPInvalidMessageNeverConnects: validation happens before any
// connection, so a hanging server is never reached.
func TestSMTPInvalidMessageNeverConnects(t *testing.T) {
	t.Parallel()
	h := startHang(t)
	t.Cleanup(h.stop)
	s := sender(t, h.port(), nil)
	msg := welcome()
	msg.To = []string{"not an address"}
	err := s.Send(t.Context(), msg)
	var ae *mail.AddressError
	if !errors.As(err, &ae) || ae.Field != "to" || !errors.Is(err, mail.ErrInvalidAddress) || mail.IsTemporary(err) {
		t.Fatalf("err = %v, want a permanent *AddressError for to", err)
	}
	h.mu.Lock()
	n := len(h.conns)
	h.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d connections made for an invalid message", n)
	}
}

func TestReplyCodeIsSMTPs(t *testing.T) {
	t.Parallel()
	// The classification reads textproto errors: make sure that is what
	// go-mail's client returns for a server reply.
	ts := startServer(t, serverOpts{user: "alice", pass: "s3cret", mechs: []string{"PLAIN"}})
	err := sender(t, ts.port(), func(c *mail.SMTPConfig) { c.Username, c.Password = "alice", "x" }).Send(t.Context(), welcome())
	if _, ok := errors.AsType[*textproto.Error](err); !ok {
		t.Fatalf("err = %v: no *textproto.Error inside", err)
	}
}

// TestSMTPSendsTheEnvelopeBytes: the server receives exactly the bytes
// the dev inbox and .eml downloads show, dots and all.
func TestSMTPSendsTheEnvelopeBytes(t *testing.T) {
	t.Parallel()
	ts := startServer(t, serverOpts{})
	m := welcome()
	m.Text = ".\r\n..leading dots\r\n.\r\nend"
	m.Attach("data.bin", []byte("\x00\x01.\r\n.\r\n"))
	env, err := m.Build("", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := mail.Deliver(t.Context(), sender(t, ts.port(), nil), env); err != nil {
		t.Fatal(err)
	}
	got := ts.received()
	if len(got) != 1 || !bytes.Equal(got[0].Data, env.Raw) {
		t.Fatalf("server received\n%q\nwant\n%q", got[0].Data, env.Raw)
	}
}
