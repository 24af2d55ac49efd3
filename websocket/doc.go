// Package websocket serves WebSocket endpoints in a Nexios app, on
// github.com/coder/websocket: routes with path parameters and middleware,
// connections with text, binary and JSON messages and Go iterators,
// keepalive, close codes, hubs with named groups and broadcasts that never
// wait for slow clients, a Broker interface for fanning out across
// instances, and struct-style consumers.
//
// # Routes
//
// Route registers a GET route whose handler upgrades the connection; the upgrade request passes through the app, router and
// route middleware first, so authentication and sessions apply:
//
//	websocket.Route(app, "/ws", websocket.Handler(func(ws *websocket.Conn) error {
//		for {
//			msg, err := ws.ReceiveText(ws.Context())
//			if err != nil {
//				return err // a client that left is not logged
//			}
//			if err := ws.SendText(ws.Context(), "Echo: "+msg); err != nil {
//				return err
//			}
//		}
//	}))
//
// A request that is not a WebSocket handshake gets 426 with a problem
// document, a page from another origin 403 (see AllowOrigins), and an
// unknown path a normal 404.
//
// # Messages
//
// Receive, ReceiveText, ReceiveBytes and ReceiveJSON wait for one message;
// Messages, JSON and JSONMessages iterate until the connection closes, and
// Err says why it closed. Messages larger than the read limit (1 MiB by
// default) close the connection with 1009; memory grows with the bytes
// received, never with a length a frame declares. JSON messages are
// validated like request bodies (validate tags, with the app's
// validator); an invalid one is a *MessageError that leaves the connection
// open, and the iterators answer it with an error frame (the problem
// document an HTTP request would get). Sends may be called from any
// goroutine.
//
// # Groups
//
// A Hub keeps named groups (rooms): Join, Leave, Broadcast (optionally
// except the sender), Send to one connection by id, Count. Closed
// connections leave their groups by themselves, and empty groups vanish.
// Broadcasts go through each member's bounded send queue, so a stalled
// client never delays the others.
//
// # Lifetime
//
// The handler function runs inside the HTTP handler: the *nexios.Request
// (Conn.Request) is valid until it returns. When it returns, the
// connection is closed, queued messages having been flushed, and every
// goroutine of the connection has ended. When the app begins a graceful
// shutdown (App.Draining), every connection, in a hub or not, is closed
// with 1001 (going away), and the shutdown waits for it.
package websocket
