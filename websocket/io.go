package websocket

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"unicode/utf8"
	"unsafe"

	"github.com/coder/websocket"
)

// MessageType is the type of a WebSocket message.
type MessageType int

// The message types.
const (
	MessageText   MessageType = MessageType(websocket.MessageText)   // UTF-8 text
	MessageBinary MessageType = MessageType(websocket.MessageBinary) // bytes
)

// String returns "text" or "binary".
func (t MessageType) String() string {
	switch t {
	case MessageText:
		return "text"
	case MessageBinary:
		return "binary"
	}
	return fmt.Sprintf("MessageType(%d)", int(t))
}

// Message is one received (or queued) message. Data belongs to the
// receiver: it is not reused.
type Message struct {
	Type MessageType
	Data []byte
}

// Text returns the payload as a string.
func (m Message) Text() string { return string(m.Data) }

// TextMessage returns a text message holding s.
func TextMessage(s string) Message { return Message{Type: MessageText, Data: []byte(s)} }

// BinaryMessage returns a binary message holding b (not copied).
func BinaryMessage(b []byte) Message { return Message{Type: MessageBinary, Data: b} }

// errNotText is the cause of a MessageError for a binary message read as
// text.
var errNotText = errors.New("expected a text message, got a binary one")

// errNotUTF8 is the cause of a MessageError for text that is not UTF-8.
var errNotUTF8 = errors.New("text message is not valid UTF-8")

// SendText sends a text message. ctx bounds the write; when it expires the
// connection is closed (the library cannot abandon a half-written frame).
func (c *Conn) SendText(ctx context.Context, s string) error {
	// The library reads p and never keeps it (server frames are not
	// masked), so the string's bytes are lent without a copy.
	return c.write(ctx, MessageText, unsafe.Slice(unsafe.StringData(s), len(s)))
}

// SendBytes sends a binary message.
func (c *Conn) SendBytes(ctx context.Context, b []byte) error {
	return c.write(ctx, MessageBinary, b)
}

// Send sends msg with its type.
func (c *Conn) Send(ctx context.Context, msg Message) error {
	return c.write(ctx, msg.Type, msg.Data)
}

// SendJSON sends v encoded as JSON (compact, with the app's JSON codec) in
// a text message.
func (c *Conn) SendJSON(ctx context.Context, v any) error {
	buf := c.cfg.getBuffer()
	defer c.cfg.putBuffer(buf)
	if err := c.codec.Encode(buf, v); err != nil {
		return fmt.Errorf("websocket: encoding JSON: %w", err)
	}
	return c.write(ctx, MessageText, bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

func (c *Conn) write(ctx context.Context, typ MessageType, p []byte) error {
	if err := c.ws.Write(ctx, websocket.MessageType(typ), p); err != nil {
		return c.failure(ctx, err)
	}
	if c.obs != nil {
		c.obs.Sent(c, typ, len(p))
	}
	return nil
}

// failure converts a library error, after which the connection is closed,
// into the *CloseError that says why. When this side closed the connection
// (Close, a keepalive timeout, a slow-consumer kick), that reason wins over
// the library's view of a connection closed under its feet.
func (c *Conn) failure(ctx context.Context, err error) error {
	c.mu.Lock()
	local := c.localClose
	c.mu.Unlock()
	if local != nil {
		return local
	}
	return fromLibrary(ctx, err)
}

// read returns the next message's type and payload in a pooled buffer,
// which the caller returns with putBuffer.
func (c *Conn) read(ctx context.Context) (MessageType, *bytes.Buffer, error) {
	typ, r, err := c.ws.Reader(ctx)
	if err != nil {
		return 0, nil, c.failure(ctx, err)
	}
	buf := c.cfg.getBuffer()
	if _, err := buf.ReadFrom(r); err != nil {
		c.cfg.putBuffer(buf)
		return 0, nil, c.failure(ctx, err)
	}
	if c.obs != nil {
		c.obs.Received(c, MessageType(typ), buf.Len())
	}
	return MessageType(typ), buf, nil
}

// Receive waits for the next message, text or binary. ctx bounds the wait;
// when it expires the connection is closed (the library cannot resume a
// half-read frame). Use ws.Context() to wait as long as the connection
// lives.
func (c *Conn) Receive(ctx context.Context) (Message, error) {
	typ, buf, err := c.read(ctx)
	if err != nil {
		return Message{}, err
	}
	msg := Message{Type: typ, Data: bytes.Clone(buf.Bytes())}
	c.cfg.putBuffer(buf)
	if msg.Data == nil {
		msg.Data = []byte{}
	}
	return msg, nil
}

// ReceiveText waits for the next message and returns it as a string. A
// binary message, or text that is not UTF-8, gives a *MessageError; the
// connection stays open.
func (c *Conn) ReceiveText(ctx context.Context) (string, error) {
	typ, buf, err := c.read(ctx)
	if err != nil {
		return "", err
	}
	defer c.cfg.putBuffer(buf)
	switch {
	case typ != MessageText:
		return "", &MessageError{Code: CloseUnsupportedData, Err: errNotText}
	case !utf8.Valid(buf.Bytes()):
		return "", &MessageError{Code: CloseInvalidPayload, Err: errNotUTF8}
	}
	return buf.String(), nil
}

// ReceiveBytes waits for the next message, text or binary, and returns its
// payload.
func (c *Conn) ReceiveBytes(ctx context.Context) ([]byte, error) {
	msg, err := c.Receive(ctx)
	return msg.Data, err
}

// ReceiveJSON waits for the next message (text or binary), decodes it as
// JSON into v with the app's JSON codec and validates it like a request
// body: validate tags, Enum fields and a Validate method, with the app's
// validator (App.Validate). A message that does not decode or validate
// gives a *MessageError (errors.Is(err, ErrInvalidMessage)) whose cause is
// the *nexios.ValidationError (field errors located in "body") or the
// malformed-JSON error an HTTP body would have given. The connection
// stays open: answer with SendError and go on, or return the error, which
// closes the connection with CloseUnsupportedData (1003). Unlike the
// iterators, ReceiveJSON sends no error frame itself.
func (c *Conn) ReceiveJSON(ctx context.Context, v any) error {
	_, buf, err := c.read(ctx)
	if err != nil {
		return err
	}
	defer c.cfg.putBuffer(buf)
	return c.decode(buf.Bytes(), v)
}

// iterContext returns the context of one iteration's read.
func (c *Conn) iterContext() (context.Context, context.CancelFunc) {
	if c.cfg.readTimeout > 0 {
		return context.WithTimeout(c.ctx, c.cfg.readTimeout)
	}
	return c.ctx, func() {}
}

// endIteration records why an iteration stopped, for Err.
func (c *Conn) endIteration(err error) {
	if IsNormalClosure(err) {
		err = nil
	}
	c.mu.Lock()
	if c.localClose != nil && err == c.localClose && c.localClose.Err == nil {
		err = nil // this side closed the connection on purpose
	}
	c.iterErr = err
	c.mu.Unlock()
}

// Err returns why the last Messages or JSON iteration stopped: nil when
// the client closed the connection normally (1000, 1001) or this side
// closed it, else the *CloseError (a dropped connection, an oversized
// message, a keepalive or read timeout). Like bufio.Scanner.Err, it is
// checked after the loop; returning it from the handler is always safe.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.iterErr
}

// Messages iterates over incoming messages until the connection closes,
// then stops; Err says why it stopped.
//
//	for msg := range ws.Messages() {
//		_ = ws.SendText(ws.Context(), "Echo: "+msg.Text())
//	}
//	return ws.Err()
func (c *Conn) Messages() iter.Seq[Message] {
	return func(yield func(Message) bool) {
		for {
			ctx, cancel := c.iterContext()
			msg, err := c.Receive(ctx)
			cancel()
			if err != nil {
				c.endIteration(err)
				return
			}
			if !yield(msg) {
				return
			}
		}
	}
}

// JSON iterates over incoming messages decoded as JSON into any (objects
// become map[string]any), like Nexios's iter_json. See JSONMessages, which
// decodes into a type of yours and documents the errors.
func (c *Conn) JSON() iter.Seq2[any, error] { return JSONMessages[any](c) }

// JSONMessages iterates over incoming messages decoded as JSON into T and
// validated like a request body (see ReceiveJSON): the loop's values are
// valid.
//
// An invalid message is answered at once with an error frame — by default
// the RFC 9457 problem document an HTTP request would have received, with
// its field errors; see the ErrorFrame option — and yielded as a
// *MessageError with T's zero value. The connection is still open: the
// loop goes on if the body continues, and returning the error from the
// handler closes the connection with 1003. The loop ends when the
// connection does; Err then says why (nil for a normal close).
//
//	for in, err := range websocket.JSONMessages[ChatIn](ws) {
//		if err != nil {
//			continue // the client was told what is wrong
//		}
//		...
//	}
//	return ws.Err()
func JSONMessages[T any](c *Conn) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			var v T
			ctx, cancel := c.iterContext()
			err := c.ReceiveJSON(ctx, &v)
			cancel()
			if err != nil {
				var me *MessageError
				if !errors.As(err, &me) {
					c.endIteration(err)
					return
				}
				c.replyInvalid(me)
				var zero T
				if !yield(zero, err) {
					return
				}
				continue
			}
			if !yield(v, nil) {
				return
			}
		}
	}
}
