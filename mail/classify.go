package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/textproto"

	"github.com/wneessen/go-mail/smtp"
)

// fail turns an error of SMTP step into a *SendError with its kind and
// temporariness.
func (s *SMTP) fail(ctx context.Context, step string, err error) *SendError {
	se := &SendError{Step: step, Server: s.addr, Err: err}
	// A cancelled context closed the connection: whatever the read or
	// write reported, the cause is the context.
	if cerr := ctx.Err(); cerr != nil {
		se.Err, se.Temporary = cerr, true
		se.Kind = ErrCanceled
		if errors.Is(cerr, context.DeadlineExceeded) {
			se.Kind = ErrTimeout
		}
		return se
	}
	if code := replyCode(err); code != 0 {
		se.Code = code
		se.Temporary = code/100 == 4
		switch step {
		case "auth":
			se.Kind = ErrAuth
		case "starttls":
			se.Kind = ErrTLS
		case "mail":
			se.Kind = ErrSenderRejected
		case "rcpt":
			se.Kind = ErrRecipientRejected
		case "data":
			se.Kind = ErrMessageRejected
		default:
			se.Kind = ErrProtocol
		}
		return se
	}
	if ne, ok := errors.AsType[net.Error](err); (ok && ne.Timeout()) || errors.Is(err, context.DeadlineExceeded) {
		se.Kind, se.Temporary = ErrTimeout, true
		return se
	}
	if isTLSError(err) || errors.Is(err, smtp.ErrUnencrypted) {
		se.Kind = ErrTLS
		return se
	}
	if step == "connect" {
		se.Kind, se.Temporary = ErrConnect, true
		return se
	}
	if step == "auth" && (errors.Is(err, smtp.ErrUnexpectedServerChallange) || errors.Is(err, smtp.ErrUnexpectedServerResponse) || errors.Is(err, smtp.ErrWrongHostname)) {
		se.Kind = ErrAuth
		return se
	}
	// A broken connection (EOF, reset) or a garbled reply: the server or
	// the network may be fine later.
	se.Kind, se.Temporary = ErrProtocol, true
	return se
}

// replyCode is the SMTP reply code carried by err, or 0.
func replyCode(err error) int {
	if te, ok := errors.AsType[*textproto.Error](err); ok {
		return te.Code
	}
	return 0
}

// isReply reports whether err is a reply from the server (as opposed to a
// broken connection).
func isReply(err error) bool { return replyCode(err) != 0 }

// isTLSError reports a failed TLS handshake or certificate check.
func isTLSError(err error) bool {
	var (
		unknownAuth x509.UnknownAuthorityError
		hostname    x509.HostnameError
		invalid     x509.CertificateInvalidError
		verify      *tls.CertificateVerificationError
		alert       tls.AlertError
		record      tls.RecordHeaderError
	)
	return errors.As(err, &unknownAuth) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || errors.As(err, &alert) || errors.As(err, &record)
}
