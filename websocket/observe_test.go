package websocket_test

import (
	"sync"
	"testing"
	"time"

	cws "github.com/coder/websocket"

	"github.com/nexios-go/nexios/websocket"
)

type recorder struct {
	mu                 sync.Mutex
	opened, closed     int
	pattern            string
	open               time.Duration
	recvN, sentN       int
	recvBytes, sentLen int
}

func (r *recorder) Opened(c *websocket.Conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.opened++
	r.pattern = c.Pattern()
}

func (r *recorder) Closed(_ *websocket.Conn, open time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed++
	r.open = open
}

func (r *recorder) Received(_ *websocket.Conn, _ websocket.MessageType, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recvN++
	r.recvBytes += n
}

func (r *recorder) Sent(_ *websocket.Conn, _ websocket.MessageType, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sentN++
	r.sentLen += n
}

func TestObserverSeesConnectionsAndMessages(t *testing.T) {
	t.Parallel()
	app, _ := newApp()
	rec := &recorder{}
	websocket.Observe(app, rec)
	hub := websocket.NewHub(websocket.HubConfig{})
	websocket.Route(app, "/ws/{room}", websocket.Handler(func(ws *websocket.Conn) error {
		hub.Join(ws, "room")
		for msg := range ws.Messages() {
			// One direct send and one queued (broadcast) send per message.
			if err := ws.SendText(ws.Context(), "Echo: "+msg.Text()); err != nil {
				return err
			}
			if err := hub.BroadcastText(ws.Context(), "room", "all: "+msg.Text()); err != nil {
				return err
			}
		}
		return ws.Err()
	}))
	base := serve(t, app)
	c := dial(t, base, "/ws/lobby")
	c.write(t, cws.MessageText, []byte("hi"))
	c.write(t, cws.MessageText, []byte("there"))
	for range 4 {
		c.read(t)
	}
	if err := c.Close(cws.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the close to be observed", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return rec.closed == 1
	})
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.opened != 1 || rec.pattern != "/ws/{room}" {
		t.Errorf("opened %d on %q", rec.opened, rec.pattern)
	}
	if rec.recvN != 2 || rec.recvBytes != len("hi")+len("there") {
		t.Errorf("received %d messages, %d bytes", rec.recvN, rec.recvBytes)
	}
	wantSent := len("Echo: hi") + len("all: hi") + len("Echo: there") + len("all: there")
	if rec.sentN != 4 || rec.sentLen != wantSent {
		t.Errorf("sent %d messages, %d bytes; want 4, %d", rec.sentN, rec.sentLen, wantSent)
	}
	if rec.open <= 0 {
		t.Errorf("open duration %v", rec.open)
	}
}
