// Command ws-echo is the Go port of §7 of the Nexios API examples
// ("WebSockets (Minimal)"): /ws answers each text message with
// "Echo: <message>".
//
//	go run ./examples/ws-echo
//	websocat ws://127.0.0.1:5000/ws     # type Hello, get "Echo: Hello"
//	curl -si http://127.0.0.1:5000/ws   # 426 Upgrade Required, problem+json
package main

import (
	"flag"
	"log/slog"
	"os"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/websocket"
)

func newApp() *nexios.App {
	app := nexios.New(nexios.Config{Title: "WebSocket echo"})

	// The Python handler awaits accept() first; here websocket.Handler has
	// accepted the connection before echo runs, after the middleware saw
	// the upgrade request. Its try/except/finally becomes a returned error:
	// a client that leaves ends the loop with an error that is not logged,
	// and the connection is closed when echo returns, whatever happened.
	websocket.Route(app, "/ws", websocket.Handler(echo))
	return app
}

func echo(ws *websocket.Conn) error {
	for {
		message, err := ws.ReceiveText(ws.Context())
		if err != nil {
			return err
		}
		if err := ws.SendText(ws.Context(), "Echo: "+message); err != nil {
			return err
		}
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "address to listen on")
	flag.Parse()
	if err := newApp().Run(*addr); err != nil {
		slog.Error("server stopped", "error", err)
		os.Exit(1)
	}
}
