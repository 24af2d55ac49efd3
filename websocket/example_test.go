package websocket_test

import (
	"context"
	"fmt"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/testclient"
	"github.com/nexios-go/nexios/websocket"
)

// The echo endpoint of the seed (000 §7), tested in process.
func ExampleHandler() {
	app := nexios.New(nexios.Config{})
	websocket.Route(app, "/ws", websocket.Handler(func(ws *websocket.Conn) error {
		for msg := range ws.Messages() {
			if err := ws.SendText(ws.Context(), "Echo: "+msg.Text()); err != nil {
				return err
			}
		}
		return ws.Err()
	}))

	ws, err := testclient.New(app).WebSocket(context.Background(), "/ws")
	if err != nil {
		panic(err)
	}
	defer ws.Close()
	_ = ws.SendText("Hello")
	reply, _ := ws.ReceiveText()
	fmt.Println(reply)
	// Output: Echo: Hello
}

// A chat room on a hub: the other members get each message.
func ExampleHub() {
	hub := websocket.NewHub(websocket.HubConfig{})
	app := nexios.New(nexios.Config{})
	websocket.Route(app, "/ws/chat/{room_id}", websocket.Handler(func(ws *websocket.Conn) error {
		room := ws.Path("room_id")
		if err := hub.Join(ws, room); err != nil {
			return err
		}
		_ = ws.SendJSON(ws.Context(), map[string]string{"type": "ready"})
		for in, err := range websocket.JSONMessages[struct{ Message string }](ws) {
			if err != nil {
				return err // invalid: the client got an error frame; close with 1003
			}
			out := map[string]string{"type": "message", "message": in.Message}
			if err := hub.BroadcastJSON(ws.Context(), room, out, ws); err != nil {
				return err
			}
		}
		return ws.Err()
	}))

	c := testclient.New(app)
	alice, _ := c.WebSocket(context.Background(), "/ws/chat/lobby")
	bob, _ := c.WebSocket(context.Background(), "/ws/chat/lobby")
	defer alice.Close()
	defer bob.Close()
	var ready map[string]string
	_ = alice.ReceiveJSON(&ready)
	_ = bob.ReceiveJSON(&ready)

	_ = alice.SendJSON(map[string]string{"message": "hi bob"})
	got, _ := bob.ReceiveText()
	fmt.Println(got)
	// Output: {"message":"hi bob","type":"message"}
}

// The struct-style API: a per-connection counter, like a Nexios
// WebSocketConsumer.
func ExampleConsumer() {
	app := nexios.New(nexios.Config{})
	websocket.Route(app, "/ws/counter", websocket.Consumer{
		OnMessage: func(ws *websocket.Conn, msg websocket.Message) error {
			n, _ := ws.Get("n")
			count, _ := n.(int)
			ws.Set("n", count+1)
			return ws.SendText(ws.Context(), fmt.Sprintf("Message #%d: %s", count+1, msg.Text()))
		},
	}.Handler())

	ws, _ := testclient.New(app).WebSocket(context.Background(), "/ws/counter")
	defer ws.Close()
	for _, m := range []string{"First", "Second"} {
		_ = ws.SendText(m)
		reply, _ := ws.ReceiveText()
		fmt.Println(reply)
	}
	// Output:
	// Message #1: First
	// Message #2: Second
}

// Messages are validated like request bodies: an invalid one is answered
// with the problem document an HTTP request would get, and the connection
// stays open.
func ExampleJSONMessages_validation() {
	type order struct {
		Item string `json:"item" validate:"required"`
		Qty  int    `json:"qty" validate:"gte=1,lte=10"`
	}
	app := nexios.New(nexios.Config{})
	websocket.Route(app, "/orders", websocket.Handler(func(ws *websocket.Conn) error {
		for in, err := range websocket.JSONMessages[order](ws) {
			if err != nil {
				continue // the client already has the error frame
			}
			_ = ws.SendText(ws.Context(), fmt.Sprintf("ordered %d × %s", in.Qty, in.Item))
		}
		return ws.Err()
	}))

	ws, err := testclient.New(app).WebSocket(context.Background(), "/orders")
	if err != nil {
		panic(err)
	}
	defer ws.Close()
	_ = ws.SendText(`{"item":"pen","qty":0}`)
	frame, _ := ws.ReceiveText()
	fmt.Println(frame)
	_ = ws.SendText(`{"item":"pen","qty":2}`)
	reply, _ := ws.ReceiveText()
	fmt.Println(reply)
	// Output:
	// {"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"validation failed for field qty","errors":[{"location":"body","field":"qty","message":"must be greater than or equal to 1","rule":"gte","param":"1"}]}
	// ordered 2 × pen
}
