package websocket

import (
	"errors"
	"runtime/debug"

	"github.com/nexios-go/nexios"
)

// Consumer is the struct-style way to write a WebSocket endpoint, after
// Nexios's WebSocketConsumer: fill in the callbacks you need. Each runs on
// the connection's goroutine; keep per-connection state with ws.Set and
// ws.Get (or in a closure).
//
//	websocket.Route(app, "/ws/counter", websocket.Consumer{
//		OnMessage: func(ws *websocket.Conn, msg websocket.Message) error {
//			n, _ := ws.Get("n")
//			count, _ := n.(int)
//			ws.Set("n", count+1)
//			return ws.SendText(ws.Context(), fmt.Sprintf("Message #%d: %s", count+1, msg.Text()))
//		},
//	}.Handler())
type Consumer struct {
	// OnConnect runs once the connection is accepted; an error closes it
	// (see Handler for the close codes).
	OnConnect func(ws *Conn) error
	// OnMessage runs for each incoming message, in order; an error stops
	// the connection. Use OnJSON to receive decoded JSON instead.
	OnMessage func(ws *Conn, msg Message) error
	// OnDisconnect runs last, whatever happened, with why the connection
	// ended: nil for a normal close by the client, the client's
	// *CloseError, or the error a callback returned. CloseStatus(err) gives
	// the close code. The connection may still be open when a callback
	// failed; it is closed right after.
	OnDisconnect func(ws *Conn, err error)
}

// Handler returns the nexios handler that runs the consumer on each
// accepted connection.
func (cs Consumer) Handler(opts ...Option) nexios.HandlerFunc {
	return Handler(cs.run, opts...)
}

func (cs Consumer) run(ws *Conn) (err error) {
	if cs.OnDisconnect != nil {
		defer func() {
			if p := recover(); p != nil {
				err = &nexios.PanicError{Value: p, Stack: debug.Stack()}
			}
			why := err
			if errors.Is(why, ErrClosed) && IsNormalClosure(why) {
				why = nil
			}
			cs.OnDisconnect(ws, why)
		}()
	}
	if cs.OnConnect != nil {
		if err := cs.OnConnect(ws); err != nil {
			return err
		}
	}
	for msg := range ws.Messages() {
		if cs.OnMessage != nil {
			if err := cs.OnMessage(ws, msg); err != nil {
				return err
			}
		}
	}
	return ws.Err()
}

// OnJSON adapts a function taking decoded JSON to Consumer.OnMessage. Each
// message is decoded into T and validated like a request body (see
// Conn.ReceiveJSON); fn sees valid values only. An invalid message is
// answered with an error frame (see ErrorFrame) and skipped, and the
// connection stays open, as an invalid request body gets a 400 or 422 and
// the client may send the next one. To close the connection on invalid
// input instead, decode in OnMessage with Conn.DecodeJSON and return its
// error.
func OnJSON[T any](fn func(ws *Conn, v T) error) func(*Conn, Message) error {
	return func(ws *Conn, msg Message) error {
		var v T
		if err := ws.decode(msg.Data, &v); err != nil {
			var me *MessageError
			if errors.As(err, &me) {
				ws.replyInvalid(me)
				return nil
			}
			return err
		}
		return fn(ws, v)
	}
}
