package redis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cws "github.com/coder/websocket"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/redis"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/websocket"
)

// instance is one app of a fleet sharing Redis: its own client, stores,
// broker and hub, served on its own loopback port.
type instance struct {
	srv *httptest.Server
	hub *websocket.Hub
}

// fleet starts n instances of one app on one Redis, all keys under one
// prefix (as n processes of one deployment would be configured).
func fleet(t *testing.T, n int) []*instance {
	t.Helper()
	p := prefix(t)
	secret := []byte("a shared secret of at least thirty-two bytes")
	out := make([]*instance, n)
	for i := range out {
		rdb := testClient(t)
		broker, err := redis.NewBroker(context.Background(), rdb, redis.BrokerConfig{Prefix: p + "ws:"})
		if err != nil {
			t.Fatal(err)
		}
		hub := websocket.NewHub(websocket.HubConfig{Broker: broker})
		jwt, err := auth.NewJWT(auth.JWTConfig{
			Keys:        []auth.Key{auth.HS256Key(secret)},
			Revocations: redis.NewRevocationList(rdb, redis.RevocationConfig{Prefix: p + "revoked:"}),
		})
		if err != nil {
			t.Fatal(err)
		}
		app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
		app.Use(nexios.Must(session.New(session.Config{Store: redis.NewSessionStore(rdb, redis.SessionConfig{Prefix: p + "session:"})})))
		app.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
			s := session.From(req)
			s.Regenerate()
			s.Set("user", req.Query("user"))
			return res.JSON(map[string]string{"instance": fmt.Sprint(i)})
		})
		app.Get("/me", func(req *nexios.Request, res *nexios.Response) error {
			return res.JSON(map[string]string{"user": session.From(req).GetString("user")})
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
			Store: redis.NewRateLimitStore(rdb, redis.RateLimitConfig{Prefix: p + "rl:"})})))
		limited.Get("", func(_ *nexios.Request, res *nexios.Response) error { return res.NoContent() })
		app.Mount(limited)
		websocket.Route(app, "/ws/chat/{room}", websocket.Handler(func(ws *websocket.Conn) error {
			room := ws.Path("room")
			if err := hub.Join(ws, room); err != nil {
				return err
			}
			if err := ws.SendText(ws.Context(), "joined"); err != nil {
				return err
			}
			for msg := range ws.Messages() {
				if err := hub.Broadcast(ws.Context(), room, msg, ws); err != nil {
					return err
				}
			}
			return ws.Err()
		}))
		history := redis.NewHistory(rdb, redis.HistoryConfig{Prefix: p + "history:", Size: 50})
		websocket.Route(app, "/ws/room/{room}", websocket.Handler(func(ws *websocket.Conn) error {
			room := ws.Path("room")
			if err := hub.Join(ws, room); err != nil {
				return err
			}
			if ws.Query("epoch") != "" {
				off, _ := strconv.ParseUint(ws.Query("offset"), 10, 64)
				ok, err := history.Recover(ws.Context(), ws, room, redis.Position{Offset: off, Epoch: ws.Query("epoch")})
				if err != nil {
					return err
				}
				if !ok {
					return ws.SendText(ws.Context(), "reload")
				}
			}
			for msg := range ws.Messages() {
				if _, err := history.Broadcast(ws.Context(), hub, room, string(msg.Data)); err != nil {
					return err
				}
			}
			return ws.Err()
		}))
		srv := httptest.NewServer(app)
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = hub.Close(ctx)
			srv.Close()
			_ = broker.Close()
		})
		out[i] = &instance{srv: srv, hub: hub}
	}
	return out
}

func do(t *testing.T, c *http.Client, method, url string, header map[string]string) (int, map[string]string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]string
	_ = json.NewDecoder(res.Body).Decode(&body)
	return res.StatusCode, body
}

// Three instances sharing Redis behave as one app.
func TestThreeInstances(t *testing.T) {
	t.Parallel()
	fl := fleet(t, 3)
	a, b, c := fl[0].srv.URL, fl[1].srv.URL, fl[2].srv.URL

	t.Run("a session created on A is valid on B and C", func(t *testing.T) {
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar}
		// The jar keys cookies by host: all three listen on 127.0.0.1.
		if st, _ := do(t, client, "POST", a+"/login?user=ada", nil); st != 200 {
			t.Fatalf("login on A: %d", st)
		}
		for name, u := range map[string]string{"A": a, "B": b, "C": c} {
			if st, body := do(t, client, "GET", u+"/me", nil); st != 200 || body["user"] != "ada" {
				t.Fatalf("/me on %s: %d %v", name, st, body)
			}
		}
	})

	t.Run("a refresh token revoked on B is refused on A and C", func(t *testing.T) {
		client := http.DefaultClient
		_, pair := do(t, client, "POST", a+"/token", nil)
		other := pair["refresh_token"]
		_, pair2 := do(t, client, "POST", c+"/token", nil)
		if st, _ := do(t, client, "POST", b+"/logout", map[string]string{"X-Refresh-Token": other}); st != 204 {
			t.Fatalf("revoke on B: %d", st)
		}
		for name, u := range map[string]string{"A": a, "C": c} {
			if st, _ := do(t, client, "POST", u+"/refresh", map[string]string{"X-Refresh-Token": other}); st != 401 {
				t.Fatalf("the revoked refresh token on %s: %d, want 401", name, st)
			}
		}
		// Another sign-in's token still works, once, on any instance.
		if st, _ := do(t, client, "POST", a+"/refresh", map[string]string{"X-Refresh-Token": pair2["refresh_token"]}); st != 200 {
			t.Fatalf("an unrevoked refresh token: %d", st)
		}
		if st, _ := do(t, client, "POST", b+"/refresh", map[string]string{"X-Refresh-Token": pair2["refresh_token"]}); st != 401 {
			t.Fatalf("a rotated refresh token reused on another instance: %d, want 401", st)
		}
	})

	t.Run("100 of 300 concurrent requests across the three", func(t *testing.T) {
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}}
		defer client.CloseIdleConnections()
		var ok, limited, other atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 300 {
			wg.Go(func() {
				<-start
				res, err := client.Get(fl[i%3].srv.URL + "/limited")
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

	t.Run("a client that reconnects to another instance recovers what it missed", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		dial := func(base, query string) *cws.Conn {
			conn, _, err := cws.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws/room/news"+query, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = conn.CloseNow() })
			return conn
		}
		read := func(conn *cws.Conn) redis.Publication {
			t.Helper()
			_, data, err := conn.Read(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var p redis.Publication
			if err := json.Unmarshal(data, &p); err != nil {
				t.Fatalf("%q: %v", data, err)
			}
			return p
		}
		sender, reader := dial(a, ""), dial(b, "")
		time.Sleep(50 * time.Millisecond) // both joined
		_ = sender.Write(ctx, cws.MessageText, []byte("one"))
		last := read(reader)
		if string(last.Data) != `"one"` {
			t.Fatalf("live publication %+v", last)
		}
		_ = reader.Close(cws.StatusNormalClosure, "")
		for _, m := range []string{"two", "three", "four"} {
			_ = sender.Write(ctx, cws.MessageText, []byte(m))
			read(sender) // its own broadcast: the hub has committed it
		}
		back := dial(c, fmt.Sprintf("?offset=%d&epoch=%s", last.Offset, last.Epoch))
		for i, want := range []string{`"two"`, `"three"`, `"four"`} {
			p := read(back)
			if string(p.Data) != want || p.Offset != last.Offset+uint64(i)+1 || p.Epoch != last.Epoch {
				t.Fatalf("recovered %d: %+v, want %s at offset %d", i, p, want, last.Offset+uint64(i)+1)
			}
		}
		stale := dial(c, "?offset=3&epoch=another-epoch")
		if _, data, err := stale.Read(ctx); err != nil || string(data) != "reload" {
			t.Fatalf("a position from another epoch: %q %v, want reload", data, err)
		}
	})

	t.Run("a chat message from A reaches B and C", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		dial := func(base string) *cws.Conn {
			conn, _, err := cws.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/ws/chat/lobby", nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = conn.CloseNow() })
			if _, msg, err := conn.Read(ctx); err != nil || string(msg) != "joined" {
				t.Fatalf("join: %q %v", msg, err)
			}
			return conn
		}
		sender, onB, onC, alsoOnA := dial(a), dial(b), dial(c), dial(a)
		if err := sender.Write(ctx, cws.MessageText, []byte("hello from A")); err != nil {
			t.Fatal(err)
		}
		for name, conn := range map[string]*cws.Conn{"B": onB, "C": onC, "A (another client)": alsoOnA} {
			if _, msg, err := conn.Read(ctx); err != nil || string(msg) != "hello from A" {
				t.Fatalf("client on %s: %q %v", name, msg, err)
			}
		}
	})
}
