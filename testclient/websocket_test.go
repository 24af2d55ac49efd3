package testclient_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/nexios-go/nexios/internal/leaktest"
	"github.com/nexios-go/nexios/testclient"
)

// wsEcho is a plain net/http WebSocket handler: it reports the request,
// then echoes messages until the client leaves.
func wsEcho(handlerDone chan<- error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "seen", Value: "yes"})
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"chat"}})
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := context.Background()
		cookie, _ := r.Cookie("session")
		info := r.RemoteAddr + " " + r.Host + " " + r.URL.RequestURI() + " " + r.Header.Get("X-Test")
		if cookie != nil {
			info += " session=" + cookie.Value
		}
		if r.TLS != nil {
			info += " tls"
		}
		_ = c.Write(ctx, websocket.MessageText, []byte(info))
		for {
			typ, data, err := c.Read(ctx)
			if err != nil {
				if handlerDone != nil {
					handlerDone <- err
				}
				return
			}
			if err := c.Write(ctx, typ, data); err != nil {
				return
			}
		}
	}
}

func TestWebSocketRoundTrip(t *testing.T) {
	t.Parallel()
	c := testclient.New(wsEcho(nil))
	c.Jar().SetCookies(c.BaseURL(), []*http.Cookie{{Name: "session", Value: "s1"}})
	ws, err := c.WebSocket(context.Background(), "/ws?x=1", testclient.Query("y", "2"),
		testclient.Header("X-Test", "hdr"), testclient.Header("Sec-WebSocket-Protocol", "chat"))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	info, err := ws.ReceiveText()
	if want := testclient.DefaultRemoteAddr + " testserver /ws?x=1&y=2 hdr session=s1"; err != nil || info != want {
		t.Errorf("handler saw %q, %v; want %q", info, err, want)
	}
	if ws.Subprotocol() != "chat" || ws.Response().StatusCode != http.StatusSwitchingProtocols {
		t.Errorf("subprotocol %q, status %d", ws.Subprotocol(), ws.Response().StatusCode)
	}
	if ck := c.Jar().Cookies(c.BaseURL()); len(ck) != 2 {
		t.Errorf("the handshake's Set-Cookie was not stored: %v", ck)
	}
	if err := ws.SendText("héllo"); err != nil {
		t.Fatal(err)
	}
	if s, err := ws.ReceiveText(); s != "héllo" || err != nil {
		t.Errorf("text: %q, %v", s, err)
	}
	_ = ws.SendBytes([]byte{0, 1, 2})
	if typ, b, err := ws.Receive(); typ != websocket.MessageBinary || len(b) != 3 || err != nil {
		t.Errorf("binary: %v %v %v", typ, b, err)
	}
	_ = ws.SendJSON(map[string]int{"n": 1})
	var v map[string]int
	if err := ws.ReceiveJSON(&v); err != nil || v["n"] != 1 {
		t.Errorf("JSON: %v, %v", v, err)
	}
	_ = ws.SendText("not json")
	if err := ws.ReceiveJSON(&v); err == nil {
		t.Error("ReceiveJSON decoded plain text")
	}
	// Waiting for nothing times out without closing the connection.
	if _, _, err := ws.ReceiveWithin(20 * time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ReceiveWithin: %v", err)
	}
	_ = ws.SendText("still open")
	if s, _ := ws.ReceiveText(); s != "still open" {
		t.Errorf("after a receive timeout: %q", s)
	}
}

func TestWebSocketHandshakeError(t *testing.T) {
	t.Parallel()
	c := testclient.New(http.NotFoundHandler())
	_, err := c.WebSocket(context.Background(), "/nope")
	var he *testclient.WSHandshakeError
	if !errors.As(err, &he) || he.Status != http.StatusNotFound || string(he.Body) != "404 page not found\n" {
		t.Fatalf("err = %v", err)
	}
}

func TestWebSocketHTTPS(t *testing.T) {
	t.Parallel()
	c := testclient.New(wsEcho(nil), testclient.WithBaseURL("https://api.example.test"))
	ws, err := c.WebSocket(context.Background(), "/ws")
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if info, _ := ws.ReceiveText(); info != testclient.DefaultRemoteAddr+" api.example.test /ws  tls" {
		t.Errorf("handler saw %q", info)
	}
}

// The tests below check goroutines, so they do not run in parallel.

func TestWebSocketCloseStopsEverything(t *testing.T) {
	defer leaktest.Check(t)()
	tests := []struct {
		name  string
		close func(ws *testclient.WSConn, cancel context.CancelFunc)
		code  websocket.StatusCode
	}{
		{"Close", func(ws *testclient.WSConn, _ context.CancelFunc) { _ = ws.Close() }, websocket.StatusNormalClosure},
		{"CloseWith", func(ws *testclient.WSConn, _ context.CancelFunc) { _ = ws.CloseWith(4000, "bye") }, 4000},
		{"CloseNow", func(ws *testclient.WSConn, _ context.CancelFunc) { _ = ws.CloseNow() }, -1},
		{"context", func(ws *testclient.WSConn, cancel context.CancelFunc) {
			cancel()
			// The connection drops: receiving fails at once, then
			// Close waits for the handler.
			if _, _, err := ws.Receive(); err == nil {
				t.Error("received after the context ended")
			}
			_ = ws.Close()
		}, -1},
	}
	for _, tt := range tests {
		done := make(chan error, 1)
		ctx, cancel := context.WithCancel(context.Background())
		ws, err := testclient.New(wsEcho(done)).WebSocket(ctx, "/ws")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = ws.ReceiveText()
		tt.close(ws, cancel)
		select {
		case err := <-done:
			if code := websocket.CloseStatus(err); code != tt.code {
				t.Errorf("%s: the handler saw %v (%d), want %d", tt.name, err, code, tt.code)
			}
		default:
			t.Errorf("%s: Close returned before the handler", tt.name)
		}
		cancel()
	}
}

func TestWebSocketStuckHandler(t *testing.T) {
	defer leaktest.Check(t)()
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		<-release // ignores the client entirely
		c.CloseNow()
	})
	ws, err := testclient.New(h).WebSocket(context.Background(), "/ws")
	if err != nil {
		t.Fatal(err)
	}
	ws.SetTimeout(50 * time.Millisecond)
	if err := ws.CloseNow(); err == nil {
		t.Error("Close did not report a handler that keeps running")
	}
	close(release)
	time.Sleep(10 * time.Millisecond)
}
