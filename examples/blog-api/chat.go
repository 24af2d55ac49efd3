package main

import (
	"context"

	"github.com/nexios-go/nexios/websocket"
)

// chatIn is a message a client sends: {"text": "..."}.
type chatIn struct {
	Text string `json:"text" validate:"required,max=2000"`
}

// chatOut is what members receive: {"type": "message"|"system", "message": "..."}.
type chatOut struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// chatErrors answers an invalid message in the chat's own shape; the
// connection stays open.
var chatErrors = websocket.ErrorFrame(func(_ *websocket.Conn, err *websocket.MessageError) any {
	return chatOut{Type: "error", Message: err.Error()}
})

// chat is seed 001's chat room: the others hear when a member joins, what
// they say and when they leave. The hub keeps the rooms (across instances
// when it has a Redis broker) and never lets a slow member delay the rest.
func (s *server) chat(ws *websocket.Conn) error {
	room := ws.Path("room_name")
	if err := s.hub.Join(ws, room); err != nil {
		return err
	}
	ctx := ws.Context()
	defer func() {
		// The seed's finally block; the connection's context may be gone.
		_ = s.hub.BroadcastJSON(context.WithoutCancel(ctx), room, chatOut{"system", "User left"})
	}()
	if err := s.hub.BroadcastJSON(ctx, room, chatOut{"system", "User joined"}, ws); err != nil {
		return err
	}
	for in, err := range websocket.JSONMessages[chatIn](ws) {
		if err != nil {
			continue // the sender got an error frame
		}
		if err := s.hub.BroadcastJSON(ctx, room, chatOut{"message", in.Text}, ws); err != nil {
			return err
		}
	}
	return ws.Err()
}
