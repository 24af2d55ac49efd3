package cluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cws "github.com/coder/websocket"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/testclient/cluster"
	"github.com/nexios-go/nexios/websocket"
)

// newApp returns instances sharing a session store and a broker (in
// memory here; Redis or PostgreSQL across processes). Each answers which
// instance it is.
func newApp(store session.Store, broker websocket.Broker) cluster.NewFunc {
	return func(i int) http.Handler {
		hub := websocket.NewHub(websocket.HubConfig{Broker: broker})
		app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
		app.OnShutdown(hub.Close)
		app.Use(nexios.Must(session.New(session.Config{Store: store})))
		app.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
			s := session.From(req)
			s.Regenerate()
			s.Set("user", req.Query("user"))
			return res.NoContent()
		})
		app.Get("/me", func(req *nexios.Request, res *nexios.Response) error {
			return res.JSON(map[string]any{"user": session.From(req).GetString("user"), "instance": i})
		})
		websocket.Route(app, "/ws/{room}", websocket.Handler(func(ws *websocket.Conn) error {
			room := ws.Path("room")
			if err := hub.Join(ws, room); err != nil {
				return err
			}
			if err := ws.SendText(ws.Context(), fmt.Sprint("joined ", i)); err != nil {
				return err
			}
			for msg := range ws.Messages() {
				if err := hub.Broadcast(ws.Context(), room, msg, ws); err != nil {
					return err
				}
			}
			return ws.Err()
		}))
		return app
	}
}

type me struct {
	User     string `json:"user"`
	Instance int    `json:"instance"`
}

func getMe(t *testing.T, c *http.Client, url string) me {
	t.Helper()
	res, err := c.Get(url + "/me")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m me
	if res.StatusCode != 200 || json.NewDecoder(res.Body).Decode(&m) != nil {
		t.Fatalf("GET %s/me: %d", url, res.StatusCode)
	}
	return m
}

func start(t *testing.T) *cluster.Cluster {
	store := session.NewMemoryStore(session.MemoryConfig{})
	t.Cleanup(func() { _ = store.Close() })
	return cluster.Start(t, 3, newApp(store, websocket.NewMemoryBroker()))
}

func TestSessionsAndRoundRobin(t *testing.T) {
	t.Parallel()
	c := start(t)
	client := c.Client()
	res, err := client.Post(c.URL(0)+"/login?user=ada", "", nil)
	if err != nil || res.StatusCode != 204 {
		t.Fatalf("login: %v %v", res, err)
	}
	res.Body.Close()
	for i := range c.Len() {
		if m := getMe(t, client, c.URL(i)); m.User != "ada" || m.Instance != i {
			t.Fatalf("instance %d: %+v", i, m)
		}
	}
	seen := map[int]int{}
	for range 6 {
		m := getMe(t, client, c.Balancer())
		if m.User != "ada" {
			t.Fatalf("through the balancer: %+v", m)
		}
		seen[m.Instance]++
	}
	if len(seen) != 3 || seen[0] != 2 || seen[1] != 2 || seen[2] != 2 {
		t.Fatalf("six requests through the balancer reached %v, want each instance twice", seen)
	}
}

// A killed instance refuses connections; the balancer routes around it,
// also for requests in flight when it dies; Restart brings it back on its
// address.
func TestKillAndRestart(t *testing.T) {
	t.Parallel()
	c := start(t)
	client := c.Client()
	res, err := client.Post(c.Balancer()+"/login?user=ada", "", nil)
	if err != nil || res.StatusCode != 204 {
		t.Fatalf("login: %v %v", res, err)
	}
	res.Body.Close()

	var ok, failed atomic.Int32
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for range 25 {
				res, err := client.Get(c.Balancer() + "/me")
				if err != nil {
					failed.Add(1)
					continue
				}
				var m me
				_ = json.NewDecoder(res.Body).Decode(&m)
				res.Body.Close()
				if res.StatusCode == 200 && m.User == "ada" {
					ok.Add(1)
				} else {
					failed.Add(1)
				}
			}
			_ = g
		})
	}
	time.Sleep(5 * time.Millisecond)
	if err := c.Kill(1); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if ok.Load() != 200 || failed.Load() != 0 {
		t.Fatalf("200 requests while an instance died: %d ok, %d failed", ok.Load(), failed.Load())
	}
	if c.Alive(1) {
		t.Fatal("instance 1 alive after Kill")
	}
	if _, err := client.Get(c.URL(1) + "/me"); err == nil {
		t.Fatal("a killed instance answered")
	}
	for range 6 {
		if m := getMe(t, client, c.Balancer()); m.Instance == 1 {
			t.Fatal("the balancer sent a request to the killed instance")
		}
	}
	if err := c.Restart(1); err != nil {
		t.Fatal(err)
	}
	if m := getMe(t, client, c.URL(1)); m.User != "ada" || m.Instance != 1 {
		t.Fatalf("after the restart: %+v", m)
	}
}

func dial(t *testing.T, ctx context.Context, url string) (*cws.Conn, string) {
	t.Helper()
	conn, _, err := cws.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	_, msg, err := conn.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return conn, string(msg)
}

// WebSockets pass through the balancer; when their instance is killed
// they drop at once, and reconnecting through the balancer lands on a
// live instance where the room still works.
func TestWebSocketsAcrossKill(t *testing.T) {
	t.Parallel()
	c := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	onA, _ := dial(t, ctx, c.WebSocketURL(0, "/ws/lobby"))
	onB, hello := dial(t, ctx, c.BalancerWebSocketURL("/ws/lobby"))
	if hello == "joined 0" {
		onB, hello = dial(t, ctx, c.BalancerWebSocketURL("/ws/lobby")) // round robin: the next is another
	}
	var victim int
	if _, err := fmt.Sscanf(hello, "joined %d", &victim); err != nil || victim == 0 {
		t.Fatalf("through the balancer: %q", hello)
	}
	if err := onA.Write(ctx, cws.MessageText, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := onB.Read(ctx); err != nil || string(msg) != "one" {
		t.Fatalf("across instances: %q %v", msg, err)
	}
	if err := c.Kill(victim); err != nil {
		t.Fatal(err)
	}
	readCtx, readCancel := context.WithTimeout(ctx, 2*time.Second)
	defer readCancel()
	if _, _, err := onB.Read(readCtx); err == nil || readCtx.Err() != nil {
		t.Fatalf("a WebSocket of a killed instance: %v (it must drop at once)", err)
	}
	again, hello := dial(t, ctx, c.BalancerWebSocketURL("/ws/lobby"))
	if hello == fmt.Sprint("joined ", victim) {
		t.Fatalf("reconnected to the killed instance: %q", hello)
	}
	if err := onA.Write(ctx, cws.MessageText, []byte("two")); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := again.Read(ctx); err != nil || string(msg) != "two" {
		t.Fatalf("after reconnecting: %q %v", msg, err)
	}
}
