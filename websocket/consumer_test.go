package websocket_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/websocket"
)

func TestConsumerCounter(t *testing.T) {
	t.Parallel()
	app, _ := newApp()
	websocket.Route(app, "/ws/counter", websocket.Consumer{
		OnMessage: func(ws *websocket.Conn, msg websocket.Message) error {
			n, _ := ws.Get("n")
			count, _ := n.(int)
			ws.Set("n", count+1)
			return ws.SendText(ws.Context(), fmt.Sprintf("Message #%d: %s", count+1, msg.Text()))
		},
	}.Handler())
	for round := range 2 { // the count restarts for a new connection
		ws := inProcess(t, app, "/ws/counter")
		for i, text := range []string{"First", "Second", "Third"} {
			if err := ws.SendText(text); err != nil {
				t.Fatal(err)
			}
			got, err := ws.ReceiveText()
			if want := fmt.Sprintf("Message #%d: %s", i+1, text); err != nil || got != want {
				t.Errorf("round %d: %q, %v; want %q", round, got, err, want)
			}
		}
	}
}

func TestConsumerLifecycle(t *testing.T) {
	t.Parallel()
	type event struct {
		name string
		err  error
	}
	var mu sync.Mutex
	var events []event
	record := func(name string, err error) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, event{name, err})
	}
	app, logs := newApp()
	consumer := websocket.Consumer{
		OnConnect: func(ws *websocket.Conn) error {
			record("connect", nil)
			if ws.Query("deny") != "" {
				return &websocket.CloseError{Code: 4003, Reason: "denied"}
			}
			return ws.SendJSON(ws.Context(), map[string]string{"status": "connected", "room": ws.Path("room")})
		},
		OnMessage: websocket.OnJSON(func(ws *websocket.Conn, in chatIn) error {
			record("message:"+in.Message, nil)
			if in.Message == "panic" {
				panic("consumer bug")
			}
			return ws.SendJSON(ws.Context(), map[string]any{"received": in, "status": "ok"})
		}),
		OnDisconnect: func(ws *websocket.Conn, err error) { record("disconnect", err) },
	}
	websocket.Route(app, "/ws/room/{room}", consumer.Handler())

	take := func() []event {
		mu.Lock()
		defer mu.Unlock()
		out := events
		events = nil
		return out
	}
	waitEvents := func(n int) []event {
		eventually(t, fmt.Sprintf("%d events", n), func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(events) >= n
		})
		return take()
	}

	// A normal session.
	ws := inProcess(t, app, "/ws/room/lobby")
	var hello map[string]string
	if err := ws.ReceiveJSON(&hello); err != nil || hello["room"] != "lobby" || hello["status"] != "connected" {
		t.Fatalf("hello = %v, %v", hello, err)
	}
	_ = ws.SendJSON(map[string]any{"message": "test"})
	var reply map[string]any
	if err := ws.ReceiveJSON(&reply); err != nil || reply["status"] != "ok" {
		t.Fatalf("reply = %v, %v", reply, err)
	}
	_ = ws.Close()
	ev := waitEvents(3)
	if ev[0].name != "connect" || ev[1].name != "message:test" || ev[2].name != "disconnect" || ev[2].err != nil {
		t.Errorf("events = %+v", ev)
	}

	// Refused in OnConnect.
	denied := inProcess(t, app, "/ws/room/lobby?deny=1")
	if code, reason, _ := denied.CloseStatus(); code != 4003 || reason != "denied" {
		t.Errorf("denied: %d %q", code, reason)
	}
	if ev := waitEvents(2); websocket.CloseStatus(ev[1].err) != 4003 {
		t.Errorf("denied events = %+v", ev)
	}

	// Invalid JSON is answered with an error frame; the connection stays.
	bad := inProcess(t, app, "/ws/room/x")
	_ = bad.ReceiveJSON(&hello)
	_ = bad.SendText("{oops")
	var problem struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	if err := bad.ReceiveJSON(&problem); err != nil || problem.Status != 400 || !strings.Contains(problem.Detail, "malformed JSON") {
		t.Errorf("invalid JSON: error frame %+v, %v", problem, err)
	}
	_ = bad.SendJSON(map[string]any{"message": "after"})
	if err := bad.ReceiveJSON(&reply); err != nil || reply["status"] != "ok" {
		t.Fatalf("after an invalid message: %v, %v", reply, err)
	}
	_ = bad.Close()
	if ev := waitEvents(3); ev[1].name != "message:after" || ev[2].err != nil {
		t.Errorf("invalid JSON events = %+v", ev)
	}

	// A panic reaches OnDisconnect, closes with 1011 and is logged.
	boom := inProcess(t, app, "/ws/room/x")
	_ = boom.ReceiveJSON(&hello)
	_ = boom.SendJSON(map[string]string{"message": "panic"})
	if code, _, _ := boom.CloseStatus(); code != 1011 {
		t.Errorf("panic: close code %d", code)
	}
	ev = waitEvents(3)
	var pe *nexios.PanicError
	if !errors.As(ev[2].err, &pe) {
		t.Errorf("panic events = %+v", ev)
	}
	eventually(t, "the panic log", func() bool { return strings.Contains(logs.String(), "consumer bug") })
}
