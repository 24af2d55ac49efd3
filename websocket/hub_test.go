package websocket_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cws "github.com/coder/websocket"
	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/internal/leaktest"
	"github.com/nexios-go/nexios/websocket"
)

type chatOut struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// chatApp is the seed's chat room (000 §8) on a hub: members of a room get
// a join notice, each other's messages and a leave notice.
func chatApp(hub *websocket.Hub, opts ...websocket.Option) (*nexios.App, *logBuffer) {
	app, logs := newApp()
	websocket.Route(app, "/ws/chat/{room_id}", websocket.Handler(func(ws *websocket.Conn) error {
		room := "room:" + ws.Path("room_id")
		if err := hub.Join(ws, room); err != nil {
			return err
		}
		ctx := ws.Context()
		defer func() {
			_ = hub.BroadcastJSON(context.WithoutCancel(ctx), room, chatOut{Type: "system", Message: "User left the chat"}, ws)
		}()
		if err := hub.BroadcastJSON(ctx, room, chatOut{Type: "system", Message: "New user joined the chat"}, ws); err != nil {
			return err
		}
		if err := ws.SendJSON(ctx, map[string]string{"type": "joined", "id": ws.ID()}); err != nil {
			return err
		}
		for in, err := range websocket.JSONMessages[chatIn](ws) {
			if err != nil {
				return err
			}
			if err := hub.BroadcastJSON(ctx, room, chatOut{Type: "message", Message: in.Message}, ws); err != nil {
				return err
			}
		}
		return ws.Err()
	}, opts...))
	return app, logs
}

// readJSON reads one JSON message from a TCP client.
func readJSON(t testing.TB, c *realConn, v any) {
	t.Helper()
	_, data := c.read(t)
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("not JSON: %s", data)
	}
}

// joinRoom dials the chat app and waits for the "joined" acknowledgement,
// so that the member is in the room when it returns.
func joinRoom(t testing.TB, base, room string) (*realConn, string) {
	t.Helper()
	c := dial(t, base, "/ws/chat/"+room)
	var ack map[string]string
	readJSON(t, c, &ack)
	if ack["type"] != "joined" {
		t.Fatalf("first message %v, want the join acknowledgement", ack)
	}
	return c, ack["id"]
}

func TestHubChatRooms(t *testing.T) {
	t.Parallel()
	hub := websocket.NewHub(websocket.HubConfig{})
	app, logs := chatApp(hub)
	base := serve(t, app)

	alice, _ := joinRoom(t, base, "lobby")
	bob, bobID := joinRoom(t, base, "lobby")
	carol, carolID := joinRoom(t, base, "other")

	var got chatOut
	readJSON(t, alice, &got)
	if got != (chatOut{"system", "New user joined the chat"}) {
		t.Errorf("alice got %+v, want bob's join notice", got)
	}
	if n := hub.Count("room:lobby"); n != 2 {
		t.Errorf("lobby has %d members, want 2", n)
	}
	if g := hub.Groups(); !slices.Equal(g, []string{"room:lobby", "room:other"}) {
		t.Errorf("groups = %v", g)
	}

	bob.write(t, cws.MessageText, []byte(`{"message": "hi alice"}`))
	readJSON(t, alice, &got)
	if got != (chatOut{"message", "hi alice"}) {
		t.Errorf("alice got %+v", got)
	}
	// The sender is excluded and other rooms are isolated: the next thing
	// bob and carol receive is a marker sent after the broadcast.
	for name, c := range map[string]*realConn{bobID: bob, carolID: carol} {
		if err := hub.SendJSON(context.Background(), name, chatOut{Type: "marker"}); err != nil {
			t.Fatal(err)
		}
		if readJSON(t, c, &got); got.Type != "marker" {
			t.Errorf("%s received %+v", name, got)
		}
	}

	_ = alice.Close(cws.StatusNormalClosure, "")
	readJSON(t, bob, &got)
	if got != (chatOut{"system", "User left the chat"}) {
		t.Errorf("bob got %+v, want alice's leave notice", got)
	}
	eventually(t, "alice to leave the room", func() bool { return hub.Count("room:lobby") == 1 })
	_ = bob.Close(cws.StatusNormalClosure, "")
	eventually(t, "the empty room to vanish", func() bool { return !slices.Contains(hub.Groups(), "room:lobby") })
	if s := logs.String(); s != "" {
		t.Errorf("logged: %s", s)
	}
}

func TestHubHundredClients(t *testing.T) {
	t.Parallel()
	const n = 100
	hub := websocket.NewHub(websocket.HubConfig{})
	app, _ := newApp()
	websocket.Route(app, "/ws", websocket.Handler(func(ws *websocket.Conn) error {
		if err := hub.Join(ws, "all"); err != nil {
			return err
		}
		<-ws.CloseRead().Done()
		return nil
	}))
	base := serve(t, app)
	clients := make([]*realConn, n)
	for i := range clients {
		clients[i] = dial(t, base, "/ws")
	}
	eventually(t, "everyone to join", func() bool { return hub.Count("all") == n })
	if err := hub.BroadcastText(context.Background(), "all", "hello everyone"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() {
			if got := c.readText(t); got != "hello everyone" {
				t.Errorf("got %q", got)
			}
		})
	}
	wg.Wait()
	for _, c := range clients {
		_ = c.raw.Close() // abrupt, without close frames
	}
	eventually(t, "dropped clients to be removed", func() bool { return hub.Count("all") == 0 && len(hub.Groups()) == 0 })
}

func TestHubStalledClient(t *testing.T) {
	t.Parallel()
	const others, messages, queue = 5, 300, 64
	payload := strings.Repeat("x", 8<<10)
	for _, policy := range []websocket.SlowPolicy{websocket.Disconnect, websocket.DropMessage} {
		t.Run(policy.String(), func(t *testing.T) {
			hub := websocket.NewHub(websocket.HubConfig{})
			conns := make(chan *websocket.Conn, others+1)
			app, _ := newApp()
			websocket.Route(app, "/ws", websocket.Handler(func(ws *websocket.Conn) error {
				if err := hub.Join(ws, "feed"); err != nil {
					return err
				}
				conns <- ws
				<-ws.CloseRead().Done()
				return nil
			}, websocket.SendQueue(queue, policy), websocket.Keepalive(0, 0)))
			base := serveSmallBuffers(t, app)
			// A client that never reads, with a small receive buffer: the
			// server's writes to it block after a few KiB.
			stalled := dialSmallBuffer(t, base, "/ws")
			stalledConn := <-conns
			readers := make([]*realConn, others)
			for i := range readers {
				readers[i] = dial(t, base, "/ws")
				<-conns
			}
			var wg sync.WaitGroup
			for _, c := range readers {
				wg.Go(func() {
					for i := range messages {
						if got := c.readText(t); len(got) != len(payload) {
							t.Errorf("message %d: %d bytes", i, len(got))
							return
						}
					}
				})
			}
			start := time.Now()
			for range messages {
				if err := hub.BroadcastText(context.Background(), "feed", payload); err != nil {
					t.Fatal(err)
				}
				// Pace like a real feed, so that only the stalled
				// client falls behind.
				time.Sleep(time.Millisecond)
			}
			wg.Wait()
			for _, m := range hub.Members("feed") {
				if m != stalledConn && m.Dropped() > 0 {
					t.Errorf("a reader lost %d messages", m.Dropped())
				}
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("the readers needed %v: the stalled client slowed them down", d)
			}
			if stalledConn.Dropped() == 0 {
				t.Error("the stalled client's queue never filled")
			}
			if policy == websocket.Disconnect {
				eventually(t, "the stalled client to be dropped", func() bool { return hub.Count("feed") == others })
			} else if hub.Count("feed") != others+1 {
				t.Errorf("DropMessage: %d members, want the stalled one kept", hub.Count("feed"))
			}
			_ = stalled
		})
	}
}

func TestHubSendAndRegister(t *testing.T) {
	t.Parallel()
	hub := websocket.NewHub(websocket.HubConfig{})
	app, _ := newApp()
	websocket.Route(app, "/ws", websocket.Handler(func(ws *websocket.Conn) error {
		if err := hub.Register(ws); err != nil {
			return err
		}
		if err := ws.SendText(ws.Context(), ws.ID()); err != nil {
			return err
		}
		for msg := range ws.Messages() {
			// "<id> <text>": forward text to the connection id.
			id, text, _ := strings.Cut(msg.Text(), " ")
			if err := hub.Send(ws.Context(), id, websocket.TextMessage(text)); err != nil {
				_ = ws.SendText(ws.Context(), "error: "+err.Error())
			}
		}
		return ws.Err()
	}))
	base := serve(t, app)
	a := dial(t, base, "/ws")
	b := dial(t, base, "/ws")
	aID, bID := a.readText(t), b.readText(t)
	if c, ok := hub.Conn(aID); !ok || c.ID() != aID {
		t.Fatal("Conn does not find a registered connection")
	}
	a.write(t, cws.MessageText, []byte(bID+" psst"))
	if got := b.readText(t); got != "psst" {
		t.Errorf("b got %q", got)
	}
	if err := hub.SendJSON(context.Background(), aID, map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	if got := a.readText(t); got != `{"n":1}` {
		t.Errorf("a got %q", got)
	}
	// An unknown id goes to the broker and nowhere.
	if err := hub.Send(context.Background(), "nobody", websocket.TextMessage("x")); err != nil {
		t.Errorf("Send to an unknown id: %v", err)
	}
	_ = b.raw.Close()
	eventually(t, "b to be forgotten", func() bool { _, ok := hub.Conn(bID); return !ok })
}

// TestHubAcrossInstances runs two apps whose hubs share a broker, as two
// instances sharing Redis would: room members on both get broadcasts and
// direct messages.
func TestHubAcrossInstances(t *testing.T) {
	t.Parallel()
	broker := websocket.NewMemoryBroker()
	hubA := websocket.NewHub(websocket.HubConfig{Broker: broker})
	hubB := websocket.NewHub(websocket.HubConfig{Broker: broker})
	appA, _ := chatApp(hubA)
	appB, _ := chatApp(hubB)
	baseA, baseB := serve(t, appA), serve(t, appB)

	onA, idA := joinRoom(t, baseA, "r1")
	onB, _ := joinRoom(t, baseB, "r1")
	var got chatOut
	readJSON(t, onA, &got)
	if got.Message != "New user joined the chat" {
		t.Errorf("the member on A missed the join on B: %+v", got)
	}
	onB.write(t, cws.MessageText, []byte(`{"message": "from B"}`))
	readJSON(t, onA, &got)
	if got != (chatOut{"message", "from B"}) {
		t.Errorf("A got %+v", got)
	}
	if hubA.Count("r1") != 0 || hubA.Count("room:r1") != 1 || hubB.Count("room:r1") != 1 {
		t.Error("counts are not per instance")
	}
	if err := hubB.SendJSON(context.Background(), idA, map[string]string{"via": "B"}); err != nil {
		t.Fatal(err)
	}
	var direct map[string]string
	readJSON(t, onA, &direct)
	if direct["via"] != "B" {
		t.Errorf("direct message across instances: %v", direct)
	}
	_ = onA.Close(cws.StatusNormalClosure, "")
	_ = onB.Close(cws.StatusNormalClosure, "")
	eventually(t, "all topics to be unsubscribed", func() bool { return broker.Topics() == 0 })
}

func TestHubJoinErrors(t *testing.T) {
	t.Parallel()
	hub := websocket.NewHub(websocket.HubConfig{})
	app, _ := newApp()
	errs := make(chan error, 2)
	websocket.Route(app, "/ws", websocket.Handler(func(ws *websocket.Conn) error {
		if err := hub.Join(ws, "g"); err != nil {
			return err
		}
		if err := hub.Join(ws, "g"); err != nil { // twice is fine
			return err
		}
		hub.Leave(ws, "g")
		hub.Leave(ws, "g")
		if hub.Count("g") != 0 {
			return errors.New("Leave did not leave")
		}
		_ = ws.Close(websocket.CloseNormal, "")
		errs <- hub.Join(ws, "g")
		return nil
	}))
	ws := inProcess(t, app, "/ws")
	if code, _, _ := ws.CloseStatus(); code != 1000 {
		t.Fatalf("close code %d", code)
	}
	if err := <-errs; !errors.Is(err, websocket.ErrClosed) {
		t.Errorf("Join after Close = %v, want ErrClosed", err)
	}
	if len(hub.Groups()) != 0 || hub.Members("g") != nil {
		t.Error("a closed connection stayed in the hub")
	}
}

func TestHubClose(t *testing.T) {
	t.Parallel()
	hub := websocket.NewHub(websocket.HubConfig{})
	app, _ := chatApp(hub)
	base := serve(t, app)
	a, _ := joinRoom(t, base, "x")
	b, _ := joinRoom(t, base, "y")
	// Clients read all the time, as browsers do, so they answer the close
	// handshake at once.
	codes := make(chan cws.StatusCode, 2)
	for _, c := range []*realConn{a, b} {
		go func() { codes <- c.closeStatus(t) }()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := hub.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v", d)
	}
	for range 2 {
		if code := <-codes; code != cws.StatusGoingAway {
			t.Errorf("close code %v, want 1001", code)
		}
	}
	if len(hub.Groups()) != 0 {
		t.Errorf("groups left: %v", hub.Groups())
	}
	_, err := testDialError(base)
	if err == nil {
		t.Error("a closed hub accepted a member")
	}
}

// testDialError joins the chat of a closed hub: the handler's Join fails,
// which closes the connection with 1011.
func testDialError(base string) (int, error) {
	c, _, err := tryDial(base, "/ws/chat/z")
	if err != nil {
		return 0, err
	}
	defer c.CloseNow()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err = c.Read(ctx)
	if code := cws.CloseStatus(err); code != cws.StatusInternalError {
		return int(code), nil
	}
	return int(cws.StatusInternalError), err
}

// TestNoGoroutineLeak opens and drops many connections in rooms, then
// checks that nothing of them is left running. It is not parallel, so that
// other tests' goroutines do not count.
func TestNoGoroutineLeak(t *testing.T) {
	defer leaktest.Check(t)()
	hub := websocket.NewHub(websocket.HubConfig{})
	app, _ := chatApp(hub, websocket.Keepalive(20*time.Millisecond, time.Second))
	srv := httptest.NewServer(app)
	defer srv.Close() // before the leak check: deferred calls run last first
	base := "ws" + strings.TrimPrefix(srv.URL, "http")
	var clients []*realConn
	for i := range 30 {
		c, _ := joinRoom(t, base, fmt.Sprint(i%3))
		clients = append(clients, c)
	}
	clients[0].write(t, cws.MessageText, []byte(`{"message": "bye"}`))
	time.Sleep(50 * time.Millisecond) // let pings and broadcasts run
	for i, c := range clients {
		if i%2 == 0 {
			_ = c.Close(cws.StatusNormalClosure, "")
		} else {
			_ = c.raw.Close()
		}
	}
	eventually(t, "every room to empty", func() bool { return len(hub.Groups()) == 0 })
}

// A catch-up (a history replay) comes before the broadcasts that arrive
// while it runs, and those it covered are skipped: without the hold, the
// live messages would be written first.
func TestHubJoinCatchingUp(t *testing.T) {
	t.Parallel()
	hub := websocket.NewHub(websocket.HubConfig{})
	app, _ := newApp()
	errs := make(chan error, 1)
	websocket.Route(app, "/ws", websocket.Handler(func(ws *websocket.Conn) error {
		ctx := ws.Context()
		err := hub.JoinCatchingUp(ws, "room", func() (func(websocket.Message) bool, error) {
			for _, m := range []string{"live 1", "live 2", "live 3"} {
				if err := hub.BroadcastText(ctx, "room", m); err != nil {
					return nil, err
				}
			}
			for _, m := range []string{"replay 1", "live 2"} { // the replay covers "live 2"
				if err := ws.SendText(ctx, m); err != nil {
					return nil, err
				}
			}
			return func(m websocket.Message) bool { return string(m.Data) == "live 2" }, nil
		})
		errs <- err
		if err != nil {
			return err
		}
		_ = hub.BroadcastText(ctx, "room", "after")
		for range ws.Messages() {
		}
		return ws.Err()
	}))
	c := dial(t, serve(t, app), "/ws")
	var got []string
	for range 5 {
		got = append(got, c.readText(t))
	}
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	want := []string{"replay 1", "live 2", "live 1", "live 3", "after"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	_ = c.Close(cws.StatusNormalClosure, "")

	t.Run("an error from the catch-up is returned and the queue still flows", func(t *testing.T) {
		hub := websocket.NewHub(websocket.HubConfig{})
		app, _ := newApp()
		boom := errors.New("boom")
		websocket.Route(app, "/ws", websocket.Handler(func(ws *websocket.Conn) error {
			err := hub.JoinCatchingUp(ws, "room", func() (func(websocket.Message) bool, error) {
				_ = hub.BroadcastText(ws.Context(), "room", "queued meanwhile")
				return nil, boom
			})
			if !errors.Is(err, boom) {
				return fmt.Errorf("JoinCatchingUp: %v, want boom", err)
			}
			if hub.Count("room") != 1 {
				return errors.New("not in the room")
			}
			for range ws.Messages() {
			}
			return ws.Err()
		}))
		c := dial(t, serve(t, app), "/ws")
		if got := c.readText(t); got != "queued meanwhile" {
			t.Errorf("got %q", got)
		}
		_ = c.Close(cws.StatusNormalClosure, "")
	})
}
