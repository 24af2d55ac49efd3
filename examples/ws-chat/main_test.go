package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cws "github.com/coder/websocket"
	"github.com/nexios-go/nexios/openapi/openapitest"
	"github.com/nexios-go/nexios/testclient"
)

// member joins a room in process and reads what it receives.
type member struct {
	t  *testing.T
	ws *testclient.WSConn
}

func join(t *testing.T, c *testclient.Client, room string) *member {
	t.Helper()
	ws, err := c.WebSocket(context.Background(), "/ws/chat/"+room)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	return &member{t, ws}
}

// ready waits until the member's handler reads messages, which it does
// after announcing the member: invalid JSON gets an error back. Without
// it, a member who joins right after another may or may not get that
// other's announcement.
func (m *member) ready() {
	m.t.Helper()
	if err := m.ws.SendText("{"); err != nil {
		m.t.Fatal(err)
	}
	var e outbound
	if err := m.ws.ReceiveJSON(&e); err != nil || e.Type != "error" {
		m.t.Fatalf("waiting for the handler: %+v, %v", e, err)
	}
}

func (m *member) say(text string) {
	m.t.Helper()
	if err := m.ws.SendJSON(map[string]string{"message": text}); err != nil {
		m.t.Fatal(err)
	}
}

func (m *member) expect(want outbound) {
	m.t.Helper()
	var got outbound
	if err := m.ws.ReceiveJSON(&got); err != nil {
		m.t.Fatalf("waiting for %+v: %v", want, err)
	}
	if got != want {
		m.t.Fatalf("got %+v, want %+v", got, want)
	}
}

func (m *member) expectNothing() {
	m.t.Helper()
	if _, data, err := m.ws.ReceiveWithin(50 * time.Millisecond); err == nil {
		m.t.Fatalf("received %s", data)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestChatRooms(t *testing.T) {
	t.Parallel()
	app, hub := newApp()
	c := openapitest.Client(t, app)

	alice := join(t, c, "lobby")
	alice.ready()
	bob := join(t, c, "lobby")
	alice.expect(outbound{"system", "New user joined the chat"})
	bob.ready()
	carol := join(t, c, "kitchen")
	carol.ready()
	if hub.Count("lobby") != 2 || hub.Count("kitchen") != 1 {
		t.Fatalf("members: lobby %d, kitchen %d", hub.Count("lobby"), hub.Count("kitchen"))
	}

	bob.say("Hi alice")
	alice.expect(outbound{"message", "Hi alice"})
	alice.say("héllo bob ✓")
	bob.expect(outbound{"message", "héllo bob ✓"})
	carol.say("anyone?")
	for _, m := range []*member{alice, bob, carol} {
		m.expectNothing() // rooms are isolated, and senders do not get their own
	}

	// Invalid JSON: an error to the sender, who stays in the room.
	if err := bob.ws.SendText("{oops"); err != nil {
		t.Fatal(err)
	}
	var e outbound
	if err := bob.ws.ReceiveJSON(&e); err != nil || e.Type != "error" || !strings.Contains(e.Message, "malformed JSON") {
		t.Errorf("invalid JSON answer: %+v, %v", e, err)
	}
	bob.say("still here")
	alice.expect(outbound{"message", "still here"})

	r := c.Get("/api/rooms")
	if r.Status != http.StatusOK || r.Text() != `{"rooms":{"kitchen":1,"lobby":2}}`+"\n" {
		t.Errorf("GET /api/rooms = %d %s", r.Status, r.Text())
	}

	_ = bob.ws.Close()
	alice.expect(outbound{"system", "User left the chat"})
	_ = carol.ws.CloseNow() // a dropped client leaves too
	waitFor(t, "the kitchen to close", func() bool { return !slices.Contains(hub.Groups(), "kitchen") })
	_ = alice.ws.Close()
	waitFor(t, "every room to close", func() bool { return len(hub.Groups()) == 0 })
}

func TestChatOverTCP(t *testing.T) {
	t.Parallel()
	const members = 20
	app, hub := newApp()
	srv := httptest.NewServer(app)
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws/chat/big"
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conns := make([]*cws.Conn, members)
	for i := range conns {
		c, _, err := cws.Dial(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		conns[i] = c
		// Wait until the handler reads (after its announcement): invalid
		// JSON gets an error back.
		if err := c.Write(ctx, cws.MessageText, []byte("{")); err != nil {
			t.Fatal(err)
		}
		for {
			_, data, err := c.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(data), `"type":"error"`) {
				break
			}
		}
	}
	// Everyone but the last one hears about later joins; drain those.
	for i, c := range conns[:members-1] {
		for range members - 1 - i {
			if _, data, err := c.Read(ctx); err != nil || !strings.Contains(string(data), "New user joined") {
				t.Fatalf("member %d: %s, %v", i, data, err)
			}
		}
	}
	if err := conns[0].Write(ctx, cws.MessageText, []byte(`{"message": "to all"}`)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, c := range conns[1:] {
		wg.Go(func() {
			_, data, err := c.Read(ctx)
			var got outbound
			if err != nil || json.Unmarshal(data, &got) != nil || got != (outbound{"message", "to all"}) {
				t.Errorf("got %s, %v", data, err)
			}
		})
	}
	wg.Wait()
	for _, c := range conns {
		_ = c.CloseNow() // without close frames
	}
	waitFor(t, "the room to empty", func() bool { return hub.Count("big") == 0 && len(hub.Groups()) == 0 })
}

func TestChatPage(t *testing.T) {
	t.Parallel()
	app, _ := newApp()
	r := openapitest.Client(t, app).Get("/")
	if r.Status != http.StatusOK || !strings.Contains(r.Text(), `new WebSocket(`) {
		t.Errorf("GET / = %d", r.Status)
	}
}
