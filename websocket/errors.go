package websocket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/nexios-go/nexios"
)

// CloseCode is the status code of a WebSocket close frame (RFC 6455
// §7.4). Applications may use 4000–4999 for their own codes.
type CloseCode int

// The standard close codes. CloseNoStatus, CloseAbnormal and
// CloseTLSHandshake are never sent on the wire: they describe a close frame
// without a code, a connection that dropped without a close frame, and a
// failed TLS handshake.
const (
	CloseNormal             CloseCode = 1000 // the purpose of the connection is fulfilled
	CloseGoingAway          CloseCode = 1001 // server shutting down or browser leaving the page
	CloseProtocolError      CloseCode = 1002
	CloseUnsupportedData    CloseCode = 1003 // a message the endpoint cannot accept (invalid JSON)
	CloseNoStatus           CloseCode = 1005
	CloseAbnormal           CloseCode = 1006
	CloseInvalidPayload     CloseCode = 1007 // e.g. a text message that is not UTF-8
	ClosePolicyViolation    CloseCode = 1008
	CloseMessageTooBig      CloseCode = 1009
	CloseMandatoryExtension CloseCode = 1010
	CloseInternalError      CloseCode = 1011
	CloseServiceRestart     CloseCode = 1012
	CloseTryAgainLater      CloseCode = 1013
	CloseBadGateway         CloseCode = 1014
	CloseTLSHandshake       CloseCode = 1015
)

// String returns the code and its name: "1000 (normal closure)".
func (c CloseCode) String() string {
	if n := c.name(); n != "" {
		return strconv.Itoa(int(c)) + " (" + n + ")"
	}
	return strconv.Itoa(int(c))
}

func (c CloseCode) name() string {
	switch c {
	case CloseNormal:
		return "normal closure"
	case CloseGoingAway:
		return "going away"
	case CloseProtocolError:
		return "protocol error"
	case CloseUnsupportedData:
		return "unsupported data"
	case CloseNoStatus:
		return "no status"
	case CloseAbnormal:
		return "abnormal closure"
	case CloseInvalidPayload:
		return "invalid payload data"
	case ClosePolicyViolation:
		return "policy violation"
	case CloseMessageTooBig:
		return "message too big"
	case CloseMandatoryExtension:
		return "mandatory extension"
	case CloseInternalError:
		return "internal error"
	case CloseServiceRestart:
		return "service restart"
	case CloseTryAgainLater:
		return "try again later"
	case CloseBadGateway:
		return "bad gateway"
	case CloseTLSHandshake:
		return "TLS handshake"
	}
	return ""
}

// sendable reports whether c may appear in a close frame.
func (c CloseCode) sendable() bool {
	switch {
	case c == CloseNoStatus || c == CloseAbnormal || c == CloseTLSHandshake:
		return false
	case c >= CloseNormal && c <= CloseBadGateway && c != 1004:
		return true
	default:
		return c >= 3000 && c <= 4999
	}
}

// ErrClosed is matched (errors.Is) by every error that reports a closed
// connection: once a receive or send returns it, the connection is gone.
var ErrClosed = errors.New("websocket: connection closed")

// ErrMessageTooBig is matched by the error of a receive that met a message
// larger than the read limit; the connection is then closed with
// CloseMessageTooBig (1009).
var ErrMessageTooBig = websocket.ErrMessageTooBig

// ErrInvalidMessage is matched by a *MessageError: one message the handler
// could not use. The connection stays open.
var ErrInvalidMessage = errors.New("websocket: invalid message")

// ErrQueueFull is returned when a message for a slow connection is refused
// because its send queue is full (see SendQueue).
var ErrQueueFull = errors.New("websocket: send queue full")

// CloseError reports how a connection ended: the code and reason of the
// peer's close frame, CloseMessageTooBig after an oversized message, or
// CloseAbnormal when the connection dropped without a close frame (Err then
// holds the network error or the expired context).
//
// A handler may also return a CloseError to close the connection with that
// code and reason:
//
//	return &websocket.CloseError{Code: websocket.ClosePolicyViolation, Reason: "not a member"}
type CloseError struct {
	Code   CloseCode
	Reason string
	// Err is the underlying cause, if any.
	Err error
}

// Error implements error.
func (e *CloseError) Error() string {
	s := "websocket: connection closed with " + e.Code.String()
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is makes every CloseError match ErrClosed.
func (e *CloseError) Is(target error) bool { return target == ErrClosed }

// Unwrap returns the cause.
func (e *CloseError) Unwrap() error { return e.Err }

// MessageError reports one message that could not be used as asked: JSON
// that does not decode, a binary message where text was expected, text that
// is not UTF-8. The connection stays open; the handler may answer and go
// on, or return the error, which closes the connection with Code (1003 or
// 1007) and a short reason.
type MessageError struct {
	Code CloseCode
	Err  error
}

// Error implements error.
func (e *MessageError) Error() string { return "websocket: invalid message: " + e.Err.Error() }

// Unwrap returns ErrInvalidMessage and the cause.
func (e *MessageError) Unwrap() []error { return []error{ErrInvalidMessage, e.Err} }

// reason is the close reason sent when a handler returns the error.
func (e *MessageError) reason() string {
	if e.Code == CloseInvalidPayload {
		return "invalid UTF-8"
	}
	return "invalid message"
}

// CloseStatus returns the close code an error reports: CloseNormal for nil,
// the code of a *CloseError or *MessageError, and -1 for other errors.
func CloseStatus(err error) CloseCode {
	if err == nil {
		return CloseNormal
	}
	var ce *CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	var me *MessageError
	if errors.As(err, &me) {
		return me.Code
	}
	return -1
}

// IsNormalClosure reports whether err is nil or the peer's orderly close
// (1000, 1001 or a close frame without a code): the ends of a connection
// that deserve no log line.
func IsNormalClosure(err error) bool {
	switch CloseStatus(err) {
	case CloseNormal, CloseGoingAway, CloseNoStatus:
		return true
	}
	return false
}

// fromLibrary turns an error of the WebSocket library into a *CloseError.
// Every library error is final: the library closes the connection on any
// failure.
func fromLibrary(ctx context.Context, err error) *CloseError {
	var lce websocket.CloseError
	switch {
	case errors.As(err, &lce):
		return &CloseError{Code: CloseCode(lce.Code), Reason: lce.Reason}
	case errors.Is(err, websocket.ErrMessageTooBig):
		return &CloseError{Code: CloseMessageTooBig, Reason: "message too big", Err: err}
	case ctx.Err() != nil && !errors.Is(err, ctx.Err()):
		return &CloseError{Code: CloseAbnormal, Err: fmt.Errorf("%w: %w", context.Cause(ctx), err)}
	default:
		return &CloseError{Code: CloseAbnormal, Err: err}
	}
}

// isDisconnect reports whether err only says that the connection is gone:
// nothing to send and nothing worth logging.
func isDisconnect(err error) bool {
	return errors.Is(err, ErrClosed) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// closeFor maps what a handler returned to the close frame to send, and
// whether the error deserves a log line. connGone tells whether the
// connection's context has ended (it closed under the handler).
func closeFor(err error, connGone bool) (code CloseCode, reason string, log bool) {
	if err == nil {
		return CloseNormal, "", false
	}
	var ce *CloseError
	if errors.As(err, &ce) {
		return ce.Code, ce.Reason, false
	}
	var me *MessageError
	if errors.As(err, &me) {
		return me.Code, me.reason(), false
	}
	// Receives and sends report a gone connection as a *CloseError; these
	// come from code that used the connection's net.Conn or context.
	if errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		connGone && errors.Is(err, context.Canceled) {
		return CloseAbnormal, "", false
	}
	var pe *nexios.PanicError
	if !errors.As(err, &pe) {
		if s := nexios.StatusOf(err); s >= 400 && s < 500 {
			// A client error (the handler refused something): tell the
			// client why, as an HTTP error would have.
			var he *nexios.HTTPError
			reason = "request refused"
			if errors.As(err, &he) {
				reason = he.Detail
			}
			return ClosePolicyViolation, reason, false
		}
	}
	return CloseInternalError, "internal error", true
}

// maxReason is the longest close reason a control frame can carry.
const maxReason = 123

// truncateReason cuts a close reason to maxReason bytes on a rune boundary.
func truncateReason(s string) string {
	if len(s) <= maxReason {
		return s
	}
	s = s[:maxReason]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
