package websocket

import (
	"time"

	"github.com/nexios-go/nexios"
)

// Observer is told about the app's WebSocket connections and messages:
// the hook metrics (package prometheus) count them through. Its methods
// are called on the connections' goroutines, so they must be fast and safe
// for concurrent use; they must not block or call back into the Conn
// beyond its accessors (ID, Pattern, Subprotocol).
type Observer interface {
	// Opened is called once the connection is upgraded.
	Opened(c *Conn)
	// Closed is called once when the connection has closed, with how
	// long it was open.
	Closed(c *Conn, open time.Duration)
	// Received is called for each data message read, with its size.
	Received(c *Conn, typ MessageType, size int)
	// Sent is called for each data message written, with its size.
	Sent(c *Conn, typ MessageType, size int)
}

// observerKey holds the app's Observer.
var observerKey = nexios.NewKey[Observer]("websocket.observer")

// Observe makes o observe every WebSocket connection the app accepts from
// now on (nil stops). Call it at start-up, before connections arrive.
func Observe(app *nexios.App, o Observer) { observerKey.SetApp(app, o) }

func (c *Conn) observeOpened() {
	if o := c.obs; o != nil {
		o.Opened(c)
	}
}

func (c *Conn) observeClosed() {
	if o := c.obs; o != nil {
		o.Closed(c, time.Since(c.opened))
	}
}
