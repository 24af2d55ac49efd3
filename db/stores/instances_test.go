package stores_test

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
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/db/stores"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/testclient/cluster"
	"github.com/nexios-go/nexios/websocket"
)

// fleet starts three instances of one app on one PostgreSQL database,
// each with its own pool, stores, broker and hub, as three processes
// would be.
func fleet(t *testing.T) *cluster.Cluster {
	t.Helper()
	_, ds := postgresURLs(t, 3)
	secret := []byte("a shared secret of at least thirty-two bytes")
	return cluster.Start(t, 3, func(i int) http.Handler {
		d := ds[i]
		broker, err := stores.NewBroker(context.Background(), d, stores.BrokerConfig{})
		if err != nil {
			t.Fatal(err)
		}
		hub := websocket.NewHub(websocket.HubConfig{Broker: broker})
		jwt, err := auth.NewJWT(auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}, Revocations: stores.NewRevocationList(d)})
		if err != nil {
			t.Fatal(err)
		}
		app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
		app.OnShutdown(func(context.Context) error { return broker.Close() })
		app.OnShutdown(hub.Close) // runs first: hooks run last registered first
		app.Use(nexios.Must(session.New(session.Config{Store: stores.NewSessionStore(d)})))
		app.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
			s := session.From(req)
			s.Regenerate()
			s.Set("user", req.Query("user"))
			return res.NoContent()
		})
		app.Get("/me", func(req *nexios.Request, res *nexios.Response) error {
			return res.JSON(map[string]any{"user": session.From(req).GetString("user"), "instance": i})
		})
		app.Post("/token", func(_ *nexios.Request, res *nexios.Response) error {
			pair, err := jwt.CreateTokenPair("ada", nil)
			if err != nil {
				return err
			}
			return res.JSON(pair)
		})
		app.Post("/refresh", func(req *nexios.Request, res *nexios.Response) error {
			pair, err := jwt.Refresh(req.Context(), req.Header("X-Refresh-Token"))
			if err != nil {
				return err
			}
			return res.JSON(pair)
		})
		app.Post("/logout", func(req *nexios.Request, res *nexios.Response) error {
			if err := jwt.Revoke(req.Context(), req.Header("X-Refresh-Token")); err != nil {
				return err
			}
			return res.NoContent()
		})
		limited := nexios.NewRouter("/limited")
		limited.Use(nexios.Must(ratelimit.New(ratelimit.Config{Limit: 100, Window: time.Minute,
			Store: stores.NewRateLimitStore(d, stores.RateLimitConfig{})})))
		limited.Get("", func(_ *nexios.Request, res *nexios.Response) error { return res.NoContent() })
		app.Mount(limited)
		websocket.Route(app, "/ws/chat/{room}", websocket.Handler(func(ws *websocket.Conn) error {
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
	})
}

func send(t *testing.T, c *http.Client, method, url, refresh string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if refresh != "" {
		req.Header.Set("X-Refresh-Token", refresh)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(res.Body).Decode(&body)
	return res.StatusCode, body
}

func chat(t *testing.T, ctx context.Context, url string) (*cws.Conn, string) {
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

// Three instances sharing PostgreSQL behave as one app.
func TestThreeInstancesOnPostgres(t *testing.T) {
	t.Parallel()
	c := fleet(t)
	a, b, cc := c.URL(0), c.URL(1), c.URL(2)
	client := c.Client()

	t.Run("a session created on A is valid on B and C", func(t *testing.T) {
		if st, _ := send(t, client, "POST", a+"/login?user=ada", ""); st != 204 {
			t.Fatalf("login on A: %d", st)
		}
		for name, u := range map[string]string{"B": b, "C": cc} {
			if st, body := send(t, client, "GET", u+"/me", ""); st != 200 || body["user"] != "ada" {
				t.Fatalf("/me on %s: %d %v", name, st, body)
			}
		}
	})

	t.Run("a refresh token revoked on B is refused on A and C", func(t *testing.T) {
		_, pair := send(t, client, "POST", a+"/token", "")
		refresh, _ := pair["refresh_token"].(string)
		if st, _ := send(t, client, "POST", b+"/logout", refresh); st != 204 {
			t.Fatalf("revoke on B: %d", st)
		}
		for name, u := range map[string]string{"A": a, "C": cc} {
			if st, _ := send(t, client, "POST", u+"/refresh", refresh); st != 401 {
				t.Fatalf("the revoked refresh token on %s: %d, want 401", name, st)
			}
		}
	})

	t.Run("100 of 300 concurrent requests across the three", func(t *testing.T) {
		var ok, limited, other atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 300 {
			wg.Go(func() {
				<-start
				res, err := client.Get(c.URL(i%3) + "/limited")
				if err != nil {
					other.Add(1)
					return
				}
				res.Body.Close()
				switch res.StatusCode {
				case 204:
					ok.Add(1)
				case 429:
					limited.Add(1)
				default:
					other.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		if ok.Load() != 100 || limited.Load() != 200 || other.Load() != 0 {
			t.Fatalf("%d admitted, %d limited, %d other; want exactly 100 and 200", ok.Load(), limited.Load(), other.Load())
		}
	})

	t.Run("a chat message from A reaches B and C", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		sender, _ := chat(t, ctx, c.WebSocketURL(0, "/ws/chat/lobby"))
		onB, _ := chat(t, ctx, c.WebSocketURL(1, "/ws/chat/lobby"))
		onC, _ := chat(t, ctx, c.WebSocketURL(2, "/ws/chat/lobby"))
		if err := sender.Write(ctx, cws.MessageText, []byte("hello from A")); err != nil {
			t.Fatal(err)
		}
		for name, conn := range map[string]*cws.Conn{"B": onB, "C": onC} {
			if _, msg, err := conn.Read(ctx); err != nil || string(msg) != "hello from A" {
				t.Fatalf("client on %s: %q %v", name, msg, err)
			}
		}
	})

	t.Run("killing B under load loses no session; its WebSocket clients reconnect elsewhere", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		sender, _ := chat(t, ctx, c.WebSocketURL(0, "/ws/chat/kill"))
		onB, _ := chat(t, ctx, c.WebSocketURL(1, "/ws/chat/kill"))
		var ok, failed atomic.Int32
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				for range 30 {
					res, err := client.Get(c.Balancer() + "/me")
					if err != nil {
						failed.Add(1)
						continue
					}
					var m map[string]any
					_ = json.NewDecoder(res.Body).Decode(&m)
					res.Body.Close()
					if res.StatusCode == 200 && m["user"] == "ada" {
						ok.Add(1)
					} else {
						failed.Add(1)
					}
				}
			})
		}
		time.Sleep(20 * time.Millisecond)
		if err := c.Kill(1); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		if ok.Load() != 180 || failed.Load() != 0 {
			t.Fatalf("180 session requests while B died: %d kept the session, %d failed", ok.Load(), failed.Load())
		}
		if _, _, err := onB.Read(ctx); err == nil {
			t.Fatal("a WebSocket of the killed instance stayed open")
		}
		again, hello := chat(t, ctx, c.BalancerWebSocketURL("/ws/chat/kill"))
		if hello == "joined 1" {
			t.Fatalf("reconnected to the killed instance")
		}
		if err := sender.Write(ctx, cws.MessageText, []byte("still here")); err != nil {
			t.Fatal(err)
		}
		if _, msg, err := again.Read(ctx); err != nil || string(msg) != "still here" {
			t.Fatalf("the reconnected client: %q %v", msg, err)
		}
	})
}
