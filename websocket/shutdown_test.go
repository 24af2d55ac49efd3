package websocket_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	cws "github.com/coder/websocket"
	"github.com/nexios-go/nexios/websocket"
)

// TestShutdownSendsGoingAway serves with App.Serve and shuts down with two
// connections open, one in a hub and one in none: both receive a 1001
// close frame, their handlers return, and Serve returns at once.
func TestShutdownSendsGoingAway(t *testing.T) {
	t.Parallel()
	app, logs := newApp()
	hub := websocket.NewHub(websocket.HubConfig{})
	app.OnShutdown(hub.Close)
	alone, member := newEnded(), newEnded()
	websocket.Route(app, "/alone", websocket.Handler(alone.wrap(echoHandler)))
	websocket.Route(app, "/member", websocket.Handler(member.wrap(func(ws *websocket.Conn) error {
		if err := hub.Join(ws, "room"); err != nil {
			return err
		}
		return echoHandler(ws)
	})))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ln) }()
	base := "ws://" + ln.Addr().String()
	clients := map[string]*realConn{"/alone": dial(t, base, "/alone"), "/member": dial(t, base, "/member")}
	for _, c := range clients {
		c.write(t, cws.MessageText, []byte("hi")) // both are being served
		if got := c.readText(t); got != "Echo: hi" {
			t.Fatalf("echo %q", got)
		}
	}

	start := time.Now()
	cancel()
	for path, c := range clients {
		if code := c.closeStatus(t); code != cws.StatusGoingAway {
			t.Errorf("%s closed with %v, want 1001 (going away)", path, code)
		}
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %v", d)
	}
	for _, e := range []*ended{alone, member} {
		if err := e.wait(t); err != nil {
			t.Errorf("handler returned %v", err)
		}
	}
	if s := logs.String(); strings.Contains(s, "level=ERROR") || strings.Contains(s, "level=WARN") {
		t.Errorf("logs: %s", s)
	}
}

// TestShutdownWithoutServe shuts an app down that another server serves:
// open connections get 1001, Shutdown waits for them, and a connection
// accepted while the app is draining is closed with 1001 at once.
func TestShutdownWithoutServe(t *testing.T) {
	t.Parallel()
	app, _ := newApp()
	websocket.Route(app, "/ws", websocket.Handler(echoHandler))
	base := serve(t, app)
	c := dial(t, base, "/ws")
	shutdown := make(chan error, 1)
	go func() { shutdown <- app.Shutdown(context.Background()) }()
	if code := c.closeStatus(t); code != cws.StatusGoingAway {
		t.Errorf("open connection closed with %v", code)
	}
	if err := <-shutdown; err != nil {
		t.Fatal(err)
	}
	late := dial(t, base, "/ws")
	if code := late.closeStatus(t); code != cws.StatusGoingAway {
		t.Errorf("connection accepted while draining closed with %v", code)
	}
}

// TestShutdownManyConnections closes 30 connections at once, from several
// handlers, while their clients are sending: each client gets 1001 and
// Serve returns promptly.
func TestShutdownManyConnections(t *testing.T) {
	t.Parallel()
	const n = 30
	app, _ := newApp()
	websocket.Route(app, "/ws", websocket.Handler(echoHandler))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- app.Serve(ctx, ln) }()
	base := "ws://" + ln.Addr().String()
	clients := make([]*realConn, n)
	for i := range clients {
		clients[i] = dial(t, base, "/ws")
	}
	codes := make(chan cws.StatusCode, n)
	for _, c := range clients {
		go func() {
			rctx, rcancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer rcancel()
			for {
				// Keep the echo busy until the close arrives.
				_ = c.Write(rctx, cws.MessageText, []byte("ping"))
				if _, _, err := c.Read(rctx); err != nil {
					codes <- cws.CloseStatus(err)
					return
				}
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	cancel()
	for range n {
		if code := <-codes; code != cws.StatusGoingAway {
			t.Errorf("a client saw %v, want 1001", code)
		}
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %v", d)
	}
}
