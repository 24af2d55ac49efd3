package websocket

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/bind"
)

// DecodeJSON decodes data (a message's payload) into v and validates it,
// with the rules and errors of ReceiveJSON, for handlers that receive
// messages of several kinds and decode each by its type.
func (c *Conn) DecodeJSON(data []byte, v any) error { return c.decode(data, v) }

// decode decodes data into v with the app's JSON codec and validates the
// result as the app validates request bodies.
func (c *Conn) decode(data []byte, v any) error {
	if c.app != nil {
		if err := c.app.DecodeJSON(data, v); err != nil {
			return &MessageError{Code: CloseUnsupportedData, Err: err}
		}
		if err := c.app.Validate(v, bind.InBody); err != nil {
			return &MessageError{Code: CloseUnsupportedData, Err: err}
		}
		return nil
	}
	if err := c.codec.Decode(data, v); err != nil {
		// Decode again with the binder, off the hot path, for the error a
		// request body would have given: malformed JSON (400), or the
		// field with the wrong type (422).
		derr := bind.New(bind.Options{DecodeJSON: c.codec.Decode}).DecodeJSON(data, v)
		if derr == nil {
			derr = fmt.Errorf("invalid JSON: %w", err)
		}
		return &MessageError{Code: CloseUnsupportedData, Err: derr}
	}
	return nil
}

// StatusCode returns the HTTP status the same input would have had in a
// request body: 422 for a value that decoded but is not valid (a
// *nexios.ValidationError), 400 otherwise. It makes a MessageError render
// as a problem document with App.Problem.
func (e *MessageError) StatusCode() int {
	var ve *nexios.ValidationError
	if errors.As(e.Err, &ve) {
		return http.StatusUnprocessableEntity
	}
	return http.StatusBadRequest
}

// ErrorFrame sets the message the iterators (JSON, JSONMessages) and
// OnJSON send when a message is invalid, and SendError sends: fn returns
// the value to send as JSON, or nil to send nothing. The default is the
// app's problem document for the error (App.Problem): the type, title,
// status (400 for malformed JSON, 422 for invalid fields), detail and the
// field errors an HTTP request would have received.
//
//	websocket.ErrorFrame(func(ws *websocket.Conn, err *websocket.MessageError) any {
//		return map[string]any{"type": "error", "message": err.Err.Error()}
//	})
func ErrorFrame(fn func(ws *Conn, err *MessageError) any) Option {
	return func(c *config) { c.errorFrame = fn }
}

// SendError sends the error frame for err (see ErrorFrame): for a
// *MessageError the configured frame, for any other error the problem
// document an HTTP request failing with it would get (server errors
// without their detail, unless the app is in debug mode). ctx bounds the
// write.
func (c *Conn) SendError(ctx context.Context, err error) error {
	var me *MessageError
	if errors.As(err, &me) && c.cfg.errorFrame != nil {
		v := c.cfg.errorFrame(c, me)
		if v == nil {
			return nil
		}
		return c.SendJSON(ctx, v)
	}
	if c.app == nil {
		return c.SendJSON(ctx, map[string]string{"detail": err.Error()})
	}
	return c.SendJSON(ctx, c.app.Problem(err))
}

// replyInvalid answers an invalid message for the iterators and OnJSON,
// bounded by the write timeout. A failure means the client is gone, which
// the next read reports.
func (c *Conn) replyInvalid(me *MessageError) {
	ctx, cancel := context.WithTimeout(c.ctx, c.flushTimeout())
	defer cancel()
	_ = c.SendError(ctx, me)
}
