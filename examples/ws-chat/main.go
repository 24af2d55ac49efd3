// Command ws-chat is the Go port of §8 of the Nexios API examples
// ("WebSockets (Chat Room)"), with the page that uses it: open
// http://127.0.0.1:5000/ in two browser tabs, join the same room and talk.
//
//	go run ./examples/ws-chat
//	websocat ws://127.0.0.1:5000/ws/chat/lobby   # send {"message": "hi"}
//	curl -s http://127.0.0.1:5000/api/rooms      # rooms and their members
//
// Protocol of /ws/chat/{room_id}: on joining, the other members of the room
// get {"type": "system", "message": "New user joined the chat"}; a
// {"message": "..."} from a member reaches every other member of the room
// as {"type": "message", "message": "..."}; leaving announces
// {"type": "system", "message": "User left the chat"}. Rooms are isolated,
// and a room disappears with its last member. A message that is not JSON
// gets {"type": "error", "message": "..."} back, and the connection stays.
package main

import (
	"context"
	_ "embed"
	"flag"
	"log/slog"
	"os"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/websocket"
)

//go:embed chat.html
var chatPage string

// inbound is what a member sends.
type inbound struct {
	Message string `json:"message"`
}

// outbound is what members receive.
type outbound struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// newApp returns the app and the hub that keeps its rooms (one group per
// room id). The Python version keeps a module-level dict of sets; the hub
// does that bookkeeping, removes members that disconnect, and never lets a
// slow member delay the others.
func newApp() (*nexios.App, *websocket.Hub) {
	app := nexios.New(nexios.Config{Title: "WebSocket chat"})
	hub := websocket.NewHub(websocket.HubConfig{})
	app.OnShutdown(func(ctx context.Context) error { return hub.Close(ctx) })

	app.Get("/", func(_ *nexios.Request, res *nexios.Response) error {
		return res.HTML(chatPage)
	})
	app.Get("/api/rooms", func(_ *nexios.Request, res *nexios.Response) error {
		rooms := map[string]int{}
		for _, name := range hub.Groups() {
			rooms[name] = hub.Count(name)
		}
		return res.JSON(map[string]any{"rooms": rooms})
	})
	// An invalid message is answered with an error in the chat's own
	// shape, and the connection stays open.
	errorFrame := websocket.ErrorFrame(func(_ *websocket.Conn, err *websocket.MessageError) any {
		return outbound{"error", err.Error()}
	})
	websocket.Route(app, "/ws/chat/{room_id}", websocket.Handler(chatRoom(hub), errorFrame))
	return app, hub
}

func chatRoom(hub *websocket.Hub) func(ws *websocket.Conn) error {
	return func(ws *websocket.Conn) error {
		room := ws.Path("room_id")
		if err := hub.Join(ws, room); err != nil {
			return err
		}
		ctx := ws.Context()
		// The Python finally block: the hub removes the member by itself
		// when the connection closes; the others are told here. The
		// connection's context may be cancelled already (a dropped
		// client), which must not cancel the announcement.
		defer func() {
			_ = hub.BroadcastJSON(context.WithoutCancel(ctx), room, outbound{"system", "User left the chat"}, ws)
		}()
		if err := hub.BroadcastJSON(ctx, room, outbound{"system", "New user joined the chat"}, ws); err != nil {
			return err
		}
		for in, err := range websocket.JSONMessages[inbound](ws) {
			if err != nil {
				continue // the sender got the error frame; the connection stays
			}
			if err := hub.BroadcastJSON(ctx, room, outbound{"message", in.Message}, ws); err != nil {
				return err
			}
		}
		return ws.Err()
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "address to listen on")
	flag.Parse()
	app, _ := newApp()
	if err := app.Run(*addr); err != nil {
		slog.Error("server stopped", "error", err)
		os.Exit(1)
	}
}
