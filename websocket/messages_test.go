package websocket_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	cws "github.com/coder/websocket"
	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/testclient"
	"github.com/nexios-go/nexios/websocket"
)

// client is what the tests need from either transport.
type client interface {
	send(t testing.TB, typ cws.MessageType, data []byte)
	receive(t testing.TB) (cws.MessageType, []byte)
	// closeStatus waits for the server to close and returns the code.
	closeStatus(t testing.TB) int
	// drop closes the connection without a close frame.
	drop()
}

type inProcessClient struct{ ws *testclient.WSConn }

func (c inProcessClient) send(t testing.TB, typ cws.MessageType, data []byte) {
	t.Helper()
	var err error
	if typ == cws.MessageText {
		err = c.ws.SendText(string(data))
	} else {
		err = c.ws.SendBytes(data)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func (c inProcessClient) receive(t testing.TB) (cws.MessageType, []byte) {
	t.Helper()
	typ, data, err := c.ws.Receive()
	if err != nil {
		t.Fatal(err)
	}
	return typ, data
}

func (c inProcessClient) closeStatus(t testing.TB) int {
	t.Helper()
	code, _, err := c.ws.CloseStatus()
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func (c inProcessClient) drop() { _ = c.ws.CloseNow() }

type tcpClient struct{ c *realConn }

func (c tcpClient) send(t testing.TB, typ cws.MessageType, data []byte) {
	t.Helper()
	c.c.write(t, typ, data)
}

func (c tcpClient) receive(t testing.TB) (cws.MessageType, []byte) {
	t.Helper()
	return c.c.read(t)
}

func (c tcpClient) closeStatus(t testing.TB) int { t.Helper(); return int(c.c.closeStatus(t)) }

func (c tcpClient) drop() { _ = c.c.raw.Close() }

// transports runs the same test with the test client and over TCP.
var transports = []struct {
	name string
	open func(t *testing.T, app *nexios.App, path string) client
}{
	{"testclient", func(t *testing.T, app *nexios.App, path string) client {
		return inProcessClient{inProcess(t, app, path)}
	}},
	{"tcp", func(t *testing.T, app *nexios.App, path string) client {
		return tcpClient{dial(t, serve(t, app), path)}
	}},
}

func TestEcho(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("0123456789abcdef", websocket.DefaultReadLimit/16) // exactly the limit
	messages := []struct {
		name string
		typ  cws.MessageType
		data string
		want string
	}{
		{"text", cws.MessageText, "Hello", "Echo: Hello"},
		{"empty", cws.MessageText, "", "Echo: "},
		{"utf8", cws.MessageText, "héllo wörld ✓ 日本語 🎉", "Echo: héllo wörld ✓ 日本語 🎉"},
		{"1 MiB", cws.MessageText, big, "Echo: " + big},
		{"binary", cws.MessageBinary, "\x00\xff\x01binary", "\x00\xff\x01binary"},
	}
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			app, logs := newApp()
			websocket.Route(app, "/ws", websocket.Handler(echoHandler))
			c := tr.open(t, app, "/ws")
			for _, m := range messages {
				c.send(t, m.typ, []byte(m.data))
			}
			for _, m := range messages {
				typ, data := c.receive(t)
				if typ != m.typ || string(data) != m.want {
					t.Errorf("%s: got %v %.40q (%d bytes), want %v %.40q", m.name, typ, data, len(data), m.typ, m.want)
				}
			}
			c.drop()
			eventually(t, "a quiet log", func() bool { return logs.String() == "" })
		})
	}
}

func TestOverLimitCloses1009(t *testing.T) {
	t.Parallel()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			app, logs := newApp()
			end := newEnded()
			websocket.Route(app, "/ws", websocket.Handler(end.wrap(echoHandler)))
			websocket.Route(app, "/small", websocket.Handler(echoHandler, websocket.ReadLimit(10)))
			c := tr.open(t, app, "/ws")
			c.send(t, cws.MessageText, bytes.Repeat([]byte("x"), websocket.DefaultReadLimit+1))
			if code := c.closeStatus(t); code != 1009 {
				t.Errorf("close code = %d, want 1009", code)
			}
			err := end.wait(t)
			if !errors.Is(err, websocket.ErrMessageTooBig) || websocket.CloseStatus(err) != websocket.CloseMessageTooBig {
				t.Errorf("handler saw %v, want ErrMessageTooBig", err)
			}
			small := tr.open(t, app, "/small")
			small.send(t, cws.MessageText, []byte("0123456789"))
			if _, data := small.receive(t); string(data) != "Echo: 0123456789" {
				t.Errorf("at the limit: %q", data)
			}
			small.send(t, cws.MessageBinary, []byte("0123456789!"))
			if code := small.closeStatus(t); code != 1009 {
				t.Errorf("custom limit: close code = %d, want 1009", code)
			}
			if s := logs.String(); s != "" {
				t.Errorf("an oversized message was logged: %s", s)
			}
		})
	}
}

type chatIn struct {
	Message string `json:"message"`
}

func TestInvalidJSON(t *testing.T) {
	t.Parallel()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			app, logs := newApp()
			// Goes on after invalid JSON, which the iterator answered.
			websocket.Route(app, "/tolerant", websocket.Handler(func(ws *websocket.Conn) error {
				for in, err := range websocket.JSONMessages[chatIn](ws) {
					if err != nil {
						if !errors.Is(err, websocket.ErrInvalidMessage) {
							return fmt.Errorf("unexpected error in the loop: %w", err)
						}
						continue
					}
					_ = ws.SendJSON(ws.Context(), map[string]string{"type": "message", "message": in.Message})
				}
				return ws.Err()
			}))
			// Gives up: the error closes the connection with 1003.
			websocket.Route(app, "/strict", websocket.Handler(func(ws *websocket.Conn) error {
				var in chatIn
				for {
					if err := ws.ReceiveJSON(ws.Context(), &in); err != nil {
						return err
					}
				}
			}))
			// The untyped iterator of Nexios's iter_json.
			websocket.Route(app, "/any", websocket.Handler(func(ws *websocket.Conn) error {
				for v, err := range ws.JSON() {
					if err != nil {
						return err
					}
					m, _ := v.(map[string]any)
					_ = ws.SendText(ws.Context(), fmt.Sprint(m["message"]))
				}
				return ws.Err()
			}))

			c := tr.open(t, app, "/tolerant")
			for _, in := range []string{`{"message": "hi"}`, `{not json`, ``, `{"message": 42}`, `{"message": "still here"}`} {
				c.send(t, cws.MessageText, []byte(in))
			}
			for i, want := range []string{
				`{"message":"hi","type":"message"}`,
				`"status":400,"detail":"websocket: invalid message: malformed JSON`,
				`"status":400,"detail":"websocket: invalid message: malformed JSON`,
				`"status":422,"detail":"validation failed for field message","errors":[{"location":"body","field":"message"`,
				`{"message":"still here","type":"message"}`,
			} {
				if _, data := c.receive(t); !strings.Contains(string(data), want) {
					t.Errorf("reply %d = %s, want %s", i, data, want)
				}
			}
			strict := tr.open(t, app, "/strict")
			strict.send(t, cws.MessageText, []byte(`[1, 2`))
			if code := strict.closeStatus(t); code != 1003 {
				t.Errorf("strict: close code = %d, want 1003", code)
			}
			anyc := tr.open(t, app, "/any")
			anyc.send(t, cws.MessageBinary, []byte(`{"message": "binary JSON"}`))
			if _, data := anyc.receive(t); string(data) != "binary JSON" {
				t.Errorf("any: %q", data)
			}
			anyc.send(t, cws.MessageText, []byte(`nope`))
			if _, data := anyc.receive(t); !strings.Contains(string(data), `"status":400`) {
				t.Errorf("any: error frame %s", data)
			}
			if code := anyc.closeStatus(t); code != 1003 {
				t.Errorf("any: close code = %d, want 1003", code)
			}
			if s := logs.String(); s != "" {
				t.Errorf("invalid client input was logged: %s", s)
			}
		})
	}
}

func TestTextChecks(t *testing.T) {
	t.Parallel()
	app, _ := newApp()
	websocket.Route(app, "/text", websocket.Handler(func(ws *websocket.Conn) error {
		for {
			s, err := ws.ReceiveText(ws.Context())
			if err != nil {
				return err
			}
			_ = ws.SendText(ws.Context(), s)
		}
	}))
	tests := []struct {
		name string
		typ  cws.MessageType
		data string
		code int
	}{
		{"binary where text is expected", cws.MessageBinary, "hi", 1003},
		{"text that is not UTF-8", cws.MessageText, "\xff\xfe", 1007},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := tcpClient{dial(t, serve(t, app), "/text")}
			c.send(t, tt.typ, []byte(tt.data))
			if code := c.closeStatus(t); code != tt.code {
				t.Errorf("close code = %d, want %d", code, tt.code)
			}
		})
	}
}

func TestHandlerResultSetsCloseCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		result func() error
		code   int
		reason string
		logged string
	}{
		{"nil", func() error { return nil }, 1000, "", ""},
		{"close error", func() error { return &websocket.CloseError{Code: 4001, Reason: "bye"} }, 4001, "bye", ""},
		{"http 4xx", func() error { return nexios.NewHTTPError(http.StatusForbidden, "not a member") }, 1008, "not a member", ""},
		{"other error", func() error { return errors.New("database down") }, 1011, "internal error", "database down"},
		{"panic", func() error { panic("boom") }, 1011, "internal error", "boom"},
		{"a timeout of the handler's own work", func() error {
			return fmt.Errorf("query: %w", context.DeadlineExceeded)
		}, 1011, "internal error", "query: context deadline exceeded"},
		{"long reason", func() error {
			return &websocket.CloseError{Code: 4000, Reason: strings.Repeat("é", 100)}
		}, 4000, strings.Repeat("é", 61), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			app, logs := newApp()
			websocket.Route(app, "/ws", websocket.Handler(func(*websocket.Conn) error { return tt.result() }))
			ws := inProcess(t, app, "/ws")
			code, reason, err := ws.CloseStatus()
			if err != nil || code != tt.code || reason != tt.reason {
				t.Errorf("close = %d %q %v, want %d %q", code, reason, err, tt.code, tt.reason)
			}
			if tt.logged == "" && logs.String() != "" {
				t.Errorf("logged: %s", logs.String())
			}
			if tt.logged != "" {
				eventually(t, "the log line", func() bool {
					s := logs.String()
					return strings.Contains(s, tt.logged) && strings.Contains(s, "websocket handler failed")
				})
			}
		})
	}
}

func TestDisconnectEndsHandlerQuietly(t *testing.T) {
	t.Parallel()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			app, logs := newApp()
			end := newEnded()
			websocket.Route(app, "/ws", websocket.Handler(end.wrap(func(ws *websocket.Conn) error {
				for {
					// The naive loop of the seed: return whatever Receive says.
					s, err := ws.ReceiveText(ws.Context())
					if err != nil {
						return err
					}
					if err := ws.SendText(ws.Context(), "Echo: "+s); err != nil {
						return err
					}
				}
			})))
			c := tr.open(t, app, "/ws")
			c.send(t, cws.MessageText, []byte("hi"))
			c.receive(t)
			c.drop() // no close frame
			err := end.wait(t)
			if !errors.Is(err, websocket.ErrClosed) || websocket.CloseStatus(err) != websocket.CloseAbnormal {
				t.Errorf("handler saw %v, want an abnormal closure", err)
			}
			time.Sleep(20 * time.Millisecond)
			if s := logs.String(); s != "" {
				t.Errorf("a client leaving was logged: %s", s)
			}
		})
	}
}

func TestErrAfterIteration(t *testing.T) {
	t.Parallel()
	app, _ := newApp()
	errs := make(chan error, 3)
	websocket.Route(app, "/ws", websocket.Handler(func(ws *websocket.Conn) error {
		for range ws.Messages() {
		}
		errs <- ws.Err()
		return ws.Err()
	}))
	base := serve(t, app)
	tests := []struct {
		name    string
		end     func(c *realConn)
		wantNil bool
	}{
		{"normal close", func(c *realConn) { _ = c.Close(cws.StatusNormalClosure, "") }, true},
		{"going away", func(c *realConn) { _ = c.Close(cws.StatusGoingAway, "") }, true},
		{"dropped", func(c *realConn) { _ = c.raw.Close() }, false},
	}
	for _, tt := range tests {
		c := dial(t, base, "/ws")
		tt.end(c)
		err := <-errs
		if (err == nil) != tt.wantNil {
			t.Errorf("%s: Err() = %v", tt.name, err)
		}
	}
}

func TestKeepalive(t *testing.T) {
	t.Parallel()
	app, logs := newApp()
	end := newEnded()
	websocket.Route(app, "/dead", websocket.Handler(end.wrap(echoHandler), websocket.Keepalive(30*time.Millisecond, 50*time.Millisecond)))
	websocket.Route(app, "/live", websocket.Handler(echoHandler, websocket.Keepalive(10*time.Millisecond, time.Second)))
	base := serve(t, app)

	// A client that never reads never answers pings: it counts as dead.
	dead := dial(t, base, "/dead")
	err := end.wait(t)
	if !errors.Is(err, websocket.ErrClosed) || !strings.Contains(err.Error(), "keepalive") {
		t.Errorf("dead peer: handler saw %v", err)
	}
	_ = dead

	// A client that reads (and so answers pings) stays connected.
	live := inProcess(t, app, "/live")
	time.Sleep(100 * time.Millisecond)
	if err := live.SendText("still"); err != nil {
		t.Fatal(err)
	}
	if got, err := live.ReceiveText(); err != nil || got != "Echo: still" {
		t.Errorf("live peer: %q, %v", got, err)
	}
	if s := logs.String(); s != "" {
		t.Errorf("logged: %s", s)
	}
}

func TestReadTimeout(t *testing.T) {
	t.Parallel()
	app, _ := newApp()
	end := newEnded()
	websocket.Route(app, "/ws", websocket.Handler(end.wrap(echoHandler), websocket.ReadTimeout(30*time.Millisecond)))
	ws := inProcess(t, app, "/ws")
	err := end.wait(t)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("handler saw %v, want a deadline", err)
	}
	if _, _, err := ws.Receive(); err == nil {
		t.Error("the idle connection is still open")
	}
}

func TestConcurrentSends(t *testing.T) {
	t.Parallel()
	const writers, each = 8, 100
	app, _ := newApp()
	websocket.Route(app, "/ws", websocket.Handler(func(ws *websocket.Conn) error {
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					_ = ws.SendJSON(ws.Context(), map[string]int{"w": w, "i": i})
				}
			})
		}
		wg.Wait()
		return nil
	}))
	ws := inProcess(t, app, "/ws")
	next := make([]int, writers)
	for range writers * each {
		var m map[string]int
		if err := ws.ReceiveJSON(&m); err != nil {
			t.Fatal(err)
		}
		if m["i"] != next[m["w"]] {
			t.Fatalf("writer %d: got %d, want %d", m["w"], m["i"], next[m["w"]])
		}
		next[m["w"]]++
	}
	if code, _, _ := ws.CloseStatus(); code != 1000 {
		t.Errorf("close code %d", code)
	}
}

func TestSendAfterCloseFails(t *testing.T) {
	t.Parallel()
	app, _ := newApp()
	errs := make(chan error, 1)
	websocket.Route(app, "/ws", websocket.Handler(func(ws *websocket.Conn) error {
		if err := ws.Close(websocket.CloseNormal, "done"); err != nil {
			return err
		}
		errs <- ws.SendText(ws.Context(), "late")
		return nil
	}))
	ws := inProcess(t, app, "/ws")
	if code, reason, _ := ws.CloseStatus(); code != 1000 || reason != "done" {
		t.Errorf("close = %d %q", code, reason)
	}
	if err := <-errs; !errors.Is(err, websocket.ErrClosed) {
		t.Errorf("send after close = %v, want ErrClosed", err)
	}
}
