package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	cws "github.com/coder/websocket"
	"github.com/nexios-go/nexios/openapi/openapitest"
)

var messages = []string{"Hello", "héllo wörld ✓ 🎉", "", strings.Repeat("x", 1<<20-len("Echo: "))}

func TestEchoInProcess(t *testing.T) {
	t.Parallel()
	ws, err := openapitest.Client(t, newApp()).WebSocket(context.Background(), "/ws")
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	for _, m := range messages {
		if err := ws.SendText(m); err != nil {
			t.Fatal(err)
		}
		if got, err := ws.ReceiveText(); err != nil || got != "Echo: "+m {
			t.Fatalf("reply to %.20q = %.30q, %v", m, got, err)
		}
	}
	// A binary message is not text: the connection closes with 1003.
	if err := ws.SendBytes([]byte{1, 2}); err != nil {
		t.Fatal(err)
	}
	if code, _, err := ws.CloseStatus(); err != nil || code != 1003 {
		t.Errorf("close code = %d, %v", code, err)
	}
}

func TestEchoOverTCP(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(newApp())
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := cws.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	c.SetReadLimit(2 << 20)
	for _, m := range messages {
		if err := c.Write(ctx, cws.MessageText, []byte(m)); err != nil {
			t.Fatal(err)
		}
		if _, got, err := c.Read(ctx); err != nil || string(got) != "Echo: "+m {
			t.Fatalf("reply to %.20q = %.30q, %v", m, got, err)
		}
	}
	if err := c.Close(cws.StatusNormalClosure, ""); err != nil {
		t.Error(err)
	}
}

func TestPlainRequestGets426(t *testing.T) {
	t.Parallel()
	r := openapitest.Client(t, newApp()).Get("/ws")
	if r.Status != http.StatusUpgradeRequired || r.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("GET /ws = %d %s", r.Status, r.Text())
	}
}
