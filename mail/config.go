package mail

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// TLSPolicy says when a plain smtp:// connection upgrades with STARTTLS.
type TLSPolicy int

const (
	// TLSOpportunistic upgrades when the server offers STARTTLS and goes
	// on in clear text otherwise, so that a local relay without TLS works.
	// Credentials are still never sent in clear text to a host that is
	// not a loopback address: that is an ErrTLS.
	TLSOpportunistic TLSPolicy = iota
	// TLSMandatory refuses to go on (ErrTLS) when the server does not
	// offer STARTTLS.
	TLSMandatory
	// TLSNone never upgrades, even when STARTTLS is offered (a local
	// relay with a broken certificate).
	TLSNone
)

// String returns the policy's name, as in the URL's starttls option.
func (p TLSPolicy) String() string {
	switch p {
	case TLSMandatory:
		return "mandatory"
	case TLSNone:
		return "none"
	default:
		return "opportunistic"
	}
}

// AuthMechanism names a SASL mechanism for SMTP AUTH.
type AuthMechanism string

// The mechanisms Nexios offers (go-mail's implementations). AuthAuto
// (the default) picks the first the server advertises of CRAM-MD5, PLAIN
// and LOGIN.
const (
	AuthAuto    AuthMechanism = ""
	AuthPlain   AuthMechanism = "PLAIN"
	AuthLogin   AuthMechanism = "LOGIN"
	AuthCRAMMD5 AuthMechanism = "CRAM-MD5"
)

// Default timeouts.
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultTimeout        = 30 * time.Second
)

// SMTPConfig configures an SMTP sender. ParseURL fills one from a URL;
// set TLSConfig (a private CA) or Logger on it before NewSMTP.
type SMTPConfig struct {
	// Host and Port of the server. Port defaults to 25, or 465 with
	// ImplicitTLS.
	Host string
	Port int
	// Username and Password enable SMTP AUTH when Username is set.
	Username string
	Password string
	// Auth picks the mechanism; AuthAuto by default.
	Auth AuthMechanism
	// ImplicitTLS speaks TLS from the first byte (smtps://, port 465).
	ImplicitTLS bool
	// StartTLS is the STARTTLS policy of a plain connection.
	StartTLS TLSPolicy
	// TLSConfig verifies the server (RootCAs for a private CA). Default:
	// the system roots, ServerName = Host, TLS 1.2 at least.
	TLSConfig *tls.Config
	// ConnectTimeout bounds the TCP connect and the implicit TLS
	// handshake. Default DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// Timeout bounds each step of the exchange (greeting, EHLO, STARTTLS,
	// AUTH, the envelope, the data). Default DefaultTimeout. The context
	// passed to Send bounds the whole.
	Timeout time.Duration
	// HELO is the name announced in EHLO. Default: the host name.
	HELO string
	// From is the default From of messages that have none.
	From string
	// Logger receives a debug line per message sent. Default:
	// slog.Default().
	Logger *slog.Logger
}

// String describes the configuration without the password.
func (c SMTPConfig) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(c.Host, strconv.Itoa(c.port()))}
	if c.ImplicitTLS {
		u.Scheme = "smtps"
	}
	if c.Username != "" {
		u.User = url.UserPassword(c.Username, "xxxxx")
	}
	return u.String()
}

func (c SMTPConfig) port() int {
	switch {
	case c.Port != 0:
		return c.Port
	case c.ImplicitTLS:
		return 465
	default:
		return 25
	}
}

// ParseURL reads an SMTP URL:
//
//	smtp://[user:pass@]host[:port][?options]   plain, STARTTLS when offered (port 25)
//	smtps://[user:pass@]host[:port][?options]  implicit TLS (port 465)
//
// Options: starttls=mandatory|opportunistic|none (smtp only), auth=plain|
// login|cram-md5 (default: auto), timeout=30s, connect_timeout=10s,
// helo=name, from=address (percent-encoded). The user name and password
// are percent-decoded. Unknown options are an error, so that a typo does
// not silently weaken security.
func ParseURL(raw string) (SMTPConfig, error) {
	var cfg SMTPConfig
	u, err := url.Parse(raw)
	if err != nil {
		return cfg, fmt.Errorf("mail: SMTP URL: %w", redactURLError(err))
	}
	switch u.Scheme {
	case "smtp":
	case "smtps":
		cfg.ImplicitTLS = true
	default:
		return cfg, fmt.Errorf("mail: SMTP URL: scheme %q: want smtp or smtps", u.Scheme)
	}
	cfg.Host = u.Hostname()
	if cfg.Host == "" {
		return cfg, errors.New("mail: SMTP URL: no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return cfg, fmt.Errorf("mail: SMTP URL: port %q", p)
		}
		cfg.Port = n
	}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
	}
	if u.Path != "" && u.Path != "/" {
		return cfg, fmt.Errorf("mail: SMTP URL: unexpected path %q", u.Path)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return cfg, fmt.Errorf("mail: SMTP URL: query: %w", err)
	}
	for key, values := range q {
		v := values[len(values)-1]
		switch key {
		case "starttls":
			switch strings.ToLower(v) {
			case "mandatory", "required", "true":
				cfg.StartTLS = TLSMandatory
			case "opportunistic", "":
				cfg.StartTLS = TLSOpportunistic
			case "none", "false", "off":
				cfg.StartTLS = TLSNone
			default:
				return cfg, fmt.Errorf("mail: SMTP URL: starttls=%q: want mandatory, opportunistic or none", v)
			}
			if cfg.ImplicitTLS {
				return cfg, errors.New("mail: SMTP URL: starttls does not apply to smtps (TLS from the start)")
			}
		case "auth":
			switch m := AuthMechanism(strings.ToUpper(v)); m {
			case AuthPlain, AuthLogin, AuthCRAMMD5, AuthAuto:
				cfg.Auth = m
			case "AUTO":
				cfg.Auth = AuthAuto
			default:
				return cfg, fmt.Errorf("mail: SMTP URL: auth=%q: want plain, login or cram-md5", v)
			}
		case "timeout", "connect_timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return cfg, fmt.Errorf("mail: SMTP URL: %s=%q: want a positive duration such as 30s", key, v)
			}
			if key == "timeout" {
				cfg.Timeout = d
			} else {
				cfg.ConnectTimeout = d
			}
		case "helo":
			cfg.HELO = v
		case "from":
			cfg.From = v
		default:
			return cfg, fmt.Errorf("mail: SMTP URL: unknown option %q", key)
		}
	}
	return cfg, nil
}

// redactURLError removes the URL, which may hold a password, from a
// url.Parse error.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// Open returns the Sender for rawURL: an *SMTP for smtp:// and smtps://,
// or a new *Memory (the development inbox) for "memory:".
func Open(rawURL string) (Sender, error) {
	if rawURL == "memory:" || rawURL == "memory://" {
		return NewMemory(), nil
	}
	cfg, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return NewSMTP(cfg)
}

// FromEnv returns the Sender configured by the environment: SMTP_URL (see
// ParseURL) and MAIL_FROM, the default From (the URL's from option wins).
// When SMTP_URL is empty it returns a *Memory for the development inbox
// if dev is true (pass the app's Config.Debug), and ErrNotConfigured
// otherwise, so that production never drops mail silently.
func FromEnv(dev bool) (Sender, error) {
	raw := strings.TrimSpace(os.Getenv("SMTP_URL"))
	from := strings.TrimSpace(os.Getenv("MAIL_FROM"))
	if raw == "" {
		if !dev {
			return nil, ErrNotConfigured
		}
		return NewMemory(WithDefaultFrom(from)), nil
	}
	if raw == "memory:" || raw == "memory://" {
		return NewMemory(WithDefaultFrom(from)), nil
	}
	cfg, err := ParseURL(raw)
	if err != nil {
		return nil, err
	}
	if cfg.From == "" {
		cfg.From = from
	}
	return NewSMTP(cfg)
}
