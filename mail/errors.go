package mail

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Kinds of failure, matched with errors.Is. A *SendError is one of them
// (its Kind); IsTemporary tells whether a retry may succeed.
var (
	// ErrInvalidAddress is matched by every *AddressError.
	ErrInvalidAddress = errors.New("mail: invalid address")
	// ErrNoRecipients is returned for a message with no To, Cc or Bcc.
	ErrNoRecipients = errors.New("mail: message has no recipients")
	// ErrNoSender is returned for a message with no From when the sender
	// has no default From either.
	ErrNoSender = errors.New("mail: message has no From address and the sender has no default")
	// ErrInvalidMessage is returned for a malformed header, attachment or
	// subject.
	ErrInvalidMessage = errors.New("mail: invalid message")
	// ErrTemplate is matched by a template that failed to render; nothing
	// was sent. errors.As finds the *template.Error with its file and line.
	ErrTemplate = errors.New("mail: template failed")

	// ErrConnect: the SMTP server could not be reached (refused, DNS,
	// unreachable). Temporary.
	ErrConnect = errors.New("mail: cannot connect to the SMTP server")
	// ErrTLS: TLS was required but the server does not offer STARTTLS, or
	// the handshake failed (untrusted certificate, protocol mismatch), or
	// credentials would have been sent in clear text. Permanent: it needs
	// a configuration change.
	ErrTLS = errors.New("mail: TLS refused")
	// ErrAuth: the server rejected the credentials, or offers no usable
	// mechanism. Permanent unless the server answered with a 4xx code.
	ErrAuth = errors.New("mail: SMTP authentication failed")
	// ErrTimeout: the server did not answer within the timeout, or the
	// context's deadline passed. Temporary.
	ErrTimeout = errors.New("mail: SMTP timeout")
	// ErrCanceled: the context was cancelled during the exchange.
	// Temporary (the mail was not sent and may be sent later).
	ErrCanceled = errors.New("mail: send canceled")
	// ErrSenderRejected: the server refused the envelope sender (MAIL
	// FROM). Temporary for a 4xx reply.
	ErrSenderRejected = errors.New("mail: sender rejected")
	// ErrRecipientRejected: the server refused one or more recipients
	// (RCPT TO); SendError.Recipients lists them. Temporary for a 4xx
	// reply (mailbox busy, greylisting), permanent for 5xx.
	ErrRecipientRejected = errors.New("mail: recipient rejected")
	// ErrMessageRejected: the server refused the message data (DATA), for
	// instance for its size or content. Temporary for a 4xx reply.
	ErrMessageRejected = errors.New("mail: message rejected")
	// ErrProtocol: the connection broke or the server answered something
	// unexpected. Temporary.
	ErrProtocol = errors.New("mail: SMTP exchange failed")
	// ErrNotConfigured is returned by FromEnv when SMTP_URL is empty
	// outside development.
	ErrNotConfigured = errors.New("mail: SMTP_URL is not set")
)

// SendError is a failed SMTP exchange: which step failed, the kind of
// failure, the server's reply code when there was one, and whether it is
// temporary. errors.Is(err, ErrAuth) (or another kind) matches it.
type SendError struct {
	// Kind is one of the Err* kinds above (ErrTLS, ErrAuth, ...).
	Kind error
	// Step is the step that failed: connect, greeting, hello, starttls,
	// auth, mail, rcpt, data or quit.
	Step string
	// Server is host:port of the SMTP server.
	Server string
	// Code is the SMTP reply code (421, 535, 550...), 0 when the server
	// did not answer.
	Code int
	// Recipients are the rejected recipients, for ErrRecipientRejected.
	Recipients []string
	// Temporary reports that a retry later may succeed.
	Temporary bool
	// Err is the underlying error.
	Err error
}

// Error implements error. It never contains the password.
func (e *SendError) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.Error())
	b.WriteString(" (")
	b.WriteString(e.Step)
	if e.Server != "" {
		b.WriteString(" to ")
		b.WriteString(e.Server)
	}
	if e.Code != 0 {
		b.WriteString(", code ")
		b.WriteString(strconv.Itoa(e.Code))
	}
	if len(e.Recipients) > 0 {
		b.WriteString(", recipients ")
		b.WriteString(strings.Join(e.Recipients, ", "))
	}
	if e.Temporary {
		b.WriteString(", temporary")
	} else {
		b.WriteString(", permanent")
	}
	b.WriteString(")")
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *SendError) Unwrap() error { return e.Err }

// Is reports whether target is the error's Kind.
func (e *SendError) Is(target error) bool { return target == e.Kind }

// IsTemporary reports whether sending may succeed if retried later: a
// timeout, a cancelled context, a network failure or a 4xx SMTP reply. It
// is false for nil, for invalid messages and templates, for TLS and
// authentication failures and for 5xx replies: retrying those only repeats
// the failure. A durable job retries when IsTemporary(err) and gives up
// (dead-letters the job) otherwise.
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	var se *SendError
	if errors.As(err, &se) {
		return se.Temporary
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// AddressError is an invalid e-mail address. When the address came from a
// client (a sign-up form), return InputError(err, ...) from the handler so
// it renders as a 422; one from configuration stays a 500.
type AddressError struct {
	// Field is the message field: from, to, cc, bcc or reply_to.
	Field string
	// Address is the rejected input.
	Address string
	// Err is the parser's reason.
	Err error
}

// Error implements error.
func (e *AddressError) Error() string {
	return fmt.Sprintf("mail: invalid %s address %q: %v", e.Field, e.Address, e.Err)
}

// Unwrap returns the parser's error.
func (e *AddressError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrInvalidAddress) true.
func (e *AddressError) Is(target error) bool { return target == ErrInvalidAddress }
