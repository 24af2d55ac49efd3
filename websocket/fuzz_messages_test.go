package websocket_test

import (
	"context"
	"errors"
	"testing"

	"github.com/nexios-go/nexios/testclient"
	"github.com/nexios-go/nexios/websocket"
)

// FuzzMessages sends arbitrary payloads, as text and as binary messages,
// to a handler that reads them as text and as JSON: each gets an answer
// (the connection survives bad input), never a crash.
func FuzzMessages(f *testing.F) {
	f.Add([]byte(`{"message": "hi"}`))
	f.Add([]byte("\xff\xfe not utf-8"))
	f.Add([]byte(`[1, 2, {"a": null}]`))
	f.Add([]byte(``))
	app, _ := newApp()
	websocket.Route(app, "/ws", websocket.Handler(func(ws *websocket.Conn) error {
		for {
			text, err := ws.ReceiveText(ws.Context())
			if err != nil && !errors.Is(err, websocket.ErrInvalidMessage) {
				return err
			}
			var v any
			jerr := ws.ReceiveJSON(ws.Context(), &v)
			if jerr != nil && !errors.Is(jerr, websocket.ErrInvalidMessage) {
				return jerr
			}
			reply := "ok"
			if err != nil || jerr != nil {
				reply = "invalid"
			}
			if err := ws.SendText(ws.Context(), reply+":"+text); err != nil {
				return err
			}
		}
	}))
	ws, err := testclient.New(app).WebSocket(context.Background(), "/ws")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = ws.Close() })
	f.Fuzz(func(t *testing.T, payload []byte) {
		if err := ws.SendText(string(payload)); err != nil {
			t.Fatal(err)
		}
		if err := ws.SendBytes(payload); err != nil {
			t.Fatal(err)
		}
		if _, err := ws.ReceiveText(); err != nil {
			t.Fatalf("no answer to %q: %v", payload, err)
		}
	})
}
