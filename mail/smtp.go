package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wneessen/go-mail/smtp"
)

// Sender sends messages. *SMTP sends through a server; *Memory keeps them
// (tests, the development inbox). Implementations are safe for concurrent
// use.
type Sender interface {
	// Send validates msg, builds it and delivers it, honouring ctx's
	// deadline and cancellation. Errors: *AddressError and the Err* kinds
	// for an invalid message (permanent), *SendError for a failed
	// delivery (see IsTemporary).
	Send(ctx context.Context, msg *Message) error
}

// SMTP sends mail through an SMTP server with go-mail's SMTP client. Each
// Send opens one connection (connect, EHLO, STARTTLS per policy, AUTH,
// MAIL, RCPT, DATA, QUIT), so an SMTP value holds no connection and needs
// no Close. Every step is bounded by the timeouts and by the context: a
// cancelled context closes the connection at once.
type SMTP struct {
	cfg    SMTPConfig
	addr   string
	tls    *tls.Config
	helo   string
	logger *slog.Logger

	// dialer replaces the TCP dial in tests (a host name that is not a
	// loopback address, routed to a local server).
	dialer func(ctx context.Context, network, addr string) (net.Conn, error)
}

// NewSMTP checks cfg and returns a sender. It does not connect.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Host == "" {
		return nil, errors.New("mail: SMTPConfig.Host is required")
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("mail: SMTPConfig.Port %d", cfg.Port)
	}
	if cfg.Username == "" && cfg.Password != "" {
		return nil, errors.New("mail: SMTPConfig.Password is set without a Username")
	}
	if cfg.ImplicitTLS && cfg.StartTLS == TLSNone {
		return nil, errors.New("mail: SMTPConfig: ImplicitTLS with StartTLS none")
	}
	switch cfg.Auth {
	case AuthAuto, AuthPlain, AuthLogin, AuthCRAMMD5:
	default:
		return nil, fmt.Errorf("mail: SMTPConfig.Auth %q: want PLAIN, LOGIN or CRAM-MD5", cfg.Auth)
	}
	if cfg.From != "" {
		if _, err := parseAddress("from", cfg.From); err != nil {
			return nil, fmt.Errorf("mail: default From: %w", err)
		}
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	tc := &tls.Config{}
	if cfg.TLSConfig != nil {
		tc = cfg.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = cfg.Host
	}
	if tc.MinVersion == 0 {
		tc.MinVersion = tls.VersionTLS12
	}
	helo := cfg.HELO
	if helo == "" {
		helo, _ = os.Hostname()
	}
	if helo == "" || strings.ContainsAny(helo, " \r\n") {
		helo = "localhost"
	}
	return &SMTP{
		cfg:    cfg,
		addr:   net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.port())),
		tls:    tc,
		helo:   helo,
		logger: cfg.Logger,
	}, nil
}

// String describes the server, without the password.
func (s *SMTP) String() string { return s.cfg.String() }

// From returns the default From address.
func (s *SMTP) From() string { return s.cfg.From }

// Send implements Sender.
func (s *SMTP) Send(ctx context.Context, msg *Message) error {
	env, err := msg.Build(s.cfg.From, time.Now())
	if err != nil {
		return err
	}
	if err := s.deliver(ctx, env); err != nil {
		return err
	}
	s.logger.LogAttrs(ctx, slog.LevelDebug, "mail sent", slog.String("server", s.addr),
		slog.String("message_id", env.MessageID), slog.Int("recipients", len(env.Recipients)))
	return nil
}

// deliver runs one SMTP exchange for env.
func (s *SMTP) deliver(ctx context.Context, env *Envelope) error {
	if err := ctx.Err(); err != nil {
		return s.fail(ctx, "connect", err)
	}
	conn, err := s.dial(ctx)
	if err != nil {
		return s.fail(ctx, "connect", err)
	}
	// Closing the connection interrupts any read or write blocked on it:
	// that is how a cancelled context stops an exchange at once.
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	defer func() { _ = conn.Close() }()

	step := "greeting"
	_ = conn.SetDeadline(time.Now().Add(s.cfg.Timeout))
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		return s.fail(ctx, step, err)
	}
	next := func(name string) error {
		step = name
		return c.UpdateDeadline(s.cfg.Timeout)
	}
	run := func(name string, f func() error) error {
		if err := next(name); err != nil {
			return err
		}
		return f()
	}
	encrypted := s.cfg.ImplicitTLS
	if err := run("hello", func() error { return c.Hello(s.helo) }); err != nil {
		return s.fail(ctx, step, err)
	}
	if !encrypted && s.cfg.StartTLS != TLSNone {
		offered, _ := c.Extension("STARTTLS")
		switch {
		case offered:
			if err := run("starttls", func() error { return c.StartTLS(s.tls) }); err != nil {
				return s.fail(ctx, step, err)
			}
			encrypted = true
		case s.cfg.StartTLS == TLSMandatory:
			return &SendError{Kind: ErrTLS, Step: "starttls", Server: s.addr,
				Err: errors.New("STARTTLS is mandatory (starttls=mandatory) but the server does not offer it")}
		}
	}
	if s.cfg.Username != "" {
		if err := s.auth(c, encrypted, next); err != nil {
			if _, ok := errors.AsType[*SendError](err); ok {
				return err
			}
			return s.fail(ctx, "auth", err)
		}
	}
	if err := run("mail", func() error { return c.Mail(angle(env.From)) }); err != nil {
		return s.fail(ctx, step, err)
	}
	if err := next("rcpt"); err != nil {
		return s.fail(ctx, step, err)
	}
	var rejected []string
	var rcptErr error
	for _, rcpt := range env.Recipients {
		if err := c.Rcpt(angle(rcpt)); err != nil {
			if !isReply(err) {
				return s.fail(ctx, step, err)
			}
			rejected = append(rejected, rcpt)
			// A 4xx for one recipient makes the whole send temporary only
			// if no recipient was refused for good.
			if rcptErr == nil || replyCode(rcptErr)/100 == 4 {
				rcptErr = err
			}
		}
	}
	if len(rejected) > 0 {
		// Nothing is sent when a recipient is refused: a retry would
		// otherwise deliver twice to those accepted.
		_ = c.Reset()
		se := s.fail(ctx, step, rcptErr)
		se.Recipients = rejected
		return se
	}
	if err := run("data", func() error {
		w, err := c.Data()
		if err != nil {
			return err
		}
		if _, err := w.Write(env.Raw); err != nil {
			_ = w.Close()
			return err
		}
		return w.Close()
	}); err != nil {
		return s.fail(ctx, step, err)
	}
	// The server has accepted the message: a failed or slow QUIT changes
	// nothing, so it gets a short deadline.
	if c.UpdateDeadline(min(s.cfg.Timeout, quitTimeout)) == nil {
		_ = c.Quit()
	}
	return nil
}

// quitTimeout bounds the QUIT after a delivered message.
const quitTimeout = 2 * time.Second

// dial connects, with TLS from the start for smtps; ConnectTimeout
// bounds both the TCP connect and the handshake.
func (s *SMTP) dial(ctx context.Context) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ConnectTimeout)
	defer cancel()
	dial := s.dialer
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	conn, err := dial(ctx, "tcp", s.addr)
	if err != nil || !s.cfg.ImplicitTLS {
		return conn, err
	}
	tc := tls.Client(conn, s.tls)
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return tc, nil
}

// auth authenticates with the configured or the best offered mechanism.
func (s *SMTP) auth(c *smtp.Client, encrypted bool, next func(string) error) error {
	if !encrypted && !isLoopback(s.cfg.Host) {
		return &SendError{Kind: ErrTLS, Step: "auth", Server: s.addr,
			Err: errors.New("refusing to send credentials in clear text: the server did not offer STARTTLS (use smtps:// or a server with STARTTLS)")}
	}
	ok, list := c.Extension("AUTH")
	if !ok {
		return &SendError{Kind: ErrAuth, Step: "auth", Server: s.addr,
			Err: errors.New("the server does not offer AUTH, but credentials are configured")}
	}
	offered := strings.Fields(strings.ToUpper(list))
	mech := s.cfg.Auth
	if mech == AuthAuto {
		for _, m := range []AuthMechanism{AuthCRAMMD5, AuthPlain, AuthLogin} {
			if slices.Contains(offered, string(m)) {
				mech = m
				break
			}
		}
	}
	if mech == AuthAuto || !slices.Contains(offered, string(mech)) {
		want := string(mech)
		if mech == AuthAuto {
			want = "CRAM-MD5, PLAIN or LOGIN"
		}
		return &SendError{Kind: ErrAuth, Step: "auth", Server: s.addr,
			Err: fmt.Errorf("the server offers %s, not %s", strings.Join(offered, " "), want)}
	}
	var a smtp.Auth
	switch mech {
	case AuthPlain:
		// Encryption (or a loopback host) was checked above.
		a = smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host, true)
	case AuthLogin:
		a = smtp.LoginAuth(s.cfg.Username, s.cfg.Password, s.cfg.Host, true)
	case AuthCRAMMD5:
		a = smtp.CRAMMD5Auth(s.cfg.Username, s.cfg.Password)
	}
	if err := next("auth"); err != nil {
		return err
	}
	return c.Auth(a)
}

// angle formats a bare address for MAIL FROM and RCPT TO.
func angle(addr string) string { return (&mail.Address{Address: addr}).String() }

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
